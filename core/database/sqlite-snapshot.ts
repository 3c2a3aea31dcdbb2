import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';

/**
 * One consistent, read-only view of a live SQLite database, for dumps.
 *
 * It is its own better-sqlite3 connection (read-only), not knex's: knex keeps
 * one connection per SQLite site, and a dump that held it would stall every
 * other query of the process until it ends. On that connection a deferred
 * read transaction is begun and read from at once, which in WAL mode (every
 * site database is opened in WAL, see `openDatabase`) pins one snapshot:
 * every table is read as it was at that moment, while writers on other
 * connections go on committing without waiting (they append to the WAL; a
 * checkpoint cannot shrink the WAL past an open snapshot, so the WAL grows
 * while the dump runs and is reclaimed after it).
 *
 * Rows are streamed by a statement iterator in the table's storage order
 * (rowid, or the primary key of a WITHOUT ROWID table): a plain b-tree scan,
 * with no sort and no paging, holding one row at a time.
 */
export interface SqliteSnapshot {
  /** All rows of a (small) statement, such as a catalogue query or a PRAGMA, as objects. */
  all<T = Record<string, unknown>>(sql: string): T[];
  /**
   * Every row of `table` as an array of values (in `columns` order, or the
   * table's own column order), one at a time, in rowid / primary key order.
   * Integers come back as `bigint` when `bigints` is set (the SQL dump, so
   * that 64-bit values survive), as numbers otherwise.
   */
  rows(table: string, opts?: { columns?: readonly string[]; bigints?: boolean }): IterableIterator<unknown[]>;
  /** End the read transaction and close the connection. Idempotent. */
  close(): void;
}

/** `"name"`: an SQLite identifier, quoted. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The database file behind a knex connection made by `openDatabase` for SQLite. */
export function sqliteFileOf(db: Knex): string {
  const file = (db.client as { connectionSettings?: { filename?: unknown } }).connectionSettings?.filename;
  if (typeof file !== 'string' || file === '' || file === ':memory:' || file.startsWith('file:')) {
    throw new AegirError('ERR_DB_QUERY', { problem: `an SQLite dump needs the database file, and this connection has ${JSON.stringify(file)}` });
  }
  return file;
}

/** The ORDER BY of a full scan of `table` in its storage order. */
function storageOrder(conn: Database.Database, table: string): string {
  const q = quoteIdent(table);
  const info = conn.prepare(`PRAGMA table_list(${q})`).get() as { wr: number } | undefined;
  const cols = conn.prepare(`PRAGMA table_info(${q})`).all() as { name: string; pk: number }[];
  if (info?.wr) {
    return cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quoteIdent(c.name)).join(', ');
  }
  // A column may shadow one of rowid's names; the rowid keeps the others.
  const names = new Set(cols.map((c) => c.name.toLowerCase()));
  const rowid = ['rowid', '_rowid_', 'oid'].find((n) => !names.has(n));
  return rowid ?? cols.map((c) => quoteIdent(c.name)).join(', ');
}

/**
 * Open a snapshot of the SQLite database behind `db` (see SqliteSnapshot).
 * The caller closes it; `withSqliteSnapshot` does so for you.
 */
export async function openSqliteSnapshot(db: Knex): Promise<SqliteSnapshot> {
  const file = sqliteFileOf(db);
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('BEGIN DEFERRED');
    // A deferred transaction takes its snapshot at its first read: now.
    conn.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    conn.close();
    throw new AegirError('ERR_DB_QUERY', { problem: `could not open a read snapshot of ${conn.name}: ${(e as Error).message}` }, { cause: e });
  }
  return {
    all: <T>(sql: string): T[] => conn.prepare(sql).all() as T[],
    rows(table, opts = {}) {
      const cols = opts.columns ? opts.columns.map(quoteIdent).join(', ') : '*';
      const stmt = conn.prepare(`SELECT ${cols} FROM ${quoteIdent(table)} ORDER BY ${storageOrder(conn, table)}`);
      return stmt.raw(true).safeIntegers(opts.bigints === true).iterate() as IterableIterator<unknown[]>;
    },
    close() {
      if (!conn.open) return;
      // Closing ends the read transaction too; ROLLBACK first only to say so, and close even if it fails.
      try { if (conn.inTransaction) conn.exec('ROLLBACK'); } finally { conn.close(); }
    },
  };
}

/** Run `fn` on a snapshot of the SQLite database behind `db`, and close it however `fn` ends. */
export async function withSqliteSnapshot<T>(db: Knex, fn: (snap: SqliteSnapshot) => Promise<T>): Promise<T> {
  const snap = await openSqliteSnapshot(db);
  try {
    return await fn(snap);
  } finally {
    snap.close();
  }
}
