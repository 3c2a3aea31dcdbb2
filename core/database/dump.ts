import { createWriteStream, fchmodSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';
import { findProgram, runProgram } from '../util/exec.js';
import type { DatabaseSettings } from './db-url.js';
import { writeOptionFile } from './mysql-options.js';
import { writePortableDump } from './portable-dump.js';

/**
 * Write an SQL dump of a site database to `out`: for SQLite, schema and rows
 * as SQL text generated here; for MySQL/MariaDB, by mysqldump (or
 * mariadb-dump) with credentials in a 0600 option file, in one consistent
 * transaction.
 */
export async function dumpDatabase(db: Knex, settings: DatabaseSettings, out: Writable): Promise<void> {
  if (settings.driver === 'sqlite') return dumpSqlite(db, out);
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
export async function dumpDatabaseToFile(db: Knex, settings: DatabaseSettings, path: string, portable = false): Promise<void> {
  // An existing file keeps its mode on open; set 0600 before a byte is written.
  const fd = openSync(path, 'w', 0o600);
  fchmodSync(fd, 0o600);
  const out = createWriteStream(path, { fd });
  const done = new Promise<void>((resolve, reject) => { out.on('finish', () => resolve()); out.on('error', reject); });
  try {
    if (portable) await writePortableDump(db, settings.driver, out);
    else await dumpDatabase(db, settings, out);
  } finally {
    out.end();
  }
  await done;
}

async function dumpSqlite(db: Knex, out: Writable): Promise<void> {
  const write = (s: string): Promise<void> => new Promise((r) => (out.write(s) ? r() : out.once('drain', () => r())));
  const objects: { type: string; name: string; sql: string }[] = await db.raw(
    "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name",
  );
  await write('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n');
  for (const o of objects.filter((x) => x.type === 'table')) {
    await write(`${o.sql};\n`);
    const ident = `"${o.name.replace(/"/g, '""')}"`;
    for (let offset = 0; ; offset += 1000) {
      const rows: Record<string, unknown>[] = await db.raw(`SELECT * FROM ${ident} LIMIT 1000 OFFSET ${offset}`);
      for (const r of rows) await write(`INSERT INTO ${ident} VALUES(${Object.values(r).map(sqlValue).join(',')});\n`);
      if (rows.length < 1000) break;
    }
  }
  for (const o of objects.filter((x) => x.type !== 'table')) await write(`${o.sql};\n`);
  await write('COMMIT;\n');
}

function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}
