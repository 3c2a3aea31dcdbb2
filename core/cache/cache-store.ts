import type { Knex } from 'knex';
import type { Json } from '../config/config-store.js';
import { wherePrefix } from '../database/like.js';

/**
 * A site's cache in its database: JSON values by id, each permanent (until
 * cleared) or with an expiry. Cache ids are prefixed by the owning module by
 * convention (`system.status`).
 */
export class CacheStore {
  constructor(private readonly db: Knex, private readonly now: () => number = Date.now) {}

  /** The cached value, or undefined when missing or expired. */
  async get<T extends Json>(cid: string): Promise<T | undefined> {
    const row = await this.db('core_cache').where({ cid }).first('data', 'expire');
    if (!row) return undefined;
    if (Number(row.expire) !== 0 && Number(row.expire) <= this.now()) return undefined;
    return JSON.parse(row.data) as T;
  }

  /** Store a value; `ttlMs` 0 (default) keeps it until cleared. */
  async set(cid: string, data: Json, ttlMs = 0): Promise<void> {
    const now = this.now();
    const row = { cid, data: JSON.stringify(data), expire: ttlMs > 0 ? now + ttlMs : 0, created: now };
    await this.db('core_cache').insert(row).onConflict('cid').merge(['data', 'expire', 'created']);
  }

  /** Remove one entry. */
  async delete(cid: string): Promise<void> {
    await this.db('core_cache').where({ cid }).delete();
  }

  /** Remove every entry, or those whose id starts with `prefix`; returns how many. */
  async clear(prefix = ''): Promise<number> {
    return wherePrefix(this.db('core_cache'), 'cid', prefix).delete();
  }

  /** Remove expired entries (cron does this); returns how many. */
  async purgeExpired(): Promise<number> {
    return this.db('core_cache').where('expire', '>', 0).andWhere('expire', '<=', this.now()).delete();
  }
}
