import { posix } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Executor } from '../executor/types.js';
import { extractArchive, extractManifest, listArchive } from './archive.js';
import { parseManifest, type BackupManifest } from './manifest.js';
import { diskFullAs, requireSpace } from './space.js';
import { hashFiles, listTree, sha256Text, unsafeEntry, type TreeOptions } from './tree.js';

/** What a backup must be for the task that reads it. */
export interface BackupExpectation {
  /** The site it must be of. */
  readonly site?: string;
  /** The database driver its dump must be for. */
  readonly db?: 'sqlite' | 'mysql';
}

/**
 * Check a backup archive completely before anything uses it, extracting
 * it into `staging` (a new folder, 0700) on the way: a complete gzip/tar
 * stream with only names a backup has, a valid manifest.json of the expected
 * site and database kind, room to extract it, and every member present with
 * the size and sha256 the manifest gives, nothing more, and no symlink out
 * of the site's folder (a manifest proves integrity, not origin: a backup
 * is trusted input, but not that far). Any problem is
 * ERR_BACKUP_INVALID (ERR_DISK_FULL when there is no room); the caller
 * removes `staging`. Used by restore and migrate.
 */
export async function checkBackup(exec: Executor, file: string, staging: string, expect: BackupExpectation = {}, o: TreeOptions = {}): Promise<BackupManifest> {
  const bad = (problem: string): never => { throw new AegirError('ERR_BACKUP_INVALID', { file, problem }); };
  if (!(await exec.exists(file))) bad('there is no such file');
  await listArchive(exec, file);
  await exec.mkdir(staging, 0o700);
  await extractManifest(exec, file, staging);
  const manifest = parseManifest((await exec.readFile(posix.join(staging, 'manifest.json'))).toString('utf8'), file);
  if (expect.site && manifest.site !== expect.site) bad(`it is a backup of ${manifest.site}, not of ${expect.site}`);
  if (expect.db && manifest.db !== expect.db) bad(`its database dump is for ${manifest.db}, but the site runs on ${expect.db}`);
  await requireSpace(exec, staging, manifest.bytes + 1024 * manifest.members.length + (1 << 20), `extracting backup ${file}`);
  await diskFullAs(exec, `extracting backup ${file}`, () => extractArchive(exec, file, staging));

  const found = (await listTree(exec, staging, o)).filter((e) => e.type !== 'dir' && e.path !== 'manifest.json');
  const byPath = new Map(found.map((e) => [e.path, e]));
  for (const e of found) {
    if (e.type === 'other') bad(`member ${e.path} is not a file, folder or symlink`);
    // Relative to the site folder (site/ in the archive): a link out of it would be served or read once restored.
    const unsafe = e.path.startsWith('site/') ? unsafeEntry({ ...e, path: e.path.slice(5) }) : e.type === 'link' ? 'is a symlink' : undefined;
    if (unsafe) bad(`member ${e.path} ${unsafe}: a backup may hold links inside the site's folder only`);
    if (!manifest.members.some((m) => m.path === e.path)) bad(`member ${e.path} is not in the manifest`);
  }
  const files: string[] = [];
  for (const m of manifest.members) {
    const e = byPath.get(m.path);
    if (!e) bad(`member ${m.path} is missing`);
    else if (m.link !== undefined) {
      if (e.type !== 'link' || e.link !== m.link || sha256Text(m.link) !== m.sha256) bad(`member ${m.path} is not the symlink the manifest gives`);
    } else if (e.type !== 'file') bad(`member ${m.path} is not a file`);
    else if (e.size !== m.size) bad(`member ${m.path} has ${e.size} bytes; the manifest says ${m.size}`);
    else files.push(m.path);
  }
  const sums = await hashFiles(exec, staging, files, o);
  for (const m of manifest.members) {
    if (m.link === undefined && sums.get(m.path) !== m.sha256) bad(`member ${m.path} does not match its sha256 in the manifest`);
  }
  return manifest;
}
