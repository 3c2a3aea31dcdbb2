import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { removeAlias, writeAlias } from './alias.js';
import { checkServed } from './checks.js';
import { dropStoredDatabase, siteDbSecret } from './site-install.js';
import { service, siteClaims, siteDirOf, type SiteTaskContext } from './site-context.js';

const asideDir = (ctx: SiteTaskContext): string => `${ctx.platform.root}/sites/.deleting-${ctx.site.name}`;

/** Serve a site as its context says (or `enabled`): its platform's app running, its virtual host written. */
export async function serveSite(ctx: SiteTaskContext, enabled = ctx.site.enabled): Promise<void> {
  const app = service(ctx, ctx.appServer, 'app');
  const up = await app.impl.ensure(app.env, ctx.platform);
  const http = service(ctx, ctx.appServer, 'http');
  await http.impl.writeSite(http.env, { ...ctx.site, enabled }, ctx.platform, up);
}

/** Whether the site has a virtual host (a route) on its web server now. */
export async function isServed(ctx: SiteTaskContext): Promise<boolean> {
  const { impl, env } = service(ctx, ctx.appServer, 'http');
  return impl.hasSite(env, ctx.site);
}

/**
 * The steps of provision-delete. Everything is reversible until the last
 * step: the site's folder is moved aside (not removed) and its database is
 * only dropped at the end, so a failure anywhere before puts the site back
 * as it was, still served.
 */
export const deleteSteps: readonly WeightedStep<SiteTaskContext>[] = [
  {
    weight: 10,
    step: {
      name: 'unserve',
      title: 'Remove the site\'s virtual host',
      async run(ctx) {
        ctx.notes.set('delete.served', await isServed(ctx));
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        await impl.removeSite(env, ctx.site);
      },
      async undo(ctx) {
        if (!ctx.notes.get<boolean>('delete.served') || (await isServed(ctx))) return false;
        await serveSite(ctx);
        return true;
      },
    },
  },
  {
    weight: 20,
    step: {
      name: 'files-aside',
      title: 'Move the site\'s folder aside',
      async run(ctx) {
        if (await ctx.appExec.exists(siteDirOf(ctx))) await ctx.appExec.rename(siteDirOf(ctx), asideDir(ctx));
      },
      async undo(ctx) {
        if (!(await ctx.appExec.exists(asideDir(ctx))) || (await ctx.appExec.exists(siteDirOf(ctx)))) return false;
        await ctx.appExec.rename(asideDir(ctx), siteDirOf(ctx));
        return true;
      },
    },
  },
  {
    weight: 30,
    step: {
      name: 'alias',
      title: 'Remove the site\'s command-line alias',
      async run(ctx) {
        // Noted before it goes, so that the undo of a task killed right after still puts it back.
        ctx.notes.set('delete.alias', ctx.appExec.local);
        removeAlias(ctx.home, ctx.site.name);
      },
      async undo(ctx) {
        return ctx.notes.get<boolean>('delete.alias') === true && writeAlias(ctx);
      },
    },
  },
  {
    weight: 90,
    step: {
      name: 'purge',
      title: 'Drop the site\'s database, remove its files and its context for good',
      commit: true,
      async run(ctx) {
        await dropStoredDatabase(ctx, ctx, siteDbSecret(ctx.site.name));
        await ctx.appExec.remove(asideDir(ctx));
        if (ctx.contexts.find(ctx.site.name)) ctx.contexts.delete(ctx.site.name);
      },
    },
  },
];

/** provision-delete of a site. */
export const deleteTask = defineTask({
  name: 'delete',
  on: 'site',
  command: 'provision-delete',
  description: 'Delete a site: virtual host, files, alias, database and user, and its context (reversible until the final purge).',
  steps: deleteSteps,
  claims: siteClaims,
  result(ctx) {
    ctx.logger.success(`Deleted ${ctx.site.name}.`);
    return { data: { site: ctx.site.name } };
  },
});

/** The steps of provision-disable (enabled = false) and provision-enable (true): rewrite the virtual host and check what it serves. */
function switchSteps(enabled: boolean): readonly WeightedStep<SiteTaskContext>[] {
  return [
    {
      weight: 10,
      step: {
        name: enabled ? 'enable' : 'disable',
        title: enabled ? 'Serve the site again' : 'Serve the disabled page instead of the site',
        async run(ctx) {
          ctx.notes.set('switch.was', ctx.site.enabled);
          const site = ctx.contexts.save({ ...ctx.site, enabled }) as typeof ctx.site;
          await serveSite({ ...ctx, site });
        },
        async undo(ctx) {
          // The context changes first: when it still says what it said, nothing else changed either.
          const was = ctx.notes.get<boolean>('switch.was');
          const now = ctx.contexts.get(ctx.site.name, 'site');
          if (was === undefined || now.enabled === was) return false;
          const site = ctx.contexts.save({ ...now, enabled: was }) as typeof ctx.site;
          await serveSite({ ...ctx, site });
          return true;
        },
      },
    },
    {
      weight: 20,
      step: {
        name: 'served',
        title: 'Check what the web server answers',
        run: (ctx) => checkServed({ ...ctx, site: { ...ctx.site, enabled } }, enabled ? 200 : 503),
      },
    },
  ];
}

/** provision-disable. */
export const disableTask = defineTask({
  name: 'disable',
  on: 'site',
  command: 'provision-disable',
  description: 'Disable the site of the @context: its domains serve the "site disabled" page (503) until it is enabled again.',
  steps: switchSteps(false),
  claims: siteClaims,
  result(ctx) {
    ctx.logger.success(`Disabled ${ctx.site.name}.`);
    return { data: { site: ctx.site.name, enabled: false } };
  },
});

/** provision-enable. */
export const enableTask = defineTask({
  name: 'enable',
  on: 'site',
  command: 'provision-enable',
  description: 'Enable the site of the @context again.',
  steps: switchSteps(true),
  claims: siteClaims,
  result(ctx) {
    ctx.logger.success(`Enabled ${ctx.site.name}.`);
    return { data: { site: ctx.site.name, enabled: true } };
  },
});
