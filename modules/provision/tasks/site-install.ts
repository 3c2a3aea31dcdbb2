import { join } from 'node:path';
import { AegirError, describe, isAegirError } from '../../../core/errors/aegir-error.js';
import { readModuleReports, type ModuleReport } from '../../system/module-report.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import type { SiteDatabase, Upstream } from '../service/types.js';
import { removeAlias, writeAlias } from './alias.js';
import { checkServed } from './checks.js';
import { appHostFor, platformAegir, service, siteClaims, siteDirOf, type SiteTaskContext } from './site-context.js';

/** Secret key of a site's database settings. */
export function siteDbSecret(site: string): string {
  return `site.${site}.db`;
}

/** The database URL a site's settings get (without its password, which travels on stdin). */
export function dbUrlOf(db: SiteDatabase): string {
  return db.driver === 'sqlite' ? 'sqlite:' : `mysql://${db.user}@${db.host}:${db.port}/${db.database}`;
}

/** The database a secret describes (a site's, or a planned one), if the secret is there. */
export function storedDatabase(ctx: SiteTaskContext, key: string): SiteDatabase | undefined {
  const s = ctx.secrets.get(key);
  return s ? (JSON.parse(s) as SiteDatabase) : undefined;
}

/** Drop the database a secret describes and the secret itself; resolves with whether anything was there. */
export async function dropStoredDatabase(ctx: SiteTaskContext, t: SiteTaskContext, key: string): Promise<boolean> {
  const plan = storedDatabase(ctx, key);
  let dropped = false;
  if (plan) {
    const { impl, env } = service(t, t.dbServer, 'db');
    dropped = await impl.drop(env, plan, appHostFor(t));
  }
  return ctx.secrets.delete(key) || dropped;
}

/**
 * The site's enabled modules and profile with their versions, as the
 * platform's own `pm-list` reports them (vcs_deploy's versions where the
 * platform has it), for the front end to record; a verify and an install
 * report them in their result. A listing that fails, or prints no valid
 * report (ERR_PLATFORM_OUTPUT_INVALID), is a warning and no list: the site
 * itself is fine, and the front end keeps what it knew.
 */
export async function siteModules(ctx: SiteTaskContext): Promise<ModuleReport[] | undefined> {
  const command = 'pm-list';
  try {
    const { stdout } = await platformAegir(ctx, [`--uri=${ctx.site.name}`, command, '--status=enabled', '--format=json', '-q'], { timeoutMs: 2 * 60_000 });
    let raw: unknown;
    try { raw = JSON.parse(stdout); } catch { raw = undefined; }
    const read = raw === undefined ? { problem: 'its output is not JSON' } : readModuleReports(raw);
    if ('problem' in read) throw new AegirError('ERR_PLATFORM_OUTPUT_INVALID', { command, platform: ctx.platform.name, problem: read.problem, root: ctx.platform.root });
    return read.modules;
  } catch (e) {
    ctx.logger.warning(`The site's modules were not listed, so the front end keeps what it knew of them: ${isAegirError(e) ? `[${e.code}] ` : ''}${describe(e)}`);
    return undefined;
  }
}

/**
 * The step that lists the site's modules for the task's result (it
 * changes nothing). An install has them already when the platform's
 * site-install reported them; then no pm-list runs.
 */
export const modulesStep = {
  name: 'modules',
  title: 'List the site\'s enabled modules with their versions',
  async run(ctx: SiteTaskContext) {
    const known = ctx.state.get('modules') as ModuleReport[] | undefined;
    if (known) ctx.logger.debug(`site-install reported ${known.length} enabled modules and profiles: no pm-list needed.`);
    else ctx.state.set('modules', await siteModules(ctx));
  },
};

/**
 * The enabled modules a platform's `site-install --format=json` reported
 * for the new site, or undefined when it reported none or something
 * unreadable (a platform of an older version: pm-list then lists them).
 */
export function installedModules(stdout: string): ModuleReport[] | undefined {
  let raw: unknown;
  try { raw = JSON.parse(stdout); } catch { return undefined; }
  const list = typeof raw === 'object' && raw !== null ? (raw as { modules?: unknown }).modules : undefined;
  if (list === undefined) return undefined;
  const read = readModuleReports(list);
  return 'problem' in read ? undefined : read.modules;
}

/** The steps of provision-install, before other modules' contributions are placed among them. */
export const installSteps: readonly WeightedStep<SiteTaskContext>[] = [
  {
    weight: 10,
    step: {
      name: 'check',
      title: 'Check the platform, the profile and the services',
      async run(ctx) {
        const root = ctx.platform.root;
        if (!(await ctx.appExec.exists(join(root, 'bin', 'aegir')))) {
          throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.platform.name, problem: `${root} on @${ctx.appServer.name} is not a codebase (no bin/aegir); verify the platform first` });
        }
        if (!(await ctx.appExec.exists(join(root, 'profiles', ctx.site.profile, 'module.json')))) {
          throw new AegirError('ERR_PROFILE_MISSING', { platform: ctx.platform.name, profile: ctx.site.profile, available: (await ctx.appExec.list(join(root, 'profiles'))).join(', ') || 'none' });
        }
        if (await ctx.appExec.exists(siteDirOf(ctx))) throw new AegirError('ERR_SITE_DIR_EXISTS', { platform: ctx.platform.name, site: ctx.site.name });
        service(ctx, ctx.dbServer, 'db');
        service(ctx, ctx.appServer, 'app');
        service(ctx, ctx.appServer, 'http');
      },
    },
  },
  {
    weight: 20,
    step: {
      name: 'database',
      title: 'Create the site\'s database and its user',
      async run(ctx) {
        const { impl, env } = service(ctx, ctx.dbServer, 'db');
        const plan = impl.plan(env, ctx.site, appHostFor(ctx));
        ctx.state.set('db', plan);
        ctx.logger.redact(plan.driver === 'mysql' ? plan.password : undefined);
        // Kept before anything exists, so an undo (even after a crash) knows what to drop.
        ctx.secrets.set(siteDbSecret(ctx.site.name), JSON.stringify(plan));
        await impl.create(env, plan, appHostFor(ctx));
      },
      undo: (ctx) => dropStoredDatabase(ctx, ctx, siteDbSecret(ctx.site.name)),
    },
  },
  {
    weight: 30,
    step: {
      name: 'site-install',
      title: 'Install the site on its platform',
      async run(ctx) {
        const plan = ctx.state.get('db') as SiteDatabase;
        const { stdout } = await platformAegir(ctx, [
          'site-install', ctx.site.profile, `--uri=${ctx.site.name}`, `--sites-subdir=${ctx.site.name}`,
          `--db-url=${dbUrlOf(plan)}`, ...(plan.driver === 'mysql' ? ['--db-pass-file=-'] : []),
          `--account-mail=admin@${ctx.site.name}`, `--site-name=${ctx.site.name}`, '--format=json', '-q',
        ], plan.driver === 'mysql' ? { input: plan.password } : {});
        // Its report of the new site's modules spares the modules step a pm-list (one start of the platform less).
        const modules = installedModules(stdout);
        if (modules) ctx.state.set('modules', modules);
      },
      undo: (ctx) => ctx.appExec.remove(siteDirOf(ctx)),
    },
  },
  {
    weight: 40,
    step: {
      name: 'app',
      title: 'Make sure the platform\'s app process runs',
      async run(ctx) {
        const { impl, env } = service(ctx, ctx.appServer, 'app');
        ctx.state.set('upstream', await impl.ensure(env, ctx.platform));
      },
    },
  },
  {
    weight: 50,
    step: {
      name: 'http',
      title: 'Write the site\'s virtual host and reload the web server',
      async run(ctx) {
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        await impl.writeSite(env, ctx.site, ctx.platform, ctx.state.get('upstream') as Upstream);
      },
      async undo(ctx) {
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        return impl.removeSite(env, ctx.site);
      },
    },
  },
  {
    weight: 60,
    step: {
      name: 'alias',
      title: 'Write the site\'s command-line alias',
      async run(ctx) {
        writeAlias(ctx);
      },
      undo: async (ctx) => removeAlias(ctx.home, ctx.site.name),
    },
  },
  {
    weight: 70,
    step: {
      name: 'served',
      title: 'Check that the site answers through the web server',
      async run(ctx) {
        await checkServed(ctx, 200);
      },
    },
  },
  { weight: 80, step: modulesStep },
];

/** provision-install. */
export const installTask = defineTask({
  name: 'install',
  on: 'site',
  command: 'provision-install',
  description: 'Install the site of the @context: database and user, the platform\'s site-install, app process, virtual host, alias; everything rolled back on failure.',
  examples: ['aegir @example.com provision-install'],
  steps: installSteps,
  claims: siteClaims,
  // What the check refuses with its own code: nothing was changed yet.
  refusals: ['ERR_PROFILE_MISSING', 'ERR_SITE_DIR_EXISTS', 'ERR_CONTEXT_INVALID'],
  result(ctx, elapsedMs) {
    ctx.logger.success(`Installed ${ctx.site.name} on @${ctx.platform.name} in ${(elapsedMs / 1000).toFixed(1)} s.`);
    const modules = ctx.state.get('modules') as ModuleReport[] | undefined;
    return { data: { site: ctx.site.name, platform: ctx.platform.name, elapsedMs, ...(modules ? { modules: modules as never } : {}) } };
  },
});
