import type { Knex } from 'knex';
import { AegirError } from '../errors/aegir-error.js';

interface ColumnBase {
  /** Whether NULL is allowed (default false). */
  readonly nullable?: boolean;
  /** What the column holds. */
  readonly description?: string;
}

/** A typed column definition; each type takes only the options that make sense for it. */
export type ColumnDefinition =
  | (ColumnBase & { readonly type: 'serial' })
  | (ColumnBase & { readonly type: 'string'; readonly length?: number; readonly default?: string })
  | (ColumnBase & { readonly type: 'text'; readonly size?: 'normal' | 'medium' | 'long' })
  | (ColumnBase & { readonly type: 'integer' | 'bigint'; readonly unsigned?: boolean; readonly default?: number })
  | (ColumnBase & { readonly type: 'float'; readonly default?: number })
  | (ColumnBase & { readonly type: 'boolean'; readonly default?: boolean })
  | (ColumnBase & { readonly type: 'blob' });

/** A table: its columns, primary key, indexes and unique keys. */
export interface TableDefinition {
  readonly description: string;
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  /** Primary key columns; a `serial` column is the primary key by itself. */
  readonly primaryKey?: readonly string[];
  readonly indexes?: Readonly<Record<string, readonly string[]>>;
  readonly unique?: Readonly<Record<string, readonly string[]>>;
}

/** The tables a module owns, by name. */
export type SchemaDefinition = Readonly<Record<string, TableDefinition>>;

const IDENT = /^[a-z][a-z0-9_]{0,62}$/;

/** Check a schema before touching the database: names, key columns, serial placement. */
export function validateSchema(module: string, schema: SchemaDefinition): void {
  const bad = (problem: string): never => { throw new AegirError('ERR_SCHEMA_INVALID', { module, problem }); };
  for (const [table, def] of Object.entries(schema)) {
    if (!IDENT.test(table)) bad(`table name "${table}" must be lower case letters, digits and "_"`);
    const cols = Object.keys(def.columns);
    if (!cols.length) bad(`table "${table}" has no columns`);
    for (const c of cols) if (!IDENT.test(c)) bad(`column "${table}.${c}" must be lower case letters, digits and "_"`);
    const serials = cols.filter((c) => def.columns[c]!.type === 'serial');
    if (serials.length > 1) bad(`table "${table}" has more than one serial column`);
    if (serials.length && def.primaryKey) bad(`table "${table}" has a serial column and a primaryKey; the serial column is the key`);
    const keyed = [...(def.primaryKey ?? []), ...Object.values(def.indexes ?? {}).flat(), ...Object.values(def.unique ?? {}).flat()];
    for (const k of keyed) if (!cols.includes(k)) bad(`table "${table}" names key column "${k}", which it does not have`);
    for (const name of [...Object.keys(def.indexes ?? {}), ...Object.keys(def.unique ?? {})]) {
      if (!IDENT.test(name)) bad(`index name "${name}" on "${table}" must be lower case letters, digits and "_"`);
    }
  }
}

/** Create one table from its definition. */
export async function createTable(db: Knex, name: string, def: TableDefinition): Promise<void> {
  await db.schema.createTable(name, (t) => {
    for (const [col, c] of Object.entries(def.columns)) {
      let b: Knex.ColumnBuilder;
      switch (c.type) {
        case 'serial': b = t.increments(col, { primaryKey: true }); break;
        case 'string': b = t.string(col, c.length ?? 255); if (c.default !== undefined) b.defaultTo(c.default); break;
        case 'text': b = t.text(col, c.size === 'long' ? 'longtext' : c.size === 'medium' ? 'mediumtext' : 'text'); break;
        case 'integer': b = t.integer(col); if (c.unsigned) b.unsigned(); if (c.default !== undefined) b.defaultTo(c.default); break;
        case 'bigint': b = t.bigInteger(col); if (c.unsigned) b.unsigned(); if (c.default !== undefined) b.defaultTo(c.default); break;
        case 'float': b = t.double(col); if (c.default !== undefined) b.defaultTo(c.default); break;
        case 'boolean': b = t.boolean(col); if (c.default !== undefined) b.defaultTo(c.default); break;
        case 'blob': b = t.binary(col); break;
      }
      if (c.type !== 'serial') {
        if (c.nullable) b.nullable(); else b.notNullable();
      }
    }
    if (def.primaryKey) t.primary([...def.primaryKey], `${name}_pkey`);
    for (const [idx, cols] of Object.entries(def.indexes ?? {})) t.index([...cols], `${name}__${idx}`);
    for (const [idx, cols] of Object.entries(def.unique ?? {})) t.unique([...cols], { indexName: `${name}__${idx}` });
  });
}

/**
 * Create every table of a module's schema. MySQL cannot roll DDL back, so
 * this keeps its own record: if any table fails, the ones it created are
 * dropped again before the error is passed on. A table that already exists
 * is an error (ERR_TABLE_EXISTS), never silently reused.
 */
export async function installSchema(db: Knex, module: string, schema: SchemaDefinition): Promise<string[]> {
  validateSchema(module, schema);
  for (const table of Object.keys(schema)) {
    if (await db.schema.hasTable(table)) throw new AegirError('ERR_TABLE_EXISTS', { table, module });
  }
  const created: string[] = [];
  try {
    for (const [table, def] of Object.entries(schema)) {
      await createTable(db, table, def);
      created.push(table);
    }
  } catch (e) {
    await dropTables(db, created);
    throw e;
  }
  return created;
}

/** Drop tables, last created first; tables already gone are skipped. */
export async function dropTables(db: Knex, tables: readonly string[]): Promise<void> {
  for (const t of [...tables].reverse()) await db.schema.dropTableIfExists(t);
}
