import { posix } from 'node:path';
import type { MysqlSettings } from '../../../core/database/db-url.js';
import { AegirError, isAegirError } from '../../../core/errors/aegir-error.js';
import type { Executor } from '../executor/types.js';

/** Bytes for people: `1.5 MB`. */
export function humanBytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** The nearest folder of `path` (itself or a parent) that exists on the server. */
export async function existingAncestor(exec: Executor, path: string): Promise<string> {
  let p = path;
  while (p !== '/' && !(await exec.exists(p))) p = posix.dirname(p);
  return p;
}

/** Refuse with ERR_DISK_FULL unless the file system holding `path` has `need` bytes free; returns what is free. */
export async function requireSpace(exec: Executor, path: string, need: number, what: string): Promise<number> {
  const free = await exec.freeBytes(await existingAncestor(exec, path));
  if (free < need) throw new AegirError('ERR_DISK_FULL', { server: exec.server, what, need: humanBytes(need), free: humanBytes(free) });
  return free;
}

/**
 * Run `work`; when it fails because the disk filled up under it (ENOSPC or
 * EDQUOT, or a program saying so; tar's last words on a full disk are
 * "Wrote only N of M bytes"), fail with ERR_DISK_FULL.
 */
export async function diskFullAs<T>(exec: Executor, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const text = `${(e as Error).message ?? ''} ${(e as NodeJS.ErrnoException).code ?? ''}`;
    if (/ENOSPC|EDQUOT|No space left on device|Disk quota exceeded|Wrote only \d+ of \d+ bytes/.test(text)) throw new AegirError('ERR_DISK_FULL', { server: exec.server, what, need: 'more', free: 'none left' }, { cause: e });
    throw e;
  }
}

function optionValue(v: string): string {
  if (/[\n\r\0]/.test(v)) throw new AegirError('ERR_SERVICE_FAILED', { service: 'db', server: '?', problem: 'database credentials must not contain line breaks' });
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Size of a site's MySQL database (data and indexes, from
 * information_schema), asked by the mysql client on the site's server with
 * the site's own credentials in a 0600 option file in `dir` (a task's
 * work folder: it goes when the task ends, or its recovery runs), removed
 * afterwards.
 */
export async function mysqlDatabaseBytes(exec: Executor, db: MysqlSettings, dir: string): Promise<number> {
  try {
    const lines = ['[client]', `user=${optionValue(db.user)}`, `password=${optionValue(db.password)}`];
    if (db.socket) lines.push('host=localhost', `socket=${optionValue(db.socket)}`);
    else lines.push(`host=${optionValue(db.host)}`, `port=${db.port}`, 'protocol=TCP');
    const opt = posix.join(dir, 'client.cnf');
    await exec.writeFile(opt, lines.join('\n') + '\n', 0o600);
    const args = [`--defaults-extra-file=${opt}`, '--batch', '--skip-column-names', '-e',
      'SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()', '--', db.database];
    for (const tool of ['mariadb', 'mysql']) {
      try {
        return Number((await exec.run([tool, ...args], { timeoutMs: 60_000 })).stdout.trim()) || 0;
      } catch (e) {
        if (!(isAegirError(e) && e.code === 'ERR_TOOL_MISSING')) throw e;
      }
    }
    throw new AegirError('ERR_TOOL_MISSING', { tool: 'mysql', purpose: 'sizing the site database before a backup', package: 'mariadb-client (or mysql-client)' });
  } finally {
    await exec.remove(dir);
  }
}
