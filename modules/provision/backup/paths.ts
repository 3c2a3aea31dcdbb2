import { posix } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Executor } from '../executor/types.js';

/** Extension of backup archives. */
export const BACKUP_EXT = '.tar.gz';

/** Where a site's backups are kept on its server: `<home>/backups/<site>/`. */
export function backupDirOf(home: string, site: string): string {
  return posix.join(home, 'backups', site);
}

/** `20251125T111200Z`: a UTC time that sorts as text. */
export function utcStamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The file name of a site's backup made at `d` (`-2`, `-3` ... when one of that second exists). */
export function backupFileName(site: string, d: Date, n = 1): string {
  return `${site}-${utcStamp(d)}${n > 1 ? `-${n}` : ''}${BACKUP_EXT}`;
}

/** Whether `name` is the name of one of `site`'s backups. */
export function isBackupName(site: string, name: string): boolean {
  if (!name.startsWith(`${site}-`) || !name.endsWith(BACKUP_EXT)) return false;
  return /^\d{8}T\d{6}Z(?:-\d{1,4})?$/.test(name.slice(site.length + 1, -BACKUP_EXT.length));
}

/**
 * A path that names one of `site`'s own backups: absolute, no `.` or `..`
 * segments, directly in `<home>/backups/<site>/` with a backup's name, and
 * still there once symlinks are resolved on the server. Anything else is
 * ERR_PATH_INVALID, before any change.
 */
export async function ownBackupPath(exec: Executor, home: string, site: string, path: string): Promise<string> {
  const dir = backupDirOf(home, site);
  const bad = (problem: string): never => { throw new AegirError('ERR_PATH_INVALID', { path: path.slice(0, 300), problem }); };
  if (!posix.isAbsolute(path)) bad('give the absolute path of the backup');
  if (path.split('/').some((s) => s === '..' || s === '.') || /[\0\n]/.test(path)) bad('"." and ".." are not allowed');
  if (posix.dirname(path) !== dir || !isBackupName(site, posix.basename(path))) bad(`only backups of ${site} in ${dir}/ can be removed here`);
  if (!(await exec.exists(path))) bad('there is no such backup');
  const real = async (p: string): Promise<string> => (await exec.run(['realpath', '-e', '--', p], { timeoutMs: 30_000 })).stdout.trim();
  if ((await real(path)) !== posix.join(await real(dir), posix.basename(path))) bad('it leads outside the site\'s backup folder through a symlink');
  return path;
}
