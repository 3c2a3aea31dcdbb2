import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/database/connect.js';
import { dumpDatabase } from '../../../core/database/dump.js';
import type { DumpOptions, DumpProgress } from '../../../core/database/dump-options.js';
import { importPortableDump, writePortableDump } from '../../../core/database/portable-dump.js';
import { createTable } from '../../../core/database/schema.js';

/** A live SQLite site database: knex (the site's connection) and its file. */
interface Live { knex: Knex; file: string; dir: string; drop(): Promise<void> }

async function liveDb(): Promise<Live> {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-snapshot-'));
  mkdirSync(join(dir, 'private'));
  const knex = await openDatabase({ driver: 'sqlite', file: 'private/site.sqlite' }, dir, { create: true });
  return { knex, dir, file: join(dir, 'private', 'site.sqlite'), async drop() { await knex.destroy(); rmSync(dir, { recursive: true, force: true }); } };
}

const ROWS = 3000;

/** `items` (3,000 rows, dumped first) and `zlog` (dumped after it, so writes to it land while `items` is read). */
async function seed(live: Live): Promise<void> {
  await createTable(live.knex, 'items', { description: 'rows', columns: { id: { type: 'serial' }, label: { type: 'string' }, n: { type: 'bigint' } } });
  await createTable(live.knex, 'zlog', { description: 'later table', columns: { k: { type: 'string' }, v: { type: 'integer' } }, primaryKey: ['k'] });
  await live.knex.transaction(async (trx) => {
    for (let i = 0; i < ROWS; i += 500) {
      await trx('items').insert(Array.from({ length: 500 }, (_, j) => ({ label: `item ${i + j + 1}`, n: 2 ** 53 + 2 * (i + j) })));
    }
    await trx('zlog').insert([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
  });
}

/** Both tables in key order, as plain values (64-bit integers as text), from any better-sqlite3 connection. */
function contents(db: Database.Database): { items: unknown[]; zlog: unknown[] } {
  return {
    items: db.prepare('SELECT id, label, CAST(n AS TEXT) AS n FROM items ORDER BY id').all(),
    zlog: db.prepare('SELECT k, v FROM zlog ORDER BY k').all(),
  };
}

/**
 * The writes another connection makes while the dump runs: after the first
 * chunk, 500 rows ahead of the dump deleted, 100 updated, 200 inserted (and
 * a row of the table dumped next); after the second, 50 rows already dumped
 * deleted. The writer has no busy timeout, so any lock the dump held would
 * fail its writes with SQLITE_BUSY at once. One insert goes through the
 * site's own knex connection, which the dump must not hold either.
 */
function concurrentWriter(live: Live): { opts: DumpOptions; seen: DumpProgress[]; deleted: () => number } {
  const writer = new Database(live.file);
  writer.pragma('busy_timeout = 0');
  const seen: DumpProgress[] = [];
  let deleted = 0;
  const onProgress = async (p: DumpProgress): Promise<void> => {
    seen.push(p);
    if (p.table !== 'items') return;
    if (seen.length === 1) {
      writer.transaction(() => {
        deleted += writer.prepare('DELETE FROM items WHERE id BETWEEN 1001 AND 1500').run().changes;
        writer.prepare("UPDATE items SET label = 'changed' WHERE id BETWEEN 2001 AND 2100").run();
        const add = writer.prepare('INSERT INTO items (label, n) VALUES (?, ?)');
        for (let i = 0; i < 200; i++) add.run(`new ${i}`, i);
        writer.prepare("INSERT INTO zlog (k, v) VALUES ('c', 3)").run();
      })();
      await Promise.race([
        live.knex('zlog').insert({ k: 'd', v: 4 }),
        new Promise((_, reject) => setTimeout(() => reject(new Error("the site's own connection is held by the dump")), 3000)),
      ]);
    } else if (seen.length === 2) {
      deleted += writer.prepare('DELETE FROM items WHERE id <= 50').run().changes;
      writer.close();
    }
  };
  return { opts: { onProgress }, seen, deleted: () => deleted };
}

async function capture(fn: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await fn(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('SQLite dumps read one snapshot of a live site', () => {
  let live: Live;
  let before: ReturnType<typeof contents>;
  beforeEach(async () => {
    live = await liveDb();
    await seed(live);
    const peek = new Database(live.file, { readonly: true });
    before = contents(peek);
    peek.close();
    expect(before.items).to.have.length(ROWS);
  });
  afterEach(async () => { await live.drop(); });

  /** The concurrent writes all happened, on the live database, while the dump was at its first chunks. */
  function expectWritesLanded(w: ReturnType<typeof concurrentWriter>): void {
    expect(w.seen.slice(0, 2)).to.deep.equal([{ table: 'items', rows: 500 }, { table: 'items', rows: 1000 }]);
    expect(w.deleted(), 'the writer deleted 550 rows while the snapshot was open').to.equal(550);
    const now = new Database(live.file, { readonly: true });
    const after = contents(now);
    now.close();
    expect(after.items).to.have.length(ROWS - 550 + 200);
    expect(after.zlog).to.have.length(4);
  }

  it('a dump is one snapshot: rows deleted and inserted while it runs neither vanish nor appear (SQL dump)', async () => {
    const w = concurrentWriter(live);
    const sql = await capture((out) => dumpDatabase(live.knex, { driver: 'sqlite', file: 'private/site.sqlite' }, out, w.opts));
    expectWritesLanded(w);
    const restored = new Database(':memory:');
    restored.exec(sql);
    expect(contents(restored)).to.deep.equal(before);
    restored.close();
  });

  it('a dump is one snapshot: rows deleted and inserted while it runs neither vanish nor appear (portable dump)', async () => {
    const w = concurrentWriter(live);
    const dump = await capture((out) => writePortableDump(live.knex, 'sqlite', out, w.opts));
    expectWritesLanded(w);
    const target = await liveDb();
    try {
      const r = await importPortableDump(target.knex, 'sqlite', async function* () { yield* dump.split('\n'); }, 'test');
      expect(r.rows).to.equal(ROWS + 2);
      const restored = new Database(target.file, { readonly: true });
      expect(contents(restored)).to.deep.equal(before);
      restored.close();
    } finally {
      await target.drop();
    }
  });

  it('dumps rows in storage order: rowid, or the primary key of a WITHOUT ROWID table, also when a column is named rowid', async () => {
    await live.knex.raw('CREATE TABLE wr (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID');
    await live.knex.raw('CREATE TABLE shadow (rowid TEXT, v INTEGER)');
    for (const k of ['m', 'c', 'x', 'a']) {
      await live.knex('wr').insert({ k, v: 1 });
      await live.knex('shadow').insert({ rowid: k, v: 1 });
    }
    const sql = await capture((out) => dumpDatabase(live.knex, { driver: 'sqlite', file: 'private/site.sqlite' }, out));
    const keys = (t: string) => [...sql.matchAll(new RegExp(`^INSERT INTO "${t}" VALUES\\('(\\w)'`, 'gm'))].map((m) => m[1]);
    expect(keys('wr')).to.deep.equal(['a', 'c', 'm', 'x']);
    expect(keys('shadow')).to.deep.equal(['m', 'c', 'x', 'a']);
  });
});
