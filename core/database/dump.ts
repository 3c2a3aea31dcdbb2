import { createWriteStream, fchmodSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';
import { findProgram, runProgram } from '../util/exec.js';
import type { DatabaseSettings } from './db-url.js';
import { writeOptionFile } from './mysql-options.js';
import { DUMP_CHUNK_ROWS, writerFor, type DumpOptions } from './dump-options.js';
import { writePortableDump } from './portable-dump.js';
import { quoteIdent, withSqliteSnapshot } from './sqlite-snapshot.js';

/**
 * Write an SQL dump of a site database to `out`: for SQLite, schema and rows
 * as SQL text generated here; for MySQL/MariaDB, by mysqldump (or
 * mariadb-dump) with credentials in a 0600 option file. Either way the dump
 * is one consistent snapshot while the site stays writable: SQLite's is
 * read in one WAL read transaction of its own connection (SqliteSnapshot),
 * MySQL's in mysqldump's `--single-transaction`.
 */
export async function dumpDatabase(db: Knex, settings: DatabaseSettings, out: Writable, opts: DumpOptions = {}): Promise<void> {
  if (settings.driver === 'sqlite') return dumpSqlite(db, out, opts);
  const tool = await findProgram(['mariadb-dump', 'mysqldump']);
  if (!tool) throw new AegirError('ERR_TOOL_MISSING', { tool: 'mysqldump', purpose: 'dumping a MySQL database', package: 'mariadb-client (or mysql-client)' });
  const opt = writeOptionFile(settings);
  try {
    await runProgram(tool, [
      `--defaults-extra-file=${opt.path}`, '--single-transaction', '--quick', '--routines', '--triggers',
      '--no-tablespaces', '--skip-dump-date', '--default-character-set=utf8mb4', '--', settings.database,
    ], { stdout: out });
  } finally {
    opt.remove();
  }
}

/** Dump to a file created with mode 0600 (dumps hold user data and password hashes); `portable` for the JSON-lines dump either driver imports. */
export async function dumpDatabaseToFile(db: Knex, settings: DatabaseSettings, path: string, portable = false, opts: DumpOptions = {}): Promise<void> {
  // An existing file keeps its mode on open; set 0600 before a byte is written.
  const fd = openSync(path, 'w', 0o600);
  fchmodSync(fd, 0o600);
  const out = createWriteStream(path, { fd });
  const done = new Promise<void>((resolve, reject) => { out.on('finish', () => resolve()); out.on('error', reject); });
  try {
    if (portable) await writePortableDump(db, settings.driver, out, opts);
    else await dumpDatabase(db, settings, out, opts);
  } finally {
    out.end();
  }
  await done;
}

/** Bytes of SQL text gathered before a write. */
const WRITE_BYTES = 64 << 10;

/**
 * SQLite's SQL dump, from one snapshot (see SqliteSnapshot): rows deleted or
 * added while it runs are neither lost nor taken in, and the site stays
 * writable meanwhile.
 */
async function dumpSqlite(db: Knex, out: Writable, opts: DumpOptions): Promise<void> {
  const write = writerFor(out);
  await withSqliteSnapshot(db, async (snap) => {
    const objects = snap.all<{ type: string; name: string; sql: string }>(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name",
    );
    await write('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n');
    for (const o of objects.filter((x) => x.type === 'table')) {
      await write(`${o.sql};\n`);
      const insert = `INSERT INTO ${quoteIdent(o.name)} VALUES(`;
      let text = '';
      let rows = 0;
      for (const row of snap.rows(o.name, { bigints: true })) {
        text += `${insert}${row.map(sqlValue).join(',')});\n`;
        rows++;
        if (text.length >= WRITE_BYTES || rows % DUMP_CHUNK_ROWS === 0) { await write(text); text = ''; }
        if (rows % DUMP_CHUNK_ROWS === 0) await opts.onProgress?.({ table: o.name, rows });
      }
      if (text) await write(text);
      if (rows % DUMP_CHUNK_ROWS !== 0) await opts.onProgress?.({ table: o.name, rows });
    }
    for (const o of objects.filter((x) => x.type !== 'table')) await write(`${o.sql};\n`);
    await write('COMMIT;\n');
  });
}

function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return String(v);
  // SQLite keeps infinities (1e999 overflows to them); "Infinity" would read as a column name.
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '9e999' : '-9e999';
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}
