import type { Knex } from 'knex';
import { AegirError } from '../../../core/errors/aegir-error.js';

const NAME = 'hosting.dispatcher';

/**
 * On SQLite one dispatcher works on the queue: it holds the core lock
 * `hosting.dispatcher` (core_lock) and renews it with every heartbeat; a
 * second one is refused with ERR_DISPATCHER_RUNNING naming the holder. A
 * holder that died lets go when its lock expires (`ttlMs` after its last
 * renewal).
 */
export class SingleDispatcherLock {
  constructor(private readonly db: Knex, private readonly owner: string, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** Take the lock, or fail with ERR_DISPATCHER_RUNNING. */
  async acquire(): Promise<void> {
    const now = this.now();
    await this.db('core_lock').where({ name: NAME }).andWhere('expire', '<=', now).delete();
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
