import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Knex } from 'knex';
import { AegirError, describe } from '../errors/aegir-error.js';
import { describeDatabase, type DatabaseSettings, type MysqlSettings } from './db-url.js';

/** knex would print connection errors itself; they reach the user once, as coded errors, instead. */
const quiet = { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined };

/** How long to wait for a database server before calling it unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

let knexFactory: Promise<typeof import('knex').default> | undefined;
/** knex is large; load it only when a database is really opened. */
function loadKnex(): Promise<typeof import('knex').default> {
  knexFactory ??= import('knex').then((m) => m.default ?? (m as unknown as typeof import('knex').default));
  return knexFactory;
}

/** Absolute path of an SQLite database file for a site folder. */
export function sqlitePath(file: string, siteDir: string): string {
  return isAbsolute(file) ? file : join(siteDir, file);
}

/**
 * Open a knex connection to a site database and check that it answers.
 * SQLite files get WAL journaling, foreign keys and a busy timeout; their
 * folder is created (mode 0700) when `create` is set. Failure to reach the
 * server is ERR_DB_UNREACHABLE with the cause.
 */
export async function openDatabase(db: DatabaseSettings, siteDir: string, opts: { create?: boolean } = {}): Promise<Knex> {
  const knex = await loadKnex();
  let conn: Knex;
  if (db.driver === 'sqlite') {
    const file = sqlitePath(db.file, siteDir);
    if (opts.create) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    conn = knex({
      client: 'better-sqlite3',
      connection: { filename: file, options: { fileMustExist: !opts.create } } as Knex.BetterSqlite3ConnectionConfig,
      useNullAsDefault: true,
      log: quiet,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (raw: { pragma(s: string): unknown }, done: (err: Error | null, c: unknown) => void) => {
          try {
            raw.pragma('journal_mode = WAL');
            raw.pragma('foreign_keys = ON');
            raw.pragma('busy_timeout = 5000');
            raw.pragma('synchronous = NORMAL');
            done(null, raw);
          } catch (e) {
            done(e as Error, raw);
          }
        },
      },
    });
  } else {
    conn = knex({ client: 'mysql2', connection: mysqlConnection(db, db.database), pool: { min: 0, max: 5 }, acquireConnectionTimeout: CONNECT_TIMEOUT_MS, log: quiet });
  }
  try {
    await conn.raw('select 1');
  } catch (e) {
    await conn.destroy().catch(() => undefined);
    throw new AegirError('ERR_DB_UNREACHABLE', { driver: db.driver, target: describeDatabase(db), problem: describe(e) }, { cause: e });
  }
  return conn;
}

/** mysql2 connection options for settings, optionally without a default database. */
export function mysqlConnection(db: MysqlSettings, database?: string): Knex.MySql2ConnectionConfig {
  return {
    ...(db.socket ? { socketPath: db.socket } : { host: db.host, port: db.port }),
    user: db.user,
    password: db.password,
    ...(database ? { database } : {}),
    charset: 'utf8mb4',
    connectTimeout: CONNECT_TIMEOUT_MS,
    supportBigNumbers: true,
    bigNumberStrings: false,
    multipleStatements: false,
  };
}

/**
 * Connect to a MySQL server without choosing a database: for creating or
 * dropping a site's database. The caller destroys the connection.
 */
export async function openServer(db: MysqlSettings): Promise<Knex> {
  const knex = await loadKnex();
  const conn = knex({ client: 'mysql2', connection: mysqlConnection(db), pool: { min: 0, max: 1 }, acquireConnectionTimeout: CONNECT_TIMEOUT_MS, log: quiet });
  try {
    await conn.raw('select 1');
  } catch (e) {
    await conn.destroy().catch(() => undefined);
    throw new AegirError('ERR_DB_UNREACHABLE', { driver: 'mysql', target: describeDatabase(db), problem: describe(e) }, { cause: e });
  }
  return conn;
}
