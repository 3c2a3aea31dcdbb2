import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AegirError } from '../errors/aegir-error.js';

/** How long to wait for a mutex, and what for (for the error). */
export interface MutexOptions {
  /** Give up after this long (default 30 s) with ERR_LOCK_HELD. */
  readonly timeoutMs?: number;
  /** What the lock protects, for the error message. */
  readonly what: string;
}

/**
 * Run `work` holding a mutex shared by every process on this machine: a
 * write transaction (BEGIN IMMEDIATE) on a small SQLite file at `file`.
 * The operating system drops the lock when its holder dies, so a process
 * killed while holding it never blocks the others and no stale-lock
 * breaking is needed (the weak point of lock files and lock folders).
 * Waiting is asynchronous: the event loop keeps running between tries.
 * Not reentrant: holding a mutex and asking for it again waits for itself.
 */
export async function withHostMutex<T>(file: string, work: () => Promise<T> | T, o: MutexOptions): Promise<T> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const db = new Database(file, { timeout: 0 });
  try {
    const until = Date.now() + (o.timeoutMs ?? 30_000);
    let wait = 2;
    for (;;) {
      try {
        db.exec('BEGIN IMMEDIATE');
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        if (Date.now() > until) throw new AegirError('ERR_LOCK_HELD', { name: o.what, since: 'longer than the wait allowed' });
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 50);
      }
    }
    try {
      return await work();
    } finally {
      db.exec('ROLLBACK');
    }
  } finally {
    db.close();
  }
}
