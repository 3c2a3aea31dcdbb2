import type { Knex } from 'knex';
import { hostname } from 'node:os';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { isRunning } from '../../../core/util/process-identity.js';

const NAME = 'hosting.dispatcher';

/** Whether a dispatcher name (host:pid:start) is a process of this host that no longer runs. */
export function deadHere(id: string): boolean {
  const [h, pid, start] = id.split(':');
  return h === hostname() && pid !== undefined && /^\d+$/.test(pid) && !isRunning({ pid: Number(pid), start: Number(start) || undefined });
}

/**
 * On SQLite one dispatcher works on the queue: it holds the core lock
 * `hosting.dispatcher` (core_lock) and renews it with every heartbeat; a
 * second one is refused with ERR_DISPATCHER_RUNNING naming the holder. A
 * holder that died lets go when its lock expires (`ttlMs` after its last
 * renewal).
 */
export class SingleDispatcherLock {
  constructor(private readonly db: Knex, private readonly owner: string, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /**
   * Take the lock, or fail with ERR_DISPATCHER_RUNNING. A holder that
   * expired, or that names a process of this host which no longer runs (a
   * dispatcher killed a moment ago), is taken over at once.
   */
  async acquire(): Promise<void> {
    const now = this.now();
    await this.db('core_lock').where({ name: NAME }).andWhere('expire', '<=', now).delete();
    const held = (await this.db('core_lock').where({ name: NAME }).first('owner')) as { owner: string } | undefined;
    if (held && deadHere(held.owner)) await this.db('core_lock').where({ name: NAME, owner: held.owner }).delete();
    try {
      await this.db('core_lock').insert({ name: NAME, owner: this.owner.slice(0, 64), expire: now + this.ttlMs });
    } catch {
      const row = (await this.db('core_lock').where({ name: NAME }).first('owner')) as { owner: string } | undefined;
      throw new AegirError('ERR_DISPATCHER_RUNNING', { holder: row?.owner ?? 'another process' });
    }
  }

  /** Keep it; false when it was lost (expired and taken over). */
  async renew(): Promise<boolean> {
    return (await this.db('core_lock').where({ name: NAME, owner: this.owner.slice(0, 64) }).update({ expire: this.now() + this.ttlMs })) === 1;
  }

  async release(): Promise<void> {
    await this.db('core_lock').where({ name: NAME, owner: this.owner.slice(0, 64) }).delete();
  }
}
