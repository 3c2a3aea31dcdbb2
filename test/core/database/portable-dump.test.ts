import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import { openDatabase, openServer } from '../../../core/database/connect.js';
import { describeTables } from '../../../core/database/introspect.js';
import { importPortableDump, writePortableDump, type DumpLines } from '../../../core/database/portable-dump.js';
import { createTable, type SchemaDefinition } from '../../../core/database/schema.js';
import { DRIVERS, type Driver } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { mariadb } from '../../harness/mariadb.js';

/** Every column type the framework has, with defaults, nulls, keys and indexes. */
const SCHEMA: SchemaDefinition = {
  everything: {
    description: 'all types',
    columns: {
      id: { type: 'serial' }, name: { type: 'string', length: 64, default: "it's" }, body: { type: 'text', size: 'long' }, note: { type: 'text', nullable: true },
      count: { type: 'integer', default: 5 }, big: { type: 'bigint', default: -3 }, ratio: { type: 'float', default: 1.5 },
      flag: { type: 'boolean', default: true }, data: { type: 'blob', nullable: true },
    },
    indexes: { by_name: ['name', 'count'] },
    unique: { one_big: ['big'] },
  },
  pairs: { description: 'composite key', columns: { k: { type: 'string' }, n: { type: 'integer' }, v: { type: 'text', nullable: true } }, primaryKey: ['k', 'n'] },
};

const TRICKY = ["it's", 'back\\slash', 'new\nline', 'Grüße 🌍', "'); DROP TABLE pairs; --", '{"rows":[]}\n{"end":true}'];

function rowsOf(i: number) {
  return {
    name: TRICKY[i % TRICKY.length]!, body: 'x'.repeat(i * 37), note: i % 3 ? null : `note ${i}`, count: i, big: 2 ** 40 + i,
    ratio: i / 4, flag: i % 2 === 0, data: i % 4 ? Buffer.from([0, 255, i, 10, 13, 39]) : null,
  };
}

interface Db { knex: Knex; driver: Driver; drop(): Promise<void> }

async function freshDb(driver: Driver): Promise<Db> {
  if (driver === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aegir-portable-'));
    mkdirSync(join(dir, 'private'));
    const knex = await openDatabase({ driver: 'sqlite', file: 'private/x.sqlite' }, dir, { create: true });
    return { knex, driver, async drop() { await knex.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const m = await mariadb();
  const settings = m.database('portable');
  const admin = await openServer(settings);
  await admin.raw(`CREATE DATABASE \`${settings.database}\``);
  const knex = await openDatabase(settings, tmpdir());
  return { knex, driver, async drop() { await knex.destroy(); await admin.raw(`DROP DATABASE \`${settings.database}\``); await admin.destroy(); } };
}

async function dumpOf(db: Db): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writePortableDump(db.knex, db.driver, out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

const linesOf = (text: string): DumpLines => async function* () { yield* text.split('\n'); };

async function contents(k: Knex): Promise<unknown[]> {
  const a = (await k('everything').orderBy('id')).map((r: Record<string, unknown>) => ({ ...r, flag: Boolean(r.flag), big: Number(r.big), data: r.data === null ? null : Buffer.from(r.data as Buffer).toString('hex') }));
  return [a, await k('pairs').orderBy(['k', 'n'])];
}

describe('portable dumps between SQLite and MySQL', function () {
  this.timeout(60_000);
  const sources = new Map<Driver, { db: Db; dump: string; rows: unknown[] }>();
  before(async () => {
    for (const driver of DRIVERS) {
      const db = await freshDb(driver);
      for (const [t, def] of Object.entries(SCHEMA)) await createTable(db.knex, t, def);
      for (let i = 0; i < 1200; i++) await db.knex('everything').insert(rowsOf(i));
      await db.knex('pairs').insert([{ k: 'a', n: 1, v: null }, { k: 'a', n: 2, v: 'two' }, { k: 'b', n: 1, v: TRICKY[4] }]);
      sources.set(driver, { db, dump: await dumpOf(db), rows: await contents(db.knex) });
    }
  });
  after(async () => { for (const s of sources.values()) await s.db.drop(); });

  it('reads the tables back into the definitions they were made from (MySQL exactly, SQLite with text widened)', async () => {
    const my = await describeTables(sources.get('mysql')!.db.knex, 'mysql');
    expect(my.everything!.columns).to.deep.equal({ ...SCHEMA.everything!.columns, note: { type: 'text', size: 'normal', nullable: true } });
    expect(my.everything!.indexes).to.deep.equal(SCHEMA.everything!.indexes);
    expect(my.everything!.unique).to.deep.equal(SCHEMA.everything!.unique);
    expect(my.pairs!.primaryKey).to.deep.equal(['k', 'n']);
    const lite = await describeTables(sources.get('sqlite')!.db.knex, 'sqlite');
    expect(lite.everything!.columns.body).to.deep.equal({ type: 'text', size: 'long' });
    expect(lite.everything!.columns.id).to.deep.equal({ type: 'serial' });
    expect(lite.everything!.columns.flag).to.deep.equal({ type: 'boolean', default: true });
    expect(lite.everything!.columns.name).to.deep.equal({ type: 'string', length: 64, default: "it's" });
    expect(lite.everything!.unique).to.deep.equal(SCHEMA.everything!.unique);
    expect(lite.pairs!.primaryKey).to.deep.equal(['k', 'n']);
  });

  for (const from of DRIVERS) {
    for (const to of DRIVERS) {
      it(`${from} -> ${to}: the same rows, keys and next serial`, async () => {
        const src = sources.get(from)!;
        const target = await freshDb(to);
        try {
          // A table the target had before is replaced, not kept beside.
          await createTable(target.knex, 'stale', { description: 'old', columns: { x: { type: 'integer' } } });
          const r = await importPortableDump(target.knex, to, linesOf(src.dump), 'test');
          expect(r).to.deep.equal({ tables: 2, rows: 1203, dropped: 1 });
          expect(await contents(target.knex)).to.deep.equal(src.rows);
          expect(await target.knex.schema.hasTable('stale')).to.equal(false);
          const [id] = await target.knex('everything').insert(rowsOf(5000));
          expect(Number(id)).to.equal(1201);
          let refused = 0;
          for (const row of [{ k: 'a', n: 1 }, { ...rowsOf(1), big: 2 ** 40 + 1 }]) {
            try { await target.knex(Object.keys(row).length === 2 ? 'pairs' : 'everything').insert(row); } catch { refused++; }
          }
          expect(refused, 'the primary and unique keys hold').to.equal(2);
        } finally {
          await target.drop();
        }
      });
    }
  }

  it('carries rows larger than MySQL takes in one statement (3 rows of 6 MB) from SQLite to MariaDB', async () => {
    const src = await freshDb('sqlite');
    const target = await freshDb('mysql');
    try {
      await createTable(src.knex, 'big', { description: 'big', columns: { id: { type: 'serial' }, body: { type: 'text', size: 'long' } } });
      const bodies = ['a', 'b', 'c'].map((ch) => ch.repeat(6 << 20));
      for (const body of bodies) await src.knex('big').insert({ body });
      const dump = await dumpOf(src);
      expect(dump.split('\n').filter((l) => l.startsWith('{"rows"')).length, 'one line per big row').to.equal(3);
      await importPortableDump(target.knex, 'mysql', linesOf(dump), 'test');
      const back = await target.knex('big').orderBy('id').select('body');
      expect(back.map((r: { body: string }) => r.body.length)).to.deep.equal([6 << 20, 6 << 20, 6 << 20]);
      expect(back.map((r: { body: string }) => r.body[0])).to.deep.equal(['a', 'b', 'c']);
    } finally {
      await src.drop();
      await target.drop();
    }
  });

  const broken: [string, (d: string) => string][] = [
    ['a truncated dump (no end line)', (d) => d.split('\n').slice(0, -3).join('\n')],
    ['an end line whose counts do not add up', (d) => d.replace(/"rows":1203/, '"rows":1202')],
    ['not a portable dump', () => 'CREATE TABLE x (y int);'],
    ['a row with a column too few', (d) => d.replace('{"rows":[[1,', '{"rows":[[')],
    ['text where an integer belongs', (d) => d.replace(/\{"rows":\[\[1,/, '{"rows":[["1",')],
    ['NULL in a NOT NULL column', (d) => d.replace(/\{"rows":\[\[1,"it's"/, '{"rows":[[1,null')],
    ['a table name that is SQL', (d) => d.replace('{"table":"pairs"', '{"table":"pairs`; DROP TABLE everything; --"')],
    ['a column type that does not exist', (d) => d.replace('"type":"blob"', '"type":"geometry"')],
    ['a column with a key a definition cannot have', (d) => d.replace('"type":"blob"', '"type":"blob","default":"x"')],
    ['a table that comes twice', (d) => d.replace(/\n(\{"table":"pairs".*)\n/, '\n$1\n$1\n')],
    ['a blob that is not base64', (d) => d.replace(/\{"b64":"[^"]*"\}/, '{"b64":"$(rm -rf /)"}')],
    ['a line that is not JSON', (d) => d.replace('\n{"table":"pairs"', '\n{"table":\n{"table":"pairs"')],
  ];
  for (const driver of DRIVERS) {
    for (const [what, spoil] of broken) {
      it(`refuses ${what} on ${driver} with ERR_DUMP_INVALID, changing nothing`, async () => {
        const target = await freshDb(driver);
        try {
          await createTable(target.knex, 'kept', { description: 'kept', columns: { x: { type: 'integer' } } });
          await target.knex('kept').insert({ x: 42 });
          const spoiled = spoil(sources.get('sqlite')!.dump);
          expect(spoiled).to.not.equal(sources.get('sqlite')!.dump);
          await expectCode(importPortableDump(target.knex, driver, linesOf(spoiled), 'test'), 'ERR_DUMP_INVALID');
          expect(await target.knex('kept').select('x')).to.deep.equal([{ x: 42 }]);
          expect(await target.knex.schema.hasTable('everything')).to.equal(false);
        } finally {
          await target.drop();
        }
      });
    }
  }

});
