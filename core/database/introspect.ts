import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';
import type { ColumnDefinition, SchemaDefinition, TableDefinition } from './schema.js';

/**
 * Read the tables of a live database back into the framework's typed table
 * definitions, so that a database can be carried to the other driver
 * (SQLite to MySQL and back). Every table the framework makes comes from
 * `createTable`, whose types map back one to one; what SQLite does not keep
 * (text sizes, unsigned) is widened to the safe side: SQLite text becomes
 * long text. A column of a type no definition can hold is an error naming
 * it, never silently changed.
 */
export async function describeTables(db: Knex, driver: 'sqlite' | 'mysql'): Promise<SchemaDefinition> {
  return driver === 'sqlite' ? describeSqlite((sql) => db.raw(sql)) : describeMysql(db);
}

/**
 * Runs one SQLite statement without parameters and gives its rows: knex's
 * connection, or a dump's snapshot (`SqliteSnapshot.all`), so that the
 * tables are read in the same snapshot as their rows.
 */
export type SqliteQuery = (sql: string) => Promise<unknown[]> | unknown[];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function unsupported(table: string, column: string, type: string): never {
  throw new AegirError('ERR_DB_QUERY', { problem: `column ${table}.${column} has the type "${type}", which a portable dump cannot carry` });
}

/** An SQL default literal ('it''s', '5', 1.5) as text, or undefined for none or NULL. */
function literal(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const s = String(raw);
  if (s === 'NULL') return undefined;
  const quoted = /^'(.*)'$/s.exec(s);
  return quoted ? quoted[1]!.replace(/''/g, "'").replace(/\\'/g, "'") : s;
}

/** A column definition from a type family and what the database says of it. */
function column(table: string, name: string, family: string, o: { nullable: boolean; dflt: string | undefined; length?: number | undefined; unsigned?: boolean; size?: 'normal' | 'medium' | 'long' }): ColumnDefinition {
  const base = o.nullable ? { nullable: true } : {};
  const num = o.dflt !== undefined && o.dflt !== '' && Number.isFinite(Number(o.dflt)) ? Number(o.dflt) : undefined;
  switch (family) {
    case 'string': return { ...base, type: 'string', length: o.length ?? 255, ...(o.dflt !== undefined ? { default: o.dflt } : {}) };
    case 'text': return { ...base, type: 'text', size: o.size ?? 'long' };
    case 'integer': case 'bigint': return { ...base, type: family, ...(o.unsigned ? { unsigned: true } : {}), ...(num !== undefined ? { default: num } : {}) };
    case 'float': return { ...base, type: 'float', ...(num !== undefined ? { default: num } : {}) };
    case 'boolean': return { ...base, type: 'boolean', ...(o.dflt !== undefined ? { default: o.dflt === '1' || o.dflt.toLowerCase() === 'true' } : {}) };
    case 'blob': return { ...base, type: 'blob' };
    default: return unsupported(table, name, family);
  }
}

/** Index names as `createTable` makes them (`<table>__<name>`) back to their short name. */
const shortName = (table: string, index: string): string =>
  (index.startsWith(`${table}__`) ? index.slice(table.length + 2) : index).toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, 'i_').slice(0, 63);

/** The tables of an SQLite database, read through `query`; see describeTables. */
export async function describeSqlite(query: SqliteQuery): Promise<SchemaDefinition> {
  const tables = await query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") as { name: string; sql: string }[];
  const out: Record<string, TableDefinition> = {};
  for (const t of tables) {
    const q = `\`${t.name.replace(/`/g, '``')}\``;
    const cols = await query(`PRAGMA table_info(${q})`) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const serial = pk.length === 1 && /\bautoincrement\b/i.test(t.sql) ? pk[0] : undefined;
    const columns: Record<string, ColumnDefinition> = {};
    for (const c of cols) {
      if (c.name === serial) { columns[c.name] = { type: 'serial' }; continue; }
      const type = c.type.toLowerCase();
      const varchar = /^varchar\((\d+)\)$/.exec(type);
      const family = varchar ? 'string' : type === 'integer' ? 'integer' : type === 'bigint' ? 'bigint' : type === 'float' || type === 'double' || type === 'real' ? 'float'
        : type === 'boolean' ? 'boolean' : type === 'text' ? 'text' : type === 'blob' ? 'blob' : type;
      columns[c.name] = column(t.name, c.name, family, { nullable: c.notnull === 0, dflt: literal(c.dflt_value), length: varchar ? Number(varchar[1]) : undefined });
    }
    const def: Mutable<TableDefinition> = { description: `${t.name} (read from the database)`, columns };
    if (pk.length && !serial) def.primaryKey = pk;
    const indexes = await query(`PRAGMA index_list(${q})`) as { name: string; unique: number; origin: string }[];
    for (const ix of indexes.filter((i) => i.origin === 'c' || i.origin === 'u').sort((a, b) => a.name.localeCompare(b.name))) {
      const parts = await query(`PRAGMA index_info(\`${ix.name.replace(/`/g, '``')}\`)`) as { seqno: number; name: string }[];
      const list = parts.sort((a, b) => a.seqno - b.seqno).map((p) => p.name);
      const key = ix.unique ? 'unique' : 'indexes';
      def[key] = { ...(def[key] ?? {}), [shortName(t.name, ix.name)]: list };
    }
    out[t.name] = def;
  }
  return out;
}

interface MysqlColumn { t: string; c: string; dataType: string; columnType: string; nullable: string; dflt: string | null; extra: string; len: number | null }

async function describeMysql(db: Knex): Promise<SchemaDefinition> {
  const [colRows] = await db.raw(`SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable,
    COLUMN_DEFAULT AS dflt, EXTRA AS extra, CHARACTER_MAXIMUM_LENGTH AS len FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE')
    ORDER BY TABLE_NAME, ORDINAL_POSITION`);
  const [keyRows] = await db.raw(`SELECT TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nonUnique, COLUMN_NAME AS c FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`);
  const out: Record<string, Mutable<TableDefinition>> = {};
  for (const r of colRows as MysqlColumn[]) {
    const def = (out[r.t] ??= { description: `${r.t} (read from the database)`, columns: {} });
    const columns = def.columns as Record<string, ColumnDefinition>;
    const type = r.dataType.toLowerCase();
    const columnType = r.columnType.toLowerCase();
    if (/auto_increment/i.test(r.extra)) {
      if (type !== 'int' && type !== 'bigint') unsupported(r.t, r.c, `${columnType} auto_increment`);
      columns[r.c] = { type: 'serial' };
      continue;
    }
    const family = type === 'varchar' ? 'string' : type === 'int' ? 'integer' : type === 'bigint' ? 'bigint' : type === 'double' || type === 'float' ? 'float'
      : type === 'tinyint' && /^tinyint\(1\)/.test(columnType) ? 'boolean' : ['text', 'mediumtext', 'longtext'].includes(type) ? 'text'
        : ['blob', 'mediumblob', 'longblob', 'varbinary', 'binary'].includes(type) ? 'blob' : columnType;
    columns[r.c] = column(r.t, r.c, family, {
      nullable: r.nullable === 'YES', dflt: literal(r.dflt), length: r.len ?? undefined, unsigned: /unsigned/.test(columnType),
      size: type === 'mediumtext' ? 'medium' : type === 'longtext' ? 'long' : 'normal',
    });
  }
  const keys = new Map<string, { table: string; unique: boolean; cols: string[] }>();
  for (const k of keyRows as { t: string; i: string; nonUnique: number; c: string }[]) {
    const id = `${k.t}\0${k.i}`;
    if (!keys.has(id)) keys.set(id, { table: k.t, unique: Number(k.nonUnique) === 0, cols: [] });
    keys.get(id)!.cols.push(k.c);
  }
  for (const [id, k] of keys) {
    const def = out[k.table];
    if (!def) continue;
    const index = id.slice(k.table.length + 1);
    if (index === 'PRIMARY') {
      const serial = Object.entries(def.columns).some(([c, d]) => d.type === 'serial' && k.cols.length === 1 && k.cols[0] === c);
      if (!serial) def.primaryKey = k.cols;
      continue;
    }
    const key = k.unique ? 'unique' : 'indexes';
    def[key] = { ...(def[key] ?? {}), [shortName(k.table, index)]: k.cols };
  }
  return out;
}
