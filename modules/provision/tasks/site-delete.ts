import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../core/util/fs.js';
import type { SiteDatabase, Upstream } from '../service/types.js';
import { checkServed } from './checks.js';
import { siteDbSecret } from './site-install.js';
import { appHostFor, service, siteDirOf, type SiteTaskContext } from './site-context.js';
import type { TaskStep } from '../runner/step.js';

const asideDir = (ctx: SiteTaskContext): string => `${ctx.platform.root}/sites/.deleting-${ctx.site.name}`;

function storedDb(ctx: SiteTaskContext): SiteDatabase | undefined {
  const s = ctx.secrets.get(siteDbSecret(ctx.site.name));
  return s ? (JSON.parse(s) as SiteDatabase) : undefined;
}

/**
 * The steps of provision-delete. Everything is reversible until the last
 * step: the site's folder is moved aside (not removed) and its database is
 * only dropped at the end, so a failure anywhere before puts the site back
 * as it was, still served.
 */
export const deleteSteps: readonly { weight: number; step: TaskStep<SiteTaskContext> }[] = [
  {
    weight: 10,
    step: {
      name: 'unserve',
      title: 'Remove the site\'s virtual host',
      async run(ctx) {
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        await impl.removeSite(env, ctx.site);
      },
      async undo(ctx) {
        const app = service(ctx, ctx.appServer, 'app');
        const up: Upstream = await app.impl.ensure(app.env, ctx.platform);
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        await impl.writeSite(env, ctx.site, ctx.platform, up);
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
        if (await ctx.appExec.exists(asideDir(ctx)) && !(await ctx.appExec.exists(siteDirOf(ctx)))) await ctx.appExec.rename(asideDir(ctx), siteDirOf(ctx));
      },
    },
  },
  {
    weight: 30,
    step: {
      name: 'alias',
      title: 'Remove the site\'s command-line alias',
      async run(ctx) {
        const file = join(ctx.home, 'aliases', `${ctx.site.name}.json`);
        ctx.state.set('alias', await ctx.appExec.exists(file));
        rmSync(file, { force: true });
      },
      async undo(ctx) {
        if (!ctx.state.get('alias') || !ctx.appExec.local) return;
        writeFileAtomic(join(ctx.home, 'aliases', `${ctx.site.name}.json`), JSON.stringify({ root: ctx.platform.root, uri: ctx.site.name }, null, 2) + '\n', 0o640);
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
        const db = storedDb(ctx);
        if (db) {
          const { impl, env } = service(ctx, ctx.dbServer, 'db');
          await impl.drop(env, db, appHostFor(ctx));
        }
        await ctx.appExec.remove(asideDir(ctx));
        ctx.secrets.delete(siteDbSecret(ctx.site.name));
        if (ctx.contexts.find(ctx.site.name)) ctx.contexts.delete(ctx.site.name);
      },
    },
  },
];

/** The steps of provision-disable (enabled = false) and provision-enable (true): rewrite the virtual host and check what it serves. */
export function switchSteps(enabled: boolean): readonly { weight: number; step: TaskStep<SiteTaskContext> }[] {
  const write = async (ctx: SiteTaskContext, on: boolean): Promise<void> => {
    const site = ctx.contexts.save({ ...ctx.site, enabled: on });
    const app = service(ctx, ctx.appServer, 'app');
    const up = await app.impl.ensure(app.env, ctx.platform);
    const { impl, env } = service(ctx, ctx.appServer, 'http');
    await impl.writeSite(env, site as typeof ctx.site, ctx.platform, up);
  };
  return [
    {
      weight: 10,
      step: {
        name: enabled ? 'enable' : 'disable',
        title: enabled ? 'Serve the site again' : 'Serve the disabled page instead of the site',
        run: (ctx) => write(ctx, enabled),
        undo: (ctx) => write(ctx, ctx.site.enabled),
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
