/**
 * A database holding just the task queue (and core_lock), on SQLite or on
 * the test MariaDB, for the queue and dispatcher tests.
 */
import type { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, openServer } from '../../../core/database/connect.js';
import type { MysqlSettings } from '../../../core/database/db-url.js';
import { coreSchema } from '../../../core/database/core-schema.js';
import { createTable } from '../../../core/database/schema.js';
import { queueSchema } from '../../../modules/hosting/queue/schema.js';
import { TaskQueue, type NewTask } from '../../../modules/hosting/queue/store.js';
import type { Driver } from '../../harness/codebase.js';
import { mariadb } from '../../harness/mariadb.js';

/** A queue database and how to drop it. */
export interface QueueDb {
  readonly db: Knex;
  /** Another connection to the same database (a second process would have one). */
  connect(): Promise<Knex>;
  /** Queue a task row (a node id of its own, as a task node would give). */
  add(t: Partial<NewTask> & { objectNid: number }): Promise<number>;
  close(): Promise<void>;
}

export async function queueDb(driver: Driver): Promise<QueueDb> {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-queue-'));
  const settings = driver === 'sqlite' ? { driver: 'sqlite' as const, file: 'queue.sqlite' } : (await mariadb()).database('queue');
  if (driver === 'mysql') {
    const server = await openServer(settings as MysqlSettings);
    try {
      await server.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [(settings as MysqlSettings).database]);
    } finally {
      await server.destroy();
    }
  }
  const db = await openDatabase(settings, dir, { create: true });
  for (const [name, def] of Object.entries({ core_lock: coreSchema.core_lock!, ...queueSchema })) await createTable(db, name, def);
  const extra: Knex[] = [];
  let nid = 0;
  return {
    db,
    async connect() {
      const k = await openDatabase(settings, dir);
      extra.push(k);
      return k;
    },
    async add(t) {
      nid++;
      await TaskQueue.insert(db, nid, {
        nid, taskType: t.taskType ?? 'verify', objectNid: t.objectNid, objectKind: t.objectKind ?? 'site',
        siteNid: t.siteNid === undefined ? (t.objectKind === undefined || t.objectKind === 'site' ? t.objectNid : null) : t.siteNid,
        platformNid: t.platformNid ?? null, serverNid: t.serverNid ?? null, args: t.args ?? {}, uid: t.uid ?? 1,
      });
      return nid;
    },
    async close() {
      for (const k of extra) await k.destroy();
      if (driver === 'mysql') await db.raw('DROP DATABASE IF EXISTS ??', [(settings as { database: string }).database]);
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
