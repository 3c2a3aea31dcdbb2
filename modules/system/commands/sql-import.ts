import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { basename, isAbsolute, resolve } from 'node:path';
import { defineCommand, type CommandContext, type CommandResult } from '../../../core/cli/command.js';
import { sqlitePath } from '../../../core/database/connect.js';
import type { MysqlSettings } from '../../../core/database/db-url.js';
import { writeOptionFile } from '../../../core/database/mysql-options.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/database/connect.js';
import { importPortableDump, isPortableDump } from '../../../core/database/portable-dump.js';
import { readSettings, type Settings } from '../../../core/settings/settings.js';
import { chmodSync } from 'node:fs';
import { findProgram, runProgram } from '../../../core/util/exec.js';
import { checkMysqlDump } from './sql-import-mysql.js';
import { checkSqliteDump, importSqlite, type Refusal } from './sql-import-sqlite.js';

function refused(file: string, r: Refusal): AegirError {
  return new AegirError('ERR_CLI_OPTION_VALUE', { option: 'file', command: 'sql-import', problem: `${file}, statement ${r.statement}: ${r.problem}. Nothing was imported` });
}

/** Where an import goes: a site's settings, folder and database (an installed site, or a folder with settings and an empty database). */
interface ImportTarget {
  readonly settings: Settings;
  readonly dir: string;
  readonly db: Knex;
}

async function importIntoSqlite(site: ImportTarget, sql: string, file: string): Promise<number> {
  if (site.settings.database.driver !== 'sqlite') throw new Error('not an SQLite site');
  const { statements, refusal } = checkSqliteDump(sql);
  if (refusal) throw refused(file, refusal);
  // A connection of its own, so that the import is one transaction of its own (the site's pool stays idle).
  const db = new Database(sqlitePath(site.settings.database.file, site.dir), { fileMustExist: true });
  try {
    return importSqlite(db, statements);
  } catch (e) {
    throw new AegirError('ERR_DB_QUERY', { problem: `${(e as Error).message}; the import was rolled back and the database is unchanged` }, { cause: e });
  } finally {
    db.close();
  }
}

/** `name` quoted for MySQL. */
const ident = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

async function importIntoMysql(site: ImportTarget, sql: string, file: string): Promise<number> {
  const settings = site.settings.database as MysqlSettings;
  const [databases] = await site.db.raw('SHOW DATABASES');
  const visible = (databases as Record<string, string>[]).map((r) => Object.values(r)[0]!);
  const refusal = checkMysqlDump(sql, settings.database, visible);
  if (refusal) throw refused(file, refusal);
  const tool = await findProgram(['mariadb', 'mysql']);
  if (!tool) throw new AegirError('ERR_TOOL_MISSING', { tool: 'mysql', purpose: 'importing a MySQL dump', package: 'mariadb-client (or mysql-client)' });
  const mariadb = basename(tool) === 'mariadb' || /MariaDB/.test((await runProgram(tool, ['--version'])).stdout);
  const [rows] = await site.db.raw('SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
  const objects = rows as { n: string; t: string }[];
  const views = objects.filter((o) => o.t === 'VIEW').map((o) => ident(o.n));
  const tables = objects.filter((o) => o.t !== 'VIEW').map((o) => ident(o.n));
  // The site's own objects go first, in the same client session as the dump.
  const prelude = [
    'SET @aegir_fk = @@FOREIGN_KEY_CHECKS;', 'SET FOREIGN_KEY_CHECKS = 0;',
    ...(views.length ? [`DROP VIEW IF EXISTS ${views.join(', ')};`] : []),
    ...(tables.length ? [`DROP TABLE IF EXISTS ${tables.join(', ')};`] : []),
    'SET FOREIGN_KEY_CHECKS = @aegir_fk;',
  ].join('\n');
  const opt = writeOptionFile(settings);
  try {
    await runProgram(tool, [
      `--defaults-extra-file=${opt.path}`, '--one-database', '--binary-mode', ...(mariadb ? ['--sandbox'] : []),
      '--default-character-set=utf8mb4', '--batch', '--', settings.database,
    ], { input: `${prelude}\n${sql}` });
  } finally {
    opt.remove();
  }
  return objects.length;
}

/** `aegir sql-import`: replace the site database with an SQL dump, into the site's own database only. */
export const sqlImport = defineCommand({
  name: 'sql-import',
  description: 'Replace the site database with a dump from sql-dump (SQL of the same driver, or a --portable dump from either): its tables are dropped and the dump imported into the site\'s own database only. SQLite: one transaction; a failing dump changes nothing. A portable dump is checked whole before anything changes.',
  options: {
    file: { type: 'string', description: 'The dump to import, or - for standard input', valueName: 'PATH', required: true },
  },
  // A folder with settings is enough: a migrate or clone imports into a new, empty database.
  bootstrap: 'site',
  examples: ['aegir --uri=example.test sql-import --file=/backups/example.sql', 'aegir --uri=example.test sql-import --file=- < dump.sql'],
  async run(ctx): Promise<CommandResult> {
    let site: ImportTarget | undefined = ctx.site;
    let opened: Knex | undefined;
    if (!site) {
      const dir = ctx.codebase.sitePath(ctx.siteDir);
      const settings = readSettings(dir);
      if (!settings) throw ctx.siteProblem ?? new AegirError('ERR_SITE_NOT_INSTALLED', { site: dir, uri: ctx.uri });
      opened = await openDatabase(settings.database, dir, { create: settings.database.driver === 'sqlite' });
      if (settings.database.driver === 'sqlite') chmodSync(sqlitePath(settings.database.file, dir), 0o600);
      site = { settings, dir, db: opened };
    }
    try {
      return await importInto(ctx, site);
    } finally {
      await opened?.destroy();
    }
  },
});

async function importInto(ctx: CommandContext, site: ImportTarget): Promise<CommandResult> {
  const given = ctx.options.file as string;
  let sql: string | undefined;
  let file = 'standard input';
  if (given === '-') {
    sql = await ctx.readStdin();
  } else {
    file = isAbsolute(given) ? given : resolve(ctx.cwd, given);
    if (!existsSync(file) || !statSync(file).isFile()) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'file', command: 'sql-import', problem: `${file} is not a readable file` });
  }
  const started = Date.now();
  const driver = site.settings.database.driver;
  if (isPortableDump(sql ?? headOf(file))) {
    const text = sql;
    const lines = text !== undefined ? async function* () { yield* text.split('\n'); } : () => createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    const r = await importPortableDump(site.db, driver, lines, file);
    ctx.logger.success(`Imported ${r.tables} tables and ${r.rows} rows from the portable dump ${file} (${r.dropped} previous tables dropped) in ${Date.now() - started} ms.`);
    return { data: { file, driver, format: 'portable', tables: r.tables, rows: r.rows, dropped: r.dropped } };
  }
  sql ??= readFileSync(file, 'utf8');
  if (driver === 'sqlite') {
    const statements = await importIntoSqlite(site, sql, file);
    ctx.logger.success(`Imported ${statements} statements from ${file} in ${Date.now() - started} ms.`);
    return { data: { file, driver, statements, bytes: Buffer.byteLength(sql) } };
  }
  const dropped = await importIntoMysql(site, sql, file);
  ctx.logger.success(`Imported ${file} into the site's database (${dropped} previous tables dropped) in ${Date.now() - started} ms.`);
  return { data: { file, driver, dropped, bytes: Buffer.byteLength(sql) } };
}

/** The first bytes of a file, to tell a portable dump from SQL. */
function headOf(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64);
    return buf.subarray(0, readSync(fd, buf, 0, 64, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
