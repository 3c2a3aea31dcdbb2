import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { pipeBetween, syncFolder } from '../executor/transfer.js';
import type { SiteDatabase } from '../service/types.js';
import { checkServed } from './checks.js';
import { changesServer, chooseTarget, dumpFor, inPlace, moveNote, noteMove, targetOf, writeAlias } from './move-target.js';
import { siteDbSecret } from './site-install.js';
import { appHostFor, service, siteDirOf, type SiteTaskContext } from './site-context.js';
import type { TaskStep } from '../runner/step.js';

/** Run a platform's own command line on the server of a task context. */
const cli = (t: SiteTaskContext, args: string[]) =>
  t.appExec.run([t.appExec.local ? process.execPath : 'node', `${t.platform.root}/bin/aegir`, ...args], { cwd: t.platform.root, timeoutMs: 30 * 60_000 });

const dbType = (t: SiteTaskContext): string => service(t, t.dbServer, 'db').impl.type;

/** Remove SQLite database files (with their journals) from a site folder's private/. */
async function removeSqliteFiles(t: SiteTaskContext, dir: string): Promise<void> {
  for (const f of await t.appExec.list(`${dir}/private`)) {
    if (/\.sqlite(3)?(-wal|-shm|-journal)?$|\.db$/.test(f)) await t.appExec.remove(`${dir}/private/${f}`);
  }
}

/** The new database's secret: under the new name, or beside the old one (`.next`) when the name stays. */
const nextSecret = (ctx: SiteTaskContext, t: SiteTaskContext): string => `${siteDbSecret(t.site.name)}${t.site.name === ctx.site.name ? '.next' : ''}`;

/** Serve a site as given (enabled or not) through its own server's app and http services. */
async function serveSite(t: SiteTaskContext, enabled: boolean): Promise<void> {
  const app = service(t, t.appServer, 'app');
  const up = await app.impl.ensure(app.env, t.platform);
  const http = service(t, t.appServer, 'http');
  await http.impl.writeSite(http.env, { ...t.site, enabled }, t.platform, up);
}

async function check(ctx: SiteTaskContext, clone: boolean): Promise<void> {
  noteMove(ctx, chooseTarget(ctx));
  const t = await targetOf(ctx);
  const bad = (problem: string): never => { throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.site.name, problem }); };
  if (clone && t.site.name === ctx.site.name) bad('a clone needs --new-name');
  if (!clone && t.platform.name === ctx.platform.name && t.dbServer.name === ctx.dbServer.name && t.site.name === ctx.site.name) {
    bad('nothing to migrate: give --platform, --db-server or --new-name');
  }
  if (t.site.name !== ctx.site.name && ctx.contexts.find(t.site.name)) throw new AegirError('ERR_SITE_EXISTS', { site: t.site.name });
  if (inPlace(ctx, t) && dbType(ctx) === 'sqlite' && dbType(t) === 'sqlite') {
    bad('a SQLite database lives in the site\'s own folder, so another SQLite server changes nothing: give a MySQL --db-server, or another --platform');
  }
  if (!(await t.appExec.exists(join(t.platform.root, 'profiles', ctx.site.profile, 'module.json')))) {
    throw new AegirError('ERR_PROFILE_MISSING', { platform: t.platform.name, profile: ctx.site.profile, available: (await t.appExec.list(join(t.platform.root, 'profiles'))).join(', ') || 'none' });
  }
  if (!inPlace(ctx, t) && (await t.appExec.exists(siteDirOf(t)))) throw new AegirError('ERR_SITE_DIR_EXISTS', { platform: t.platform.name, site: t.site.name });
  for (const kind of ['app', 'http'] as const) service(t, t.appServer, kind);
  service(t, t.dbServer, 'db');
  if (changesServer(ctx, t)) await t.appExec.run(['tar', '--version']);
}

/** Copy the site's folder and the dump to the target (or keep its settings, when only the database moves). */
async function copy(ctx: SiteTaskContext): Promise<void> {
  const t = await targetOf(ctx);
  const note = moveNote(ctx)!;
  if (inPlace(ctx, t)) {
    await ctx.appExec.run(['cp', '-p', '--', `${siteDirOf(ctx)}/settings.json`, `${note.workDir}/settings.json`]);
    return;
  }
  if (!changesServer(ctx, t)) {
    await syncFolder(ctx.appExec, siteDirOf(ctx), siteDirOf(t));
  } else {
    const work = (await t.appExec.run(['mktemp', '-d', '/tmp/aegir-move-XXXXXXXX'])).stdout.trim();
    noteMove(ctx, { targetWork: work });
    // One stream from server to server: the folder and the dump, through the back end.
    await pipeBetween(
      { exec: ctx.appExec, argv: ['tar', '-cf', '-', '-C', note.workDir!, 'database.sql', '-C', `${ctx.platform.root}/sites`, '--', ctx.site.name] },
      { exec: t.appExec, argv: ['tar', '-xf', '-', '-C', work] },
    );
    await t.appExec.run(['mv', '-T', '--', `${work}/${ctx.site.name}`, siteDirOf(t)]);
  }
  // The database comes from the dump, never from copied database files.
  await removeSqliteFiles(t, siteDirOf(t));
}

/**
 * Before the maintenance page: copy the site's folder to the target
 * platform while the site is still served, so that under maintenance only
 * what changed since is copied. Same server only; between servers the
 * folder streams under maintenance.
 */
async function precopy(ctx: SiteTaskContext): Promise<void> {
  const t = await targetOf(ctx);
  if (inPlace(ctx, t) || changesServer(ctx, t)) return;
  await ctx.appExec.run(['cp', '-a', '--', siteDirOf(ctx), siteDirOf(t)], { timeoutMs: 60 * 60_000 });
}

async function undoPrecopy(ctx: SiteTaskContext): Promise<void> {
  if (!moveNote(ctx)) return;
  const t = await targetOf(ctx);
  if (!inPlace(ctx, t) && !changesServer(ctx, t)) await t.appExec.remove(siteDirOf(t));
}

async function undoCopy(ctx: SiteTaskContext): Promise<void> {
  const note = moveNote(ctx);
  if (!note) return;
  const t = await targetOf(ctx);
  if (note.targetWork) await t.appExec.remove(note.targetWork);
  if (!inPlace(ctx, t)) return t.appExec.remove(siteDirOf(t));
  const saved = `${note.workDir}/settings.json`;
  if (!note.workDir || !(await ctx.appExec.exists(saved))) return;
  await ctx.appExec.run(['cp', '-p', '--', saved, `${siteDirOf(ctx)}/settings.json`]);
  // A SQLite database the import made beside the site's own MySQL one.
  if (dbType(ctx) !== 'sqlite') await removeSqliteFiles(ctx, siteDirOf(ctx));
}

async function database(ctx: SiteTaskContext, clone: boolean): Promise<void> {
  const t = await targetOf(ctx);
  const dbs = service(t, t.dbServer, 'db');
  const plan = dbs.impl.plan(dbs.env, t.site, appHostFor(t));
  ctx.logger.redact(plan.driver === 'mysql' ? plan.password : undefined);
  ctx.secrets.set(nextSecret(ctx, t), JSON.stringify(plan));
  await dbs.impl.create(dbs.env, plan, appHostFor(t));
  const file = `${siteDirOf(t)}/settings.json`;
  const settings = JSON.parse((await t.appExec.readFile(file)).toString('utf8')) as Record<string, unknown>;
  settings.database = plan.driver === 'sqlite' ? { driver: 'sqlite', file: 'private/site.sqlite' }
    : { driver: 'mysql', host: plan.host, port: plan.port, user: plan.user, password: plan.password, database: plan.database };
  // A clone is another site: its own salt, so tokens and links of one never work on the other.
  if (clone) settings.hashSalt = randomBytes(32).toString('base64url');
  await t.appExec.writeFile(file, JSON.stringify(settings, null, 2) + '\n', 0o640);
  await cli(t, [`--uri=${t.site.name}`, 'sql-import', `--file=${dumpFor(ctx, t)}`, '-q']);
}

async function undoDatabase(ctx: SiteTaskContext): Promise<void> {
  if (!moveNote(ctx)) return;
  const t = await targetOf(ctx);
  const stored = ctx.secrets.get(nextSecret(ctx, t));
  if (!stored) return;
  const dbs = service(t, t.dbServer, 'db');
  await dbs.impl.drop(dbs.env, JSON.parse(stored) as SiteDatabase, appHostFor(t));
  ctx.secrets.delete(nextSecret(ctx, t));
}

async function switchOver(ctx: SiteTaskContext, clone: boolean): Promise<void> {
  const t = await targetOf(ctx);
  // Under the same name the context moves only in the purge: until then it must still
  // name the source, so that the undo of an interrupted migrate finds the site.
  if (t.site.name !== ctx.site.name) ctx.contexts.save(t.site);
  if (!clone && (t.site.name !== ctx.site.name || changesServer(ctx, t))) {
    const http = service(ctx, ctx.appServer, 'http');
    await http.impl.removeSite(http.env, ctx.site);
  }
  await serveSite(t, t.site.enabled);
  const since = ctx.state.get('move.down') as number | undefined;
  if (since) ctx.state.set('move.unavailableMs', Date.now() - since);
  if (t.site.name !== ctx.site.name || changesServer(ctx, t)) writeAlias(ctx, t);
  if (changesServer(ctx, t) && !clone) ctx.logger.notice(`${t.site.name} is now served by @${t.appServer.name} (${t.appServer.host}): point its DNS there.`);
}

async function undoSwitch(ctx: SiteTaskContext, clone: boolean): Promise<void> {
  if (!moveNote(ctx)) return;
  const t = await targetOf(ctx);
  if (t.site.name !== ctx.site.name || changesServer(ctx, t)) {
    const http = service(t, t.appServer, 'http');
    await http.impl.removeSite(http.env, t.site);
  }
  if (t.site.name !== ctx.site.name) {
    if (ctx.contexts.find(t.site.name)) ctx.contexts.delete(t.site.name);
    rmSync(join(ctx.home, 'aliases', `${t.site.name}.json`), { force: true });
  }
  ctx.contexts.save(ctx.site);
  writeAlias(ctx, ctx);
  await serveSite(ctx, clone ? ctx.site.enabled : false);
}

/**
 * The point of no return of a migrate. Safe to run again, as the recovery
 * of an interrupted migrate does: the old database is dropped once (noted
 * in the journal, since under the same name its secret is then replaced by
 * the new one's), and the context is moved last, so a context that already
 * names the target means there is nothing left to do.
 */
async function purge(ctx: SiteTaskContext): Promise<void> {
  const t = await targetOf(ctx);
  const sameName = t.site.name === ctx.site.name;
  if (sameName && ctx.site.platform === t.platform.name && ctx.site.dbServer === t.dbServer.name) return removeWork(ctx);
  if (!inPlace(ctx, t)) await ctx.appExec.remove(siteDirOf(ctx));
  else if (dbType(ctx) === 'sqlite') await removeSqliteFiles(ctx, siteDirOf(ctx));
  const old = ctx.secrets.get(siteDbSecret(ctx.site.name));
  if (old && !moveNote(ctx)?.oldDbDropped) {
    const dbs = service(ctx, ctx.dbServer, 'db');
    await dbs.impl.drop(dbs.env, JSON.parse(old) as SiteDatabase, appHostFor(ctx));
    noteMove(ctx, { oldDbDropped: true });
  }
  const next = ctx.secrets.get(`${siteDbSecret(t.site.name)}.next`);
  if (next) ctx.secrets.set(siteDbSecret(t.site.name), next);
  ctx.secrets.delete(`${siteDbSecret(t.site.name)}.next`);
  await removeWork(ctx);
  if (sameName) {
    ctx.contexts.save(t.site);
  } else {
    ctx.secrets.delete(siteDbSecret(ctx.site.name));
    rmSync(join(ctx.home, 'aliases', `${ctx.site.name}.json`), { force: true });
    if (ctx.contexts.find(ctx.site.name)) ctx.contexts.delete(ctx.site.name);
  }
}

async function removeWork(ctx: SiteTaskContext): Promise<void> {
  const note = moveNote(ctx);
  if (note?.workDir) await ctx.appExec.remove(note.workDir);
  if (note?.targetWork) await (await targetOf(ctx)).appExec.remove(note.targetWork);
}

/**
 * The steps of provision-migrate (`clone` false) and provision-clone
 * (`clone` true). A migrate first copies the site's folder to a target
 * platform on the same server while the site is still served, then puts
 * the site in maintenance (the disabled page) while its database is dumped
 * and its folder brought up to date on the target (streamed to it whole
 * when that is on another server), imports the
 * dump into a new database on the target db server (a portable dump between
 * SQLite and MySQL), runs the target platform's updatedb, switches the
 * virtual host, checks the site answers, and only then removes the old
 * folder and database. A clone does the same under a new name, leaving the
 * original served. Any failure before the final purge puts everything back,
 * also after a crash: the target and working folders are noted in the
 * task's journal.
 */
export function moveSteps(clone: boolean): readonly { weight: number; step: TaskStep<SiteTaskContext> }[] {
  const what = clone ? 'clone' : 'migration';
  const steps: { weight: number; step: TaskStep<SiteTaskContext> }[] = [
    { weight: 10, step: { name: 'check', title: `Check the target of the ${what}`, run: (ctx) => check(ctx, clone) } },
    {
      weight: 30,
      step: {
        name: 'dump',
        title: 'Dump the site\'s database',
        async run(ctx) {
          const t = await targetOf(ctx);
          const dir = (await ctx.appExec.run(['mktemp', '-d', '/tmp/aegir-move-XXXXXXXX'])).stdout.trim();
          noteMove(ctx, { workDir: dir });
          // SQL speaks one driver's dialect; between SQLite and MySQL the dump is the portable one.
          const portable = dbType(ctx) !== dbType(t) ? ['--portable'] : [];
          await cli(ctx, [`--uri=${ctx.site.name}`, 'sql-dump', `--result-file=${dir}/database.sql`, ...portable, '-q']);
        },
        async undo(ctx) {
          const dir = moveNote(ctx)?.workDir;
          if (dir) await ctx.appExec.remove(dir);
        },
      },
    },
    { weight: 40, step: { name: 'copy', title: 'Copy the site\'s folder to the target platform (or keep its settings, when only the database moves)', run: copy, undo: undoCopy } },
    { weight: 50, step: { name: 'database', title: 'Create the target database and import the dump', run: (ctx) => database(ctx, clone), undo: undoDatabase } },
    {
      weight: 60,
      step: {
        name: 'updatedb',
        title: 'Run the target platform\'s pending updates',
        async run(ctx) {
          const t = await targetOf(ctx);
          await cli(t, [`--uri=${t.site.name}`, 'updatedb', '-y', '-q']);
        },
      },
    },
    { weight: 70, step: { name: 'switch', title: clone ? 'Serve the clone' : 'Serve the site from its new place', run: (ctx) => switchOver(ctx, clone), undo: (ctx) => undoSwitch(ctx, clone) } },
    { weight: 80, step: { name: 'served', title: 'Check that the site answers from its new place', run: async (ctx) => checkServed(await targetOf(ctx), 200) } },
  ];
  if (!clone) {
    steps.push({
      weight: 15,
      step: { name: 'precopy', title: 'Copy the site\'s folder to the target platform while the site is still served', run: precopy, undo: undoPrecopy },
    }, {
      weight: 20,
      step: {
        name: 'maintenance',
        title: 'Show the disabled page while the site moves',
        async run(ctx) {
          ctx.state.set('move.down', Date.now());
          await serveSite(ctx, false);
        },
        undo: (ctx) => serveSite(ctx, ctx.site.enabled),
      },
    }, { weight: 90, step: { name: 'purge', title: 'Remove the site\'s old folder and database', commit: true, run: purge } });
  } else {
    steps.push({ weight: 90, step: { name: 'cleanup', title: 'Remove the working copy of the dump', run: removeWork } });
  }
  return steps;
}

/** How long the site showed the disabled page during a migrate (ms), once it ran. */
export function unavailableMs(ctx: SiteTaskContext): number | undefined {
  return ctx.state.get('move.unavailableMs') as number | undefined;
}
