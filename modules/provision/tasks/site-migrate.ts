import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { firstUnsafe, listTree } from '../backup/tree.js';
import { pipeBetween, syncFolder } from '../executor/transfer.js';
import { isDomain, typeOfName } from '../context/validate.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { removeAlias, writeAlias } from './alias.js';
import { checkServed } from './checks.js';
import { changesServer, chooseTarget, dumpFor, inPlace, moveClaims, moveNote, noteMove, targetOf } from './move-target.js';
import { isServed, serveSite } from './site-delete.js';
import { dropStoredDatabase, siteDbSecret, storedDatabase } from './site-install.js';
import { appHostFor, service, siteDirOf, type SiteTaskContext } from './site-context.js';

/** Run a platform's own command line on the server of a task context. */
const cli = (t: SiteTaskContext, args: string[]) =>
  t.appExec.run([t.appExec.local ? process.execPath : 'node', `${t.platform.root}/bin/aegir`, ...args], { cwd: t.platform.root, timeoutMs: 30 * 60_000 });

const dbType = (t: SiteTaskContext): string => service(t, t.dbServer, 'db').impl.type;

/** Remove SQLite database files (with their journals) from a site folder's private/; resolves with whether there were any. */
async function removeSqliteFiles(t: SiteTaskContext, dir: string): Promise<boolean> {
  let removed = false;
  for (const f of await t.appExec.list(`${dir}/private`)) {
    if (/\.sqlite(3)?(-wal|-shm|-journal)?$|\.db$/.test(f)) removed = (await t.appExec.remove(`${dir}/private/${f}`)) || removed;
  }
  return removed;
}

/**
 * A new working folder (mode 0700) for a move on the server of `t`: under
 * the Aegir home's work/ on this machine, beside the backups, in /tmp on a
 * server reached over SSH.
 */
async function workFolder(t: SiteTaskContext): Promise<string> {
  const base = t.appExec.local ? `${t.home}/work` : '/tmp';
  if (t.appExec.local) await t.appExec.mkdir(base, 0o700);
  return (await t.appExec.run(['mktemp', '-d', `${base}/aegir-move-XXXXXXXX`])).stdout.trim();
}

/** The new database's secret: under the new name, or beside the old one (`.next`) when the name stays. */
const nextSecret = (ctx: SiteTaskContext, t: SiteTaskContext): string => `${siteDbSecret(t.site.name)}${t.site.name === ctx.site.name ? '.next' : ''}`;

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
  // Links out of the folder would be carried to the target and served from there.
  const unsafe = firstUnsafe(await listTree(ctx.appExec, siteDirOf(ctx)));
  if (unsafe) throw new AegirError('ERR_PATH_INVALID', { path: siteDirOf(ctx), problem: `${unsafe}; replace it with a copy of what it points at, or remove it, then ${clone ? 'clone' : 'migrate'} again` });
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
    const work = await workFolder(t);
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

async function undoPrecopy(ctx: SiteTaskContext): Promise<boolean> {
  if (!moveNote(ctx)) return false;
  const t = await targetOf(ctx);
  return !inPlace(ctx, t) && !changesServer(ctx, t) && (await t.appExec.remove(siteDirOf(t)));
}

async function undoCopy(ctx: SiteTaskContext): Promise<boolean> {
  const note = moveNote(ctx);
  if (!note) return false;
  const t = await targetOf(ctx);
  const work = note.targetWork ? await t.appExec.remove(note.targetWork) : false;
  if (!inPlace(ctx, t)) return (await t.appExec.remove(siteDirOf(t))) || work;
  const saved = `${note.workDir}/settings.json`;
  const current = `${siteDirOf(ctx)}/settings.json`;
  if (!note.workDir || !(await ctx.appExec.exists(saved))) return work;
  let changed = false;
  if (!(await ctx.appExec.readFile(saved)).equals(await ctx.appExec.readFile(current))) {
    await ctx.appExec.run(['cp', '-p', '--', saved, current]);
    changed = true;
  }
  // A SQLite database the import made beside the site's own MySQL one.
  if (dbType(ctx) !== 'sqlite') changed = (await removeSqliteFiles(ctx, siteDirOf(ctx))) || changed;
  return changed || work;
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

async function undoDatabase(ctx: SiteTaskContext): Promise<boolean> {
  if (!moveNote(ctx)) return false;
  const t = await targetOf(ctx);
  return dropStoredDatabase(ctx, t, nextSecret(ctx, t));
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
  await serveSite(t);
  const since = ctx.state.get('move.down') as number | undefined;
  if (since) ctx.state.set('move.unavailableMs', Date.now() - since);
  // Everything that points at the site follows it: the alias too, also to another platform of the same server.
  writeAlias(t);
  if (changesServer(ctx, t) && !clone) ctx.logger.notice(`${t.site.name} is now served by @${t.appServer.name} (${t.appServer.host}): point its DNS there.`);
}

async function undoSwitch(ctx: SiteTaskContext, clone: boolean): Promise<boolean> {
  if (!moveNote(ctx)) return false;
  const t = await targetOf(ctx);
  let changed = false;
  if (t.site.name !== ctx.site.name || changesServer(ctx, t)) {
    const http = service(t, t.appServer, 'http');
    changed = (await http.impl.removeSite(http.env, t.site)) || changed;
  }
  if (t.site.name !== ctx.site.name) {
    if (ctx.contexts.find(t.site.name)) {
      ctx.contexts.delete(t.site.name);
      changed = true;
    }
    changed = removeAlias(ctx.home, t.site.name) || changed;
  }
  changed = writeAlias(ctx) || changed;
  if (!(await isServed(ctx))) {
    // A migrate's source goes back to its maintenance page (the maintenance step's undo serves it again).
    await serveSite(ctx, clone ? ctx.site.enabled : false);
    changed = true;
  }
  return changed;
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
  const old = storedDatabase(ctx, siteDbSecret(ctx.site.name));
  if (old && !moveNote(ctx)?.oldDbDropped) {
    const dbs = service(ctx, ctx.dbServer, 'db');
    await dbs.impl.drop(dbs.env, old, appHostFor(ctx));
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
    removeAlias(ctx.home, ctx.site.name);
    if (ctx.contexts.find(ctx.site.name)) ctx.contexts.delete(ctx.site.name);
  }
}

async function removeWork(ctx: SiteTaskContext): Promise<void> {
  const note = moveNote(ctx);
  if (note?.workDir) await ctx.appExec.remove(note.workDir);
  if (note?.targetWork) await (await targetOf(ctx)).appExec.remove(note.targetWork);
}

/** Check a move's options before anything is held or changed: names that are contexts of the right kind, a domain. */
function checkMoveOptions(ctx: SiteTaskContext, clone: boolean): void {
  const t = chooseTarget(ctx);
  const bad = (option: string, problem: string): never => { throw new AegirError('ERR_CLI_OPTION_VALUE', { option, command: clone ? 'provision-clone' : 'provision-migrate', problem }); };
  if (typeOfName(t.platform) !== 'platform') bad('platform', `"${t.platform}" is not a platform context name (platform_<name>)`);
  if (typeOfName(t.dbServer) !== 'server') bad('db-server', `"${t.dbServer}" is not a server context name (server_<name>)`);
  if (!isDomain(t.name)) bad('new-name', `"${t.name}" is not a domain (RFC 1123, lower case)`);
  ctx.contexts.get(t.platform, 'platform');
  ctx.contexts.get(t.dbServer, 'server');
}

/** What a move's check refuses with its own code (nothing was changed yet). */
const MOVE_REFUSALS = ['ERR_PATH_INVALID', 'ERR_SITE_EXISTS', 'ERR_SITE_DIR_EXISTS', 'ERR_PROFILE_MISSING', 'ERR_CONTEXT_INVALID'] as const;

const MOVE_OPTIONS = {
  platform: { type: 'string', description: 'Target platform context', valueName: '@PLATFORM' },
  'db-server': { type: 'string', description: 'Target database server context', valueName: '@SERVER' },
  'new-name': { type: 'string', description: 'New domain of the site', valueName: 'DOMAIN' },
} as const;

/** provision-migrate. */
export const migrateTask = defineTask({
  name: 'migrate',
  on: 'site',
  command: 'provision-migrate',
  description: 'Move the site of the @context to another platform (also on another server), database server or name: maintenance page, dump, copy, import, target updatedb, switch, check, then remove the old copy. Reports how long the site was unavailable.',
  options: MOVE_OPTIONS,
  examples: ['aegir @example.com provision-migrate --platform=@platform_new'],
  steps: moveSteps(false),
  claims: moveClaims,
  refusals: MOVE_REFUSALS,
  prepare: (ctx) => checkMoveOptions(ctx, false),
  result(ctx) {
    const down = unavailableMs(ctx);
    const name = chooseTarget(ctx).name;
    ctx.logger.success(`Migrated ${ctx.site.name}${name !== ctx.site.name ? ` to ${name}` : ''}${down !== undefined ? `; it showed the maintenance page for ${down} ms` : ''}.`);
    return { data: { site: name, unavailableMs: down ?? null } };
  },
});

/** provision-clone. */
export const cloneTask = defineTask({
  name: 'clone',
  on: 'site',
  command: 'provision-clone',
  description: 'Copy the site of the @context under a new name (optionally onto another platform or db server), with its own database and salt; the original stays served.',
  options: { ...MOVE_OPTIONS, 'new-name': { type: 'string', description: 'Domain of the clone', valueName: 'DOMAIN', required: true } },
  steps: moveSteps(true),
  claims: moveClaims,
  refusals: MOVE_REFUSALS,
  prepare: (ctx) => checkMoveOptions(ctx, true),
  result(ctx) {
    const name = chooseTarget(ctx).name;
    ctx.logger.success(`Cloned ${ctx.site.name} to ${name}.`);
    return { data: { site: name } };
  },
});

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
export function moveSteps(clone: boolean): readonly WeightedStep<SiteTaskContext>[] {
  const what = clone ? 'clone' : 'migration';
  const steps: WeightedStep<SiteTaskContext>[] = [
    { weight: 10, step: { name: 'check', title: `Check the target of the ${what}`, run: (ctx) => check(ctx, clone) } },
    {
      weight: 30,
      step: {
        name: 'dump',
        title: 'Dump the site\'s database',
        async run(ctx) {
          const t = await targetOf(ctx);
          const dir = await workFolder(ctx);
          noteMove(ctx, { workDir: dir });
          // SQL speaks one driver's dialect; between SQLite and MySQL the dump is the portable one.
          const portable = dbType(ctx) !== dbType(t) ? ['--portable'] : [];
          await cli(ctx, [`--uri=${ctx.site.name}`, 'sql-dump', `--result-file=${dir}/database.sql`, ...portable, '-q']);
        },
        async undo(ctx) {
          const dir = moveNote(ctx)?.workDir;
          return dir !== undefined && (await ctx.appExec.remove(dir));
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
          ctx.notes.set('move.maintenance', true);
          await serveSite(ctx, false);
        },
        async undo(ctx) {
          if (!ctx.notes.get<boolean>('move.maintenance')) return false;
          await serveSite(ctx);
          return true;
        },
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
