import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../../core/util/fs.js';
import type { PlatformContext, ServerContext, SiteProvisionContext } from '../context/types.js';
import type { SiteDatabase } from '../service/types.js';
import { checkServed } from './checks.js';
import { siteDbSecret } from './site-install.js';
import { appHostFor, service, siteDirOf, type SiteTaskContext } from './site-context.js';
import type { TaskStep } from './step.js';

/** Where a site goes: another platform, database server or name (any of them). */
export interface MoveTarget {
  readonly platform: PlatformContext;
  readonly dbServer: ServerContext;
  readonly name: string;
}

/** What a migrate or clone carries between its steps. */
interface MoveState {
  target: MoveTarget;
  workDir?: string;
  db?: SiteDatabase;
  unavailableSince?: number;
  unavailableMs?: number;
}

const st = (ctx: SiteTaskContext): MoveState => ctx.state.get('move') as MoveState;
const targetDir = (ctx: SiteTaskContext): string => `${st(ctx).target.platform.root}/sites/${st(ctx).target.name}`;
const targetSite = (ctx: SiteTaskContext): SiteProvisionContext => ({ ...ctx.site, name: st(ctx).target.name, platform: st(ctx).target.platform.name, dbServer: st(ctx).target.dbServer.name });
const cli = (ctx: SiteTaskContext, root: string, args: string[], input?: string) =>
  ctx.appExec.run([ctx.appExec.local ? process.execPath : 'node', `${root}/bin/aegir`, ...args], { cwd: root, timeoutMs: 30 * 60_000, ...(input !== undefined ? { input } : {}) });

/** Whether only the database moves: the site stays in its folder on its platform. */
const inPlace = (ctx: SiteTaskContext): boolean => targetDir(ctx) === siteDirOf(ctx);

/** Remove SQLite database files (with their journals) from a site folder's private/. */
async function removeSqliteFiles(ctx: SiteTaskContext, dir: string): Promise<void> {
  for (const f of await ctx.appExec.list(`${dir}/private`)) {
    if (/\.sqlite(3)?(-wal|-shm|-journal)?$|\.db$/.test(f)) await ctx.appExec.remove(`${dir}/private/${f}`);
  }
}

function moveTarget(ctx: SiteTaskContext): MoveTarget {
  const o = ctx.options;
  const platform = ctx.contexts.get(String(o.platform ?? ctx.platform.name).replace(/^@/, ''), 'platform');
  const dbServer = ctx.contexts.get(String(o.dbServer ?? ctx.dbServer.name).replace(/^@/, ''), 'server');
  return { platform, dbServer, name: String(o.newName ?? ctx.site.name) };
}

/**
 * The steps of provision-migrate (`clone` false) and provision-clone
 * (`clone` true). A migrate puts the site in maintenance (the disabled
 * page) while its database is dumped and its folder copied to the target
 * platform, imports the dump into a new database on the target db server,
 * runs the target platform's updatedb, switches the virtual host, checks
 * the site answers, and only then removes the old folder and database.
 * A clone does the same under a new name, leaving the original served.
 * Any failure before the final purge puts everything back.
 */
export function moveSteps(clone: boolean): readonly { weight: number; step: TaskStep<SiteTaskContext> }[] {
  const steps: { weight: number; step: TaskStep<SiteTaskContext> }[] = [
    {
      weight: 10,
      step: {
        name: 'check',
        title: `Check the target of the ${clone ? 'clone' : 'migration'}`,
        async run(ctx) {
          const target = moveTarget(ctx);
          ctx.state.set('move', { target } satisfies MoveState);
          const targetServer = ctx.contexts.get(target.platform.server, 'server');
          if (targetServer.name !== ctx.appServer.name) {
            throw new AegirError('ERR_CONTEXT_INVALID', { name: target.platform.name, problem: `it is on @${targetServer.name}; moving a site to another server is not supported yet (same server only)` });
          }
          if (clone && target.name === ctx.site.name) throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.site.name, problem: 'a clone needs --new-name' });
          if (!clone && target.platform.name === ctx.platform.name && target.dbServer.name === ctx.dbServer.name && target.name === ctx.site.name) {
            throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.site.name, problem: 'nothing to migrate: give --platform, --db-server or --new-name' });
          }
          if (target.name !== ctx.site.name && ctx.contexts.find(target.name)) throw new AegirError('ERR_SITE_EXISTS', { site: target.name });
          if (target.platform.name === ctx.platform.name && target.name === ctx.site.name
            && service(ctx, ctx.dbServer, 'db').impl.type === 'sqlite' && service(ctx, target.dbServer, 'db').impl.type === 'sqlite') {
            throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.site.name, problem: 'a SQLite database lives in the site\'s own folder, so another SQLite server changes nothing: give a MySQL --db-server, or another --platform' });
          }
          if (!(await ctx.appExec.exists(join(target.platform.root, 'profiles', ctx.site.profile, 'module.json')))) {
            throw new AegirError('ERR_PROFILE_MISSING', { platform: target.platform.name, profile: ctx.site.profile, available: (await ctx.appExec.list(join(target.platform.root, 'profiles'))).join(', ') || 'none' });
          }
          if (targetDir(ctx) !== siteDirOf(ctx) && (await ctx.appExec.exists(targetDir(ctx)))) {
            throw new AegirError('ERR_SITE_DIR_EXISTS', { platform: target.platform.name, site: target.name });
          }
          service(ctx, target.dbServer, 'db');
        },
      },
    },
    {
      weight: 30,
      step: {
        name: 'dump',
        title: 'Dump the site\'s database',
        async run(ctx) {
          const dir = (await ctx.appExec.run(['mktemp', '-d', '/tmp/aegir-move-XXXXXXXX'])).stdout.trim();
          st(ctx).workDir = dir;
          // SQL speaks one driver's dialect; between SQLite and MySQL the dump is the portable one.
          const portable = service(ctx, ctx.dbServer, 'db').impl.type !== service(ctx, st(ctx).target.dbServer, 'db').impl.type;
          await cli(ctx, ctx.platform.root, [`--uri=${ctx.site.name}`, 'sql-dump', `--result-file=${dir}/database.sql`, ...(portable ? ['--portable'] : []), '-q']);
        },
        async undo(ctx) {
          if (st(ctx)?.workDir) await ctx.appExec.remove(st(ctx).workDir!);
        },
      },
    },
    {
      weight: 40,
      step: {
        name: 'copy',
        title: 'Copy the site\'s folder to the target platform (or keep its settings, when only the database moves)',
        async run(ctx) {
          if (inPlace(ctx)) {
            // Only the database moves: keep the settings to put back.
            await ctx.appExec.run(['cp', '-p', '--', `${siteDirOf(ctx)}/settings.json`, `${st(ctx).workDir}/settings.json`]);
            return;
          }
          await ctx.appExec.run(['cp', '-a', '--', siteDirOf(ctx), targetDir(ctx)], { timeoutMs: 60 * 60_000 });
          // The database comes from the dump, never from copied database files.
          await removeSqliteFiles(ctx, targetDir(ctx));
        },
        async undo(ctx) {
          if (!st(ctx)) return;
          if (!inPlace(ctx)) return ctx.appExec.remove(targetDir(ctx));
          const saved = `${st(ctx).workDir}/settings.json`;
          if (!(await ctx.appExec.exists(saved))) return;
          await ctx.appExec.run(['cp', '-p', '--', saved, `${siteDirOf(ctx)}/settings.json`]);
          // A SQLite database the import made beside the site's own MySQL one.
          if (service(ctx, ctx.dbServer, 'db').impl.type !== 'sqlite') await removeSqliteFiles(ctx, siteDirOf(ctx));
        },
      },
    },
    {
      weight: 50,
      step: {
        name: 'database',
        title: 'Create the target database and import the dump',
        async run(ctx) {
          const s = st(ctx);
          const tsite = targetSite(ctx);
          const dbs = service(ctx, s.target.dbServer, 'db');
          const plan = dbs.impl.plan(dbs.env, tsite, appHostFor(ctx));
          s.db = plan;
          ctx.logger.redact(plan.driver === 'mysql' ? plan.password : undefined);
          if (s.target.name !== ctx.site.name) ctx.secrets.set(siteDbSecret(s.target.name), JSON.stringify(plan));
          else ctx.secrets.set(`${siteDbSecret(s.target.name)}.next`, JSON.stringify(plan));
          await dbs.impl.create(dbs.env, plan, appHostFor(ctx));
          const file = `${targetDir(ctx)}/settings.json`;
          const settings = JSON.parse((await ctx.appExec.readFile(file)).toString('utf8')) as Record<string, unknown>;
          settings.database = plan.driver === 'sqlite' ? { driver: 'sqlite', file: 'private/site.sqlite' }
            : { driver: 'mysql', host: plan.host, port: plan.port, user: plan.user, password: plan.password, database: plan.database };
          // A clone is another site: its own salt, so tokens and links of one never work on the other.
          if (clone) settings.hashSalt = randomBytes(32).toString('base64url');
          await ctx.appExec.writeFile(file, JSON.stringify(settings, null, 2) + '\n', 0o640);
          await cli(ctx, s.target.platform.root, [`--uri=${s.target.name}`, 'sql-import', `--file=${s.workDir}/database.sql`, '-q']);
        },
        async undo(ctx) {
          const s = st(ctx);
          if (!s?.db) return;
          const dbs = service(ctx, s.target.dbServer, 'db');
          await dbs.impl.drop(dbs.env, s.db, appHostFor(ctx));
          if (s.target.name !== ctx.site.name) ctx.secrets.delete(siteDbSecret(s.target.name));
          ctx.secrets.delete(`${siteDbSecret(s.target.name)}.next`);
        },
      },
    },
    {
      weight: 60,
      step: {
        name: 'updatedb',
        title: 'Run the target platform\'s pending updates',
        async run(ctx) {
          await cli(ctx, st(ctx).target.platform.root, [`--uri=${st(ctx).target.name}`, 'updatedb', '-y', '-q']);
        },
      },
    },
    {
      weight: 70,
      step: {
        name: 'switch',
        title: clone ? 'Serve the clone' : 'Serve the site from its new place',
        async run(ctx) {
          const s = st(ctx);
          const tsite = targetSite(ctx);
          ctx.contexts.save(tsite);
          const app = service(ctx, ctx.appServer, 'app');
          const up = await app.impl.ensure(app.env, s.target.platform);
          const http = service(ctx, ctx.appServer, 'http');
          if (!clone && tsite.name !== ctx.site.name) await http.impl.removeSite(http.env, ctx.site);
          await http.impl.writeSite(http.env, tsite, s.target.platform, up);
          if (s.unavailableSince) s.unavailableMs = Date.now() - s.unavailableSince;
          if (ctx.appExec.local) {
            writeFileAtomic(join(ctx.home, 'aliases', `${tsite.name}.json`), JSON.stringify({ root: s.target.platform.root, uri: tsite.name }, null, 2) + '\n', 0o640);
          }
        },
        async undo(ctx) {
          const s = st(ctx);
          if (!s) return;
          const http = service(ctx, ctx.appServer, 'http');
          if (s.target.name !== ctx.site.name) {
            await http.impl.removeSite(http.env, targetSite(ctx));
            if (ctx.contexts.find(s.target.name)) ctx.contexts.delete(s.target.name);
            rmSync(join(ctx.home, 'aliases', `${s.target.name}.json`), { force: true });
          }
          ctx.contexts.save(ctx.site);
          if (ctx.appExec.local) writeFileAtomic(join(ctx.home, 'aliases', `${ctx.site.name}.json`), JSON.stringify({ root: ctx.platform.root, uri: ctx.site.name }, null, 2) + '\n', 0o640);
          const app = service(ctx, ctx.appServer, 'app');
          const up = await app.impl.ensure(app.env, ctx.platform);
          await http.impl.writeSite(http.env, { ...ctx.site, enabled: clone ? ctx.site.enabled : false }, ctx.platform, up);
        },
      },
    },
    {
      weight: 80,
      step: {
        name: 'served',
        title: 'Check that the site answers from its new place',
        run: (ctx) => checkServed({ ...ctx, site: targetSite(ctx) }, 200),
      },
    },
  ];
  if (!clone) {
    steps.push({
      weight: 20,
      step: {
        name: 'maintenance',
        title: 'Show the disabled page while the site moves',
        async run(ctx) {
          st(ctx).unavailableSince = Date.now();
          const app = service(ctx, ctx.appServer, 'app');
          const up = await app.impl.ensure(app.env, ctx.platform);
          const http = service(ctx, ctx.appServer, 'http');
          await http.impl.writeSite(http.env, { ...ctx.site, enabled: false }, ctx.platform, up);
        },
        async undo(ctx) {
          const app = service(ctx, ctx.appServer, 'app');
          const up = await app.impl.ensure(app.env, ctx.platform);
          const http = service(ctx, ctx.appServer, 'http');
          await http.impl.writeSite(http.env, ctx.site, ctx.platform, up);
        },
      },
    }, {
      weight: 90,
      step: {
        name: 'purge',
        title: 'Remove the site\'s old folder and database',
        commit: true,
        async run(ctx) {
          const s = st(ctx);
          if (!inPlace(ctx)) await ctx.appExec.remove(siteDirOf(ctx));
          else if (service(ctx, ctx.dbServer, 'db').impl.type === 'sqlite') await removeSqliteFiles(ctx, siteDirOf(ctx));
          const old = ctx.secrets.get(siteDbSecret(ctx.site.name));
          if (old) {
            const dbs = service(ctx, ctx.dbServer, 'db');
            await dbs.impl.drop(dbs.env, JSON.parse(old) as SiteDatabase, appHostFor(ctx));
          }
          const next = ctx.secrets.get(`${siteDbSecret(s.target.name)}.next`);
          if (next) ctx.secrets.set(siteDbSecret(s.target.name), next);
          ctx.secrets.delete(`${siteDbSecret(s.target.name)}.next`);
          if (s.target.name !== ctx.site.name) {
            ctx.secrets.delete(siteDbSecret(ctx.site.name));
            rmSync(join(ctx.home, 'aliases', `${ctx.site.name}.json`), { force: true });
            if (ctx.contexts.find(ctx.site.name)) ctx.contexts.delete(ctx.site.name);
          }
          if (s.workDir) await ctx.appExec.remove(s.workDir);
        },
      },
    });
  } else {
    steps.push({
      weight: 90,
      step: {
        name: 'cleanup',
        title: 'Remove the working copy of the dump',
        async run(ctx) {
          if (st(ctx).workDir) await ctx.appExec.remove(st(ctx).workDir!);
        },
      },
    });
  }
  return steps;
}

/** How long the site showed the disabled page during a migrate (ms), once it ran. */
export function unavailableMs(ctx: SiteTaskContext): number | undefined {
  return (ctx.state.get('move') as MoveState | undefined)?.unavailableMs;
}
