import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';
import { DUMP_CHUNK_ROWS, writerFor, type DumpOptions } from './dump-options.js';
import { describeSqlite, describeTables } from './introspect.js';
import { createTable, dropTables, validateSchema, type ColumnDefinition, type SchemaDefinition, type TableDefinition } from './schema.js';
import { withSqliteSnapshot } from './sqlite-snapshot.js';

/**
 * The portable dump: a site database as JSON lines that either driver can
 * import, so that a site can move from SQLite to MySQL and back. An SQL
 * dump speaks one driver's dialect; this speaks the framework's own table
 * definitions.
 *
 * ```
 * {"format":"aegir-portable-dump","version":1,"from":"sqlite"}
 * {"table":"node","definition":{...TableDefinition}}
 * {"rows":[[1,"article",...],...]}          values in the definition's column order
 * {"end":true,"tables":7,"rows":2500}       a dump without it is truncated
 * ```
 * Blobs are `{"b64":"..."}`, booleans true/false, everything else JSON.
 */
export const PORTABLE_FORMAT = 'aegir-portable-dump';

/** Whether a dump's first bytes are those of a portable dump. */
export function isPortableDump(head: string): boolean {
  return head.trimStart().startsWith(`{"format":"${PORTABLE_FORMAT}"`);
}

/** Bytes of JSON after which a rows line, or an insert, is cut (MySQL's max_allowed_packet is 16 MB by default). */
const BYTES_PER_BATCH = 4 << 20;

/** The rows of one table as value arrays in `cols` order, streamed, in a stable order. */
type RowSource = (table: string, def: TableDefinition, cols: string[]) => Iterable<unknown[]> | AsyncIterable<unknown[]>;

/**
 * Write the whole database as a portable dump, from one consistent
 * snapshot: on SQLite a WAL read transaction on a connection of its own
 * (SqliteSnapshot), so that the site's own connection stays free and
 * writable; on MySQL a transaction (InnoDB's repeatable read). Rows are
 * streamed in key order, one rows line of at most DUMP_CHUNK_ROWS at a time.
 */
export async function writePortableDump(db: Knex, driver: 'sqlite' | 'mysql', out: Writable, opts: DumpOptions = {}): Promise<{ tables: number; rows: number }> {
  if (driver === 'sqlite') {
    return withSqliteSnapshot(db, async (snap) =>
      writeTables(await describeSqlite((sql) => snap.all(sql)), driver, (table, _def, cols) => snap.rows(table, { columns: cols, bigints: true }), out, opts));
  }
  return db.transaction(async (trx) => writeTables(await describeTables(trx, driver), driver, (table, def, cols) => mysqlRows(trx, table, def, cols), out, opts));
}

async function* mysqlRows(trx: Knex.Transaction, table: string, def: TableDefinition, cols: string[]): AsyncIterable<unknown[]> {
  const order = def.primaryKey ?? cols.filter((c) => def.columns[c]!.type === 'serial');
  for await (const row of trx(table).select(cols).orderBy(order.length ? [...order] : cols.slice(0, 1)).stream() as AsyncIterable<Record<string, unknown>>) {
    yield cols.map((c) => row[c]);
  }
}

async function writeTables(schema: SchemaDefinition, driver: 'sqlite' | 'mysql', source: RowSource, out: Writable, opts: DumpOptions): Promise<{ tables: number; rows: number }> {
  const write = writerFor(out);
  await write(`${JSON.stringify({ format: PORTABLE_FORMAT, version: 1, from: driver })}\n`);
  let rows = 0;
  for (const [table, def] of Object.entries(schema)) {
    await write(`${JSON.stringify({ table, definition: def })}\n`);
    const cols = Object.keys(def.columns);
    let batch: string[] = [];
    let bytes = 0;
    let done = 0;
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      await write(`{"rows":[${batch.join(',')}]}\n`);
      rows += batch.length;
      done += batch.length;
      batch = [];
      bytes = 0;
      await opts.onProgress?.({ table, rows: done });
    };
    for await (const row of source(table, def, cols)) {
      const json = JSON.stringify(cols.map((c, i) => encode(def.columns[c]!, row[i])));
      batch.push(json);
      bytes += json.length;
      if (batch.length === DUMP_CHUNK_ROWS || bytes >= BYTES_PER_BATCH) await flush();
    }
    await flush();
  }
  await write(`${JSON.stringify({ end: true, tables: Object.keys(schema).length, rows })}\n`);
  return { tables: Object.keys(schema).length, rows };
}

function encode(col: ColumnDefinition, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (col.type === 'boolean') return Boolean(Number(v));
  if (Buffer.isBuffer(v)) return { b64: v.toString('base64') };
  // SQLite's integers come as bigint so that 64-bit values survive; JSON numbers carry the safe ones.
  if (typeof v === 'bigint') return v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v.toString();
  return v;
}

/** Lines of a dump, from the start; called once per pass. */
export type DumpLines = () => AsyncIterable<string>;

/** A row value from the dump as the database takes it, or what is wrong with it. */
function decode(col: ColumnDefinition, v: unknown): { value: unknown } | { problem: string } {
  const ok = (value: unknown) => ({ value });
  const no = (problem: string) => ({ problem });
  if (v === null) return col.type !== 'serial' && col.nullable ? ok(null) : no('NULL in a NOT NULL column');
  switch (col.type) {
    case 'serial': case 'integer': return Number.isSafeInteger(v) ? ok(v) : no('not an integer');
    case 'bigint': return Number.isSafeInteger(v) || (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) ? ok(v) : no('not an integer');
    case 'float': return typeof v === 'number' ? ok(v) : no('not a number');
    case 'boolean': return typeof v === 'boolean' ? ok(v) : v === 0 || v === 1 ? ok(v === 1) : no('not true or false');
    case 'string': case 'text': return typeof v === 'string' ? ok(v) : no('not text');
    case 'blob': {
      const b64 = typeof v === 'object' && v !== null && Object.keys(v).length === 1 ? (v as { b64?: unknown }).b64 : undefined;
      return typeof b64 === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(b64) ? ok(Buffer.from(b64, 'base64')) : no('not {"b64": "..."}');
    }
  }
}

const COLUMN_KEYS: Readonly<Record<ColumnDefinition['type'], readonly string[]>> = {
  serial: [], string: ['length', 'default'], text: ['size'], integer: ['unsigned', 'default'], bigint: ['unsigned', 'default'], float: ['default'], boolean: ['default'], blob: [],
};

/** A table definition read from a file, checked key by key. */
function definitionOf(table: string, raw: unknown): TableDefinition {
  const bad = (problem: string): never => { throw new Error(`table "${table}": ${problem}`); };
  if (typeof raw !== 'object' || raw === null) return bad('no definition');
  const d = raw as Record<string, unknown>;
  if (typeof d.columns !== 'object' || d.columns === null) bad('no columns');
  for (const [c, col] of Object.entries(d.columns as Record<string, unknown>)) {
    const o = (typeof col === 'object' && col !== null ? col : {}) as Record<string, unknown>;
    const allowed = COLUMN_KEYS[o.type as ColumnDefinition['type']];
    if (!allowed) bad(`column "${c}" has no known type`);
    const extra = Object.keys(o).find((k) => !['type', 'nullable', 'description', ...allowed!].includes(k));
    if (extra) bad(`column "${c}" has an unknown key "${extra}"`);
  }
  for (const key of ['primaryKey', 'indexes', 'unique'] as const) {
    const v = d[key];
    if (v === undefined) continue;
    const lists = key === 'primaryKey' ? [v] : typeof v === 'object' && v !== null ? Object.values(v) : [null];
    if (!lists.every((l) => Array.isArray(l) && l.every((x) => typeof x === 'string'))) bad(`"${key}" must list column names`);
  }
  return { description: typeof d.description === 'string' ? d.description : table, columns: d.columns as TableDefinition['columns'],
    ...(d.primaryKey ? { primaryKey: d.primaryKey as string[] } : {}), ...(d.indexes ? { indexes: d.indexes as TableDefinition['indexes'] } : {}), ...(d.unique ? { unique: d.unique as TableDefinition['unique'] } : {}) };
}

/** One pass over a dump: every line checked; `onRows` gets each table's decoded rows. */
async function readDump(lines: DumpLines, onTable: (table: string, def: TableDefinition) => Promise<void>, onRows: (table: string, rows: Record<string, unknown>[]) => Promise<void>): Promise<{ tables: number; rows: number }> {
  let n = 0;
  let current: { table: string; def: TableDefinition; cols: string[] } | undefined;
  let rows = 0;
  const seen = new Set<string>();
  let end: { tables?: unknown; rows?: unknown } | undefined;
  for await (const line of lines()) {
    n++;
    if (!line.trim()) continue;
    const fail = (problem: string): never => { throw new Error(`line ${n}: ${problem}`); };
    if (end) fail('something follows the end line');
    let v: Record<string, unknown>;
    try { v = JSON.parse(line) as Record<string, unknown>; } catch { return fail('not JSON'); }
    if (n === 1) {
      if (v.format !== PORTABLE_FORMAT || v.version !== 1) fail(`not a portable dump of version 1`);
      continue;
    }
    if (typeof v.table === 'string') {
      if (seen.has(v.table)) fail(`table "${v.table}" comes twice`);
      seen.add(v.table);
      const def = definitionOf(v.table, v.definition);
      validateSchema('(portable dump)', { [v.table]: def });
      current = { table: v.table, def, cols: Object.keys(def.columns) };
      await onTable(v.table, def);
    } else if (Array.isArray(v.rows)) {
      const t = current ?? fail('rows before any table');
      const out = v.rows.map((row: unknown, i: number) => {
        if (!Array.isArray(row) || row.length !== t.cols.length) return fail(`row ${i + 1} of "${t.table}" does not have its ${t.cols.length} columns`);
        return Object.fromEntries(t.cols.map((c, j) => {
          const d = decode(t.def.columns[c]!, row[j]);
          return 'problem' in d ? fail(`"${t.table}.${c}" of row ${i + 1}: ${d.problem}`) : [c, d.value];
        }));
      });
      rows += out.length;
      await onRows(t.table, out);
    } else if (v.end === true) {
      end = v;
    } else {
      fail('neither a table, rows nor the end');
    }
  }
  if (n === 0) throw new Error('the dump is empty');
  if (!end) throw new Error('it ends before its end line: the dump is truncated');
  if (end.tables !== seen.size || end.rows !== rows) throw new Error(`its end line counts ${String(end.tables)} tables and ${String(end.rows)} rows, but it holds ${seen.size} and ${rows}`);
  return { tables: seen.size, rows };
}

/** Rows in inserts of at most `per` rows (SQLite's limit of bound values) and about BYTES_PER_BATCH bytes. */
function* chunks(rows: Record<string, unknown>[], per: number): Generator<Record<string, unknown>[]> {
  let out: Record<string, unknown>[] = [];
  let bytes = 0;
  for (const row of rows) {
    for (const v of Object.values(row)) bytes += typeof v === 'string' || Buffer.isBuffer(v) ? v.length : 8;
    out.push(row);
    if (out.length === per || bytes >= BYTES_PER_BATCH) { yield out; out = []; bytes = 0; }
  }
  if (out.length) yield out;
}

/**
 * Replace every table of a database with those of a portable dump. The
 * whole dump is read and checked first; nothing changes when any line is
 * wrong (ERR_DUMP_INVALID). On SQLite the import is one transaction; on
 * MySQL, where table changes cannot be rolled back, a failure drops what
 * the import created and leaves the database empty.
 */
export async function importPortableDump(db: Knex, driver: 'sqlite' | 'mysql', lines: DumpLines, file: string): Promise<{ tables: number; rows: number; dropped: number }> {
  const schema: Record<string, TableDefinition> = {};
  try {
    await readDump(lines, async (t, def) => { schema[t] = def; }, async () => undefined);
  } catch (e) {
    throw new AegirError('ERR_DUMP_INVALID', { file, problem: (e as Error).message }, { cause: e });
  }
  const load = async (k: Knex): Promise<{ tables: number; rows: number; dropped: number }> => {
    const existing = Object.keys(await describeTables(k, driver));
    await dropTables(k, existing);
    const created: string[] = [];
    try {
      const counts = await readDump(lines, async (t) => { await createTable(k, t, schema[t]!); created.push(t); }, async (t, rows) => {
        for (const chunk of chunks(rows, Math.max(1, Math.floor(30_000 / Object.keys(schema[t]!.columns).length)))) await k(t).insert(chunk);
      });
      return { ...counts, dropped: existing.length };
    } catch (e) {
      if (driver === 'mysql') await dropTables(k, created).catch(() => undefined);
      throw e;
    }
  };
  try {
    return driver === 'sqlite' ? await db.transaction(load) : await load(db);
  } catch (e) {
    throw new AegirError('ERR_DB_QUERY', { problem: `${(e as Error).message}; ${driver === 'sqlite' ? 'the import was rolled back and the database is unchanged' : 'the tables it created were dropped'}` }, { cause: e });
  }
}
