import type { Site } from '../site/site.js';
import { AegirError } from '../errors/aegir-error.js';
import type { ThemeRenderer } from '../theme/renderer.js';
import type { Markup } from '../theme/renderable.js';
import { discoverThemes } from '../theme/themes.js';
import { checkAccess } from './access.js';
import type { RegisteredRoute, RouteTable } from './routes.js';
import type { Message, RequestContext } from './types.js';

/** A link in a menu or a tab. */
export interface LinkView {
  readonly title: string;
  readonly href: string;
  readonly active: boolean;
}

/** The theme renderer a site uses for a route: the admin theme for admin routes, else the default theme. */
export async function engineFor(site: Site, route: RegisteredRoute | undefined, path: string, chosen?: 'admin' | 'front'): Promise<ThemeRenderer> {
  const declared = chosen ?? (typeof route?.definition.theme === 'string' ? route.definition.theme : undefined);
  const admin = declared ? declared === 'admin' : path.startsWith('/admin');
  const name = admin
    ? await site.config.get<string>('system.theme_admin', 'admin')
    : await site.config.get<string>('system.theme_default', 'frontend');
  return site.kernel.registry(`core.theme.${name}`, () => {
    const themes = site.kernel.registry('core.themes', () => discoverThemes(site.root));
    const info = themes.get(name!) ?? themes.get(admin ? 'admin' : 'frontend') ?? [...themes.values()][0];
    if (!info) throw new Error(`no theme is installed in ${site.root}/themes`);
    const factory = site.hooks.collect('theme.engines').find((c) => c.value.name === info.engine)?.value;
    if (!factory) throw new AegirError('ERR_THEME_ENGINE_UNKNOWN', { theme: info.name, engine: info.engine });
    return factory.create({ theme: info, themes, kernel: site.kernel, root: site.root });
  });
}

/** Menu links the account may follow, by menu, sorted by weight then title. */
export async function menus(table: RouteTable, ctx: RequestContext): Promise<Record<string, LinkView[]>> {
  const out: Record<string, (LinkView & { weight: number })[]> = { admin: [], main: [], account: [] };
  for (const r of table.routes) {
    const m = r.definition.menu;
    if (!m || r.definition.path.includes(':')) continue;
    if (!(await checkAccess(r.definition.access, ctx))) continue;
    out[m.menu]!.push({
      title: m.title ?? (typeof r.definition.title === 'string' ? r.definition.title : r.definition.name),
      href: r.definition.path,
      active: ctx.req.path === r.definition.path || (r.definition.path !== '/' && ctx.req.path.startsWith(`${r.definition.path}/`)),
      weight: m.weight ?? 0,
    });
  }
  const sorted: Record<string, LinkView[]> = {};
  for (const [k, list] of Object.entries(out)) {
    sorted[k] = list.sort((a, b) => a.weight - b.weight || a.title.localeCompare(b.title)).map(({ title, href, active }) => ({ title, href, active }));
  }
  return sorted;
}

/**
 * Local tabs of a page: the routes that declare a tab on the current route
 * (or on the same base as the current route), with the base itself first,
 * each filled with the current path parameters and shown only if allowed.
 */
export async function tabs(table: RouteTable, ctx: RequestContext, current: RegisteredRoute): Promise<LinkView[]> {
  const base = current.definition.tab?.base ?? current.definition.name;
  const group = table.routes.filter((r) => r.definition.tab?.base === base);
  const baseRoute = table.byName.get(base);
  if (!group.length || !baseRoute) return [];
  const out: (LinkView & { weight: number })[] = [];
  for (const r of [baseRoute, ...group]) {
    let href: string;
    try {
      href = r.toPath(ctx.rawParams as Record<string, string>);
    } catch {
      continue;
    }
    if (!(await checkAccess(r.definition.access, { ...ctx, route: r.definition }))) continue;
    out.push({
      title: r === baseRoute ? (r.definition.tabTitle ?? 'View') : r.definition.tab!.title,
      href,
      active: r === current,
      weight: r === baseRoute ? -1000 : (r.definition.tab!.weight ?? 0),
    });
  }
  return out.length > 1 ? out.sort((a, b) => a.weight - b.weight).map(({ title, href, active }) => ({ title, href, active })) : [];
}

/** Everything page.njk gets. */
export interface PageVars {
  readonly title: string;
  readonly content: Markup;
  readonly messages: readonly Message[];
  readonly siteName: string;
  readonly account: { readonly uid: number; readonly name: string; readonly anonymous: boolean };
  readonly menus: Record<string, LinkView[]>;
  readonly tabs: readonly LinkView[];
  readonly stylesheets: readonly string[];
  /** Markup above the title and scripts to load, from 'http.page'. */
  readonly header: readonly Markup[];
  readonly scripts: readonly string[];
  readonly path: string;
  readonly status: number;
}

/** Render a whole page with its theme. */
export function renderPage(engine: ThemeRenderer, vars: PageVars): string {
  return engine.render('page', vars as unknown as Record<string, unknown>).html;
}
