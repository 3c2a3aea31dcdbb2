import { posix } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { parseSettings, type Settings } from '../../../core/settings/settings.js';
import type { Executor } from '../executor/types.js';
import { platformAegir, siteDirOf, type SiteTaskContext } from '../tasks/site-context.js';
import { writeArchive } from './archive.js';
import { BACKUP_FORMAT, manifestText, type BackupManifest, type BackupMember } from './manifest.js';
import { backupDirOf, backupFileName } from './paths.js';
import { diskFullAs, humanBytes, mysqlDatabaseBytes, requireSpace } from './space.js';
import { firstUnsafe, hashFiles, listTree, sha256Text, type TreeEntry } from './tree.js';

/** What a backup of a site will hold and where it is made. */
export interface BackupPlan {
  readonly site: string;
  readonly backupDir: string;
  /** Private folder of the backup being made: the dump, the manifest, the list of entries. */
  readonly staging: string;
  /** The archive while it is written. */
  readonly partial: string;
  readonly sitesDir: string;
  readonly siteDir: string;
  readonly settings: Settings;
  /** Entries of the site folder that go into the archive, relative to it. */
  readonly entries: readonly TreeEntry[];
  readonly filesBytes: number;
}

/** The site's settings.json, read on its server. */
export async function readSiteSettings(exec: Executor, siteDir: string): Promise<Settings> {
  const path = posix.join(siteDir, 'settings.json');
  let text: string;
  try {
    text = (await exec.readFile(path)).toString('utf8');
  } catch (e) {
    throw new AegirError('ERR_SETTINGS_INVALID', { path, problem: `it cannot be read on @${exec.server} (${(e as Error).message})` }, { cause: e });
  }
  try {
    return parseSettings(JSON.parse(text), path);
  } catch (e) {
    if (e instanceof SyntaxError) throw new AegirError('ERR_SETTINGS_INVALID', { path, problem: `it is not valid JSON (${e.message})` });
    throw e;
  }
}

/**
 * Paths in a site folder that a backup leaves out and a restore keeps from
 * the site as it is: the SQLite database and its journals (the dump carries
 * the data; the live file stays with the processes that have it open), and
 * private/backups.
 */
export function keptPaths(settings: Settings): string[] {
  const out = ['private/backups'];
  const db = settings.database;
  if (db.driver === 'sqlite' && !posix.isAbsolute(db.file)) {
    const f = posix.normalize(db.file);
    out.push(f, `${f}-wal`, `${f}-shm`, `${f}-journal`);
  }
  return out;
}

/** Whether `path` is a kept path or inside one. */
const isKept = (kept: readonly string[], path: string): boolean => kept.some((k) => path === k || path.startsWith(`${k}/`));

/** Size of a file on a server (`stat`), 0 when it is absent. */
export async function fileSize(exec: Executor, path: string): Promise<number> {
  if (!(await exec.exists(path))) return 0;
  return Number((await exec.run(['stat', '-c', '%s', '--', path], { timeoutMs: 30_000 })).stdout.trim()) || 0;
}

/** The staging folder and partial archive of a site's backup in progress (one task per site at a time, so fixed names). */
export function partialPaths(home: string, site: string): { staging: string; partial: string } {
  const dir = backupDirOf(home, site);
  return { staging: posix.join(dir, '.partial'), partial: posix.join(dir, '.partial.tar.gz') };
}

/** Remove the staging folder and partial archive of a backup (never a finished archive). */
export async function clearStaging(exec: Executor, home: string, site: string): Promise<boolean> {
  const { staging, partial } = partialPaths(home, site);
  const a = await exec.remove(partial);
  const b = await exec.remove(staging);
  return a || b;
}

/** Undo an unfinished backup: its staging folder, its partial archive, and the archive it was making (`finalFile`, else the one its staging folder names). */
export async function discardPartial(exec: Executor, home: string, site: string, finalFile?: string): Promise<boolean> {
  const target = posix.join(partialPaths(home, site).staging, 'target');
  const named = finalFile ?? ((await exec.exists(target)) ? (await exec.readFile(target)).toString('utf8').trim() : undefined);
  const removed = named !== undefined && posix.dirname(named) === backupDirOf(home, site) && (await exec.remove(named));
  return (await clearStaging(exec, home, site)) || removed;
}

/**
 * Plan a backup: read the site's settings, list its folder (without the
 * kept paths, and without sockets or devices), and refuse with
 * ERR_DISK_FULL, before anything is written, unless the backup folder's
 * file system holds the dump plus a worst-case (uncompressed) archive.
 */
export async function planBackup(ctx: SiteTaskContext): Promise<BackupPlan> {
  const exec = ctx.appExec;
  const site = ctx.site.name;
  const siteDir = siteDirOf(ctx);
  if (site === 'manifest.json' || site === 'database.sql') throw new AegirError('ERR_CONTEXT_INVALID', { name: site, problem: 'this name is reserved inside backups' });
  if (!(await exec.exists(siteDir))) throw new AegirError('ERR_SITE_NOT_FOUND', { uri: site, root: ctx.platform.root });
  const settings = await readSiteSettings(exec, siteDir);
  const kept = keptPaths(settings);
  const all = await listTree(exec, siteDir);
  const entries = all.filter((e) => e.type !== 'other' && !isKept(kept, e.path));
  for (const e of all) if (e.type === 'other' && !isKept(kept, e.path)) ctx.logger.warning(`Left out of the backup: ${e.path} (not a file, folder or symlink).`);
  // A backup with a link out of the folder could never be restored (restore refuses it): say so now, not at the restore.
  const unsafe = firstUnsafe(entries);
  if (unsafe) throw new AegirError('ERR_PATH_INVALID', { path: siteDir, problem: `${unsafe}; replace it with a copy of what it points at, or remove it` });
  const filesBytes = entries.reduce((n, e) => n + e.size, 0);
  const db = settings.database;
  const dbBytes = db.driver === 'mysql' ? await mysqlDatabaseBytes(exec, db, await ctx.workFolder(ctx.appServer)) : await fileSize(exec, posix.isAbsolute(db.file) ? db.file : posix.join(siteDir, db.file));
  const { staging, partial } = partialPaths(ctx.home, site);
  const backupDir = backupDirOf(ctx.home, site);
  const need = filesBytes + 2 * dbBytes + 1024 * entries.length + (1 << 20);
  await requireSpace(exec, backupDir, need, `a backup of ${site} (files ${humanBytes(filesBytes)}, database about ${humanBytes(dbBytes)})`);
  return { site, backupDir, staging, partial, sitesDir: posix.dirname(siteDir), siteDir, settings, entries, filesBytes };
}

/**
 * Dump the database with the platform's own `sql-dump` into the staging
 * folder while the site's files are checksummed, then check the space
 * again with the real dump size. Returns the manifest's members.
 */
export async function dumpAndHash(ctx: SiteTaskContext, plan: BackupPlan): Promise<BackupMember[]> {
  const exec = ctx.appExec;
  await exec.mkdir(posix.dirname(plan.backupDir), 0o700);
  await exec.mkdir(plan.backupDir, 0o700);
  // Leftovers of a backup that died (its task was undone before this one started).
  await clearStaging(exec, ctx.home, plan.site);
  await exec.mkdir(plan.staging, 0o700);
  const dump = posix.join(plan.staging, 'database.sql');
  const files = plan.entries.filter((e) => e.type === 'file').map((e) => e.path);
  const [, sums] = await Promise.all([
    diskFullAs(exec, `the database dump of ${plan.site}`, () => platformAegir(ctx, [`--uri=${plan.site}`, 'sql-dump', `--result-file=${dump}`, '-q'])),
    hashFiles(exec, plan.siteDir, files),
  ]);
  const dumpBytes = await fileSize(exec, dump);
  await requireSpace(exec, plan.backupDir, plan.filesBytes + dumpBytes + 1024 * plan.entries.length + (1 << 20), `the archive of ${plan.site}`);
  const dumpSum = (await hashFiles(exec, plan.staging, ['database.sql'])).get('database.sql')!;
  const members: BackupMember[] = [{ path: 'database.sql', size: dumpBytes, sha256: dumpSum }];
  for (const e of plan.entries) {
    if (e.type === 'file') members.push({ path: `site/${e.path}`, size: e.size, sha256: sums.get(e.path)! });
    else if (e.type === 'link') members.push({ path: `site/${e.path}`, size: 0, sha256: sha256Text(e.link!), link: e.link! });
  }
  return members;
}

/** Write manifest.json into the staging folder. */
export async function writeManifest(ctx: SiteTaskContext, plan: BackupPlan, members: readonly BackupMember[]): Promise<BackupManifest> {
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT, site: plan.site, platform: ctx.platform.name, profile: ctx.site.profile, db: plan.settings.database.driver,
    created: new Date().toISOString(), bytes: members.reduce((n, m) => n + m.size, 0), members,
  };
  await ctx.appExec.writeFile(posix.join(plan.staging, 'manifest.json'), manifestText(manifest), 0o600);
  return manifest;
}

/**
 * Write the archive as `<backupDir>/.partial.tar.gz` (0600), check that no
 * file changed since it was checksummed, and give it its final name
 * `<site>-<UTC time>.tar.gz`. Returns the path.
 */
export async function archiveBackup(ctx: SiteTaskContext, plan: BackupPlan): Promise<string> {
  const exec = ctx.appExec;
  const list = posix.join(plan.staging, 'entries');
  await exec.writeFile(list, [plan.site, ...plan.entries.map((e) => `${plan.site}/${e.path}`)].join('\0') + '\0', 0o600);
  const now = new Date();
  let n = 1;
  while (await exec.exists(posix.join(plan.backupDir, backupFileName(plan.site, now, n)))) n++;
  const file = posix.join(plan.backupDir, backupFileName(plan.site, now, n));
  // Recorded first, so that undoing this step after a crash knows which file to remove.
  await exec.writeFile(posix.join(plan.staging, 'target'), file, 0o600);
  await diskFullAs(exec, `the archive of ${plan.site}`, () => writeArchive(exec, { file: plan.partial, staging: plan.staging, sitesDir: plan.sitesDir, site: plan.site, listFile: list }));
  const now2 = new Map((await listTree(exec, plan.siteDir)).map((e) => [e.path, e]));
  const changed = plan.entries.filter((e) => e.type === 'file' && (now2.get(e.path)?.size !== e.size || now2.get(e.path)?.mtimeMs !== e.mtimeMs));
  if (changed.length) {
    throw new AegirError('ERR_BACKUP_INVALID', { file, problem: `${changed.length} file(s) of the site changed while it was backed up (${changed.slice(0, 3).map((e) => e.path).join(', ')}); run the backup again` });
  }
  await exec.rename(plan.partial, file);
  return file;
}

/**
 * Make a whole backup in one go (for restore's fresh backup): plan, dump,
 * manifest, archive; anything unfinished is removed on failure. With
 * `keepDump`, the dump is moved there instead of being deleted.
 */
export async function takeBackup(ctx: SiteTaskContext, keepDump?: string): Promise<{ file: string; bytes: number }> {
  const plan = await planBackup(ctx);
  let file: string | undefined;
  try {
    const members = await dumpAndHash(ctx, plan);
    await writeManifest(ctx, plan, members);
    file = await archiveBackup(ctx, plan);
    if (keepDump) await ctx.appExec.rename(posix.join(plan.staging, 'database.sql'), keepDump);
    await ctx.appExec.remove(plan.staging);
    return { file, bytes: await fileSize(ctx.appExec, file) };
  } catch (e) {
    await discardPartial(ctx.appExec, ctx.home, plan.site, file);
    throw e;
  }
}
