import { defineForm } from '../../../core/forms/types.js';
import { page, redirect, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { discoverThemes } from '../../../core/theme/themes.js';
import { routeTable } from '../../../core/http/routes.js';
import { checkAccess } from '../../../core/http/access.js';

const PATH = /^\/[A-Za-z0-9_\-/]*$/;

/** Pages of the system module: the front page placeholder, the admin overview, site information and appearance. */
export const systemRoutes: RouteDefinition[] = [
  {
    name: 'system.front',
    path: '/',
    title: 'Welcome',
    access: { public: true },
    async handler(ctx) {
      const name = (await ctx.site.config.get<string>('system.site_name')) ?? ctx.site.name;
      return page(`Welcome to ${name}`, template('system/front', { name }));
    },
  },
  {
    name: 'system.admin',
    path: '/admin',
    title: 'Administration',
    access: { permission: 'access administration pages' },
    menu: { menu: 'admin', title: 'Administration', weight: -100 },
    async handler(ctx) {
      const links = [];
      for (const r of routeTable(ctx.site.kernel).routes) {
        const d = r.definition;
        if (!d.path.startsWith('/admin/') || d.path.includes(':') || d.tab || !d.menu) continue;
        if (!(await checkAccess(d.access, ctx))) continue;
        links.push({ title: d.menu.title ?? (typeof d.title === 'string' ? d.title : d.name), href: d.path, weight: d.menu.weight ?? 0 });
      }
      links.sort((a, b) => a.weight - b.weight || a.title.localeCompare(b.title));
      return page('Administration', template('system/admin', { links }));
    },
  },
  {
    name: 'system.site_information',
    path: '/admin/config/site',
    title: 'Site information',
    access: { permission: 'administer site configuration' },
    menu: { menu: 'admin', title: 'Site information', weight: 10 },
    async form(ctx) {
      const c = ctx.site.config;
      return defineForm({
        id: 'system_site_information',
        submitLabel: 'Save configuration',
        fields: {
          site_name: { type: 'text', label: 'Site name', required: true, maxLength: 128, default: (await c.get<string>('system.site_name')) ?? '' },
          site_mail: { type: 'email', label: 'E-mail address', required: true, description: 'Sender of mail the site sends.', default: (await c.get<string>('system.site_mail')) ?? '' },
          front_page: {
            type: 'text', label: 'Front page path', maxLength: 128, pattern: PATH, patternHint: 'a path on this site starting with "/"',
            description: 'What visitors see at "/" (for example /node).', default: (await c.get<string>('system.front_page')) ?? '/',
          },
        },
        async submit(v) {
          await c.set('system.site_name', v.site_name);
          await c.set('system.site_mail', v.site_mail);
          await c.set('system.front_page', v.front_page || '/');
          ctx.message('status', 'The configuration was saved.');
          return redirect('/admin/config/site');
        },
      });
    },
  },
  {
    name: 'system.appearance',
    path: '/admin/appearance',
    title: 'Appearance',
    access: { permission: 'administer themes' },
    menu: { menu: 'admin', title: 'Appearance', weight: 5 },
    async form(ctx) {
      const themes = discoverThemes(ctx.site.root);
      const options = Object.fromEntries([...themes.values()].filter((t) => !t.hidden).map((t) => [t.name, `${t.name}: ${t.description}`]));
      return defineForm({
        id: 'system_appearance',
        submitLabel: 'Save configuration',
        fields: {
          theme_default: { type: 'select', label: 'Default theme', required: true, options, default: (await ctx.site.config.get<string>('system.theme_default')) ?? 'frontend' },
          theme_admin: { type: 'select', label: 'Administration theme', required: true, options, default: (await ctx.site.config.get<string>('system.theme_admin')) ?? 'admin' },
        },
        async submit(v) {
          await ctx.site.config.set('system.theme_default', v.theme_default);
          await ctx.site.config.set('system.theme_admin', v.theme_admin);
          ctx.message('status', 'The configuration was saved.');
          return redirect('/admin/appearance');
        },
      });
    },
  },
];
