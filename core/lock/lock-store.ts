import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';

/** A held lock; release it when done. */
export interface Lock {
  readonly name: string;
  release(): Promise<void>;
}

/**
 * Named locks in the site database, shared by every process that uses the
 * site (cron, updatedb). A lock expires so that a crashed holder cannot block
 * its work forever.
 */
export class LockStore {
  constructor(private readonly db: Knex, private readonly now: () => number = Date.now) {}

  /** Take lock `name` for up to `ttlMs`, or fail with ERR_LOCK_HELD if someone holds it. */
  async acquire(name: string, ttlMs: number): Promise<Lock> {
    const owner = randomBytes(8).toString('hex');
    const now = this.now();
    // Clear an expired holder first, then insert: the primary key makes the
    // insert the atomic step, so two processes can never both get the lock.
    await this.db('core_lock').where({ name }).andWhere('expire', '<=', now).delete();
    try {
      await this.db('core_lock').insert({ name, owner, expire: now + ttlMs });
    } catch {
      const row = await this.db('core_lock').where({ name }).first('expire');
      const since = row ? new Date(Number(row.expire) - ttlMs).toISOString() : 'just now';
      throw new AegirError('ERR_LOCK_HELD', { name, since });
    }
    return {
      name,
      release: async () => { await this.db('core_lock').where({ name, owner }).delete(); },
    };
  }
}
