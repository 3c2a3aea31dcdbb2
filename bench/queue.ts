// The task queue and its dispatcher, in process, on SQLite:
// - queued to claimed: 200 tasks queued one after another (each on its own
//   site), each claimed by an in-process dispatcher woken by the queue's
//   bell; median and p99 of claim time minus queue time (issue goal: median
//   under 5 ms, p99 under 50 ms). Baseline in the same run: the same wait
//   with the bell silenced, so that only the poll (every 100 ms) finds them.
// - with 1,000,000 task rows over 10,000 sites: the claim (one task
//   queued) and one page of a site's tasks, medians of 50 (goal: under 5 ms
//   each). Baseline: a primary-key lookup of one task in the same table.
import type { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../core/database/connect.js';
import { coreSchema } from '../core/database/core-schema.js';
import { createTable } from '../core/database/schema.js';
import { silentLogger } from '../core/logger/logger.js';
import { ring } from '../modules/hosting/queue/bell.js';
import { Dispatcher } from '../modules/hosting/queue/dispatcher.js';
import { queueSchema } from '../modules/hosting/queue/schema.js';
import { TaskQueue } from '../modules/hosting/queue/store.js';
import { fmt, isMain, machine, median, percentile, printFigures, type Figure } from './util.js';

async function freshDb(dir: string, name: string): Promise<Knex> {
  const db = await openDatabase({ driver: 'sqlite', file: `${name}.sqlite` }, dir, { create: true });
  for (const [t, def] of Object.entries({ core_lock: coreSchema.core_lock!, ...queueSchema })) await createTable(db, t, def);
  return db;
}

/** Queue `n` tasks one by one and measure each one's wait until claimed. */
async function latency(db: Knex, n: number, bell: boolean): Promise<number[]> {
  const claimed = new Map<number, number>();
  const d = new Dispatcher({ db, limits: { global: 4, perServer: 4 }, logger: silentLogger(), pollMs: 100, heartbeatMs: 5000, id: `bench-${bell}`,
    runner: async (task) => { claimed.set(task.nid, performance.now()); return { status: 'success' }; } });
  await d.start();
  const waits: number[] = [];
  for (let i = 1; i <= n; i++) {
    const nid = (bell ? 0 : 100_000) + i;
    const t0 = performance.now();
    await TaskQueue.insert(db, nid, { nid, taskType: 'verify', objectNid: nid, objectKind: 'site', siteNid: nid, platformNid: 1, serverNid: 1, args: {}, uid: 1 });
    if (bell) ring(db);
    while (!claimed.has(nid)) await new Promise((r) => setImmediate(r));
    waits.push(claimed.get(nid)! - t0);
  }
  await d.stop();
  return waits;
}

/** 1,000,000 finished task rows over 10,000 sites, written in big transactions. */
async function fill(db: Knex): Promise<void> {
  const raw = (db.client as { acquireConnection(): Promise<{ prepare(s: string): { run(...a: unknown[]): void }; exec(s: string): void }> });
  const conn = await raw.acquireConnection();
  const insert = conn.prepare('INSERT INTO hosting_task (nid, task_type, object_nid, object_kind, site_nid, platform_nid, server_nid, status, args, uid, queued_at, started_at, finished_at, runs, cancel_requested) VALUES (?, ?, ?, \'site\', ?, ?, 1, ?, \'{}\', 1, ?, ?, ?, 1, 0)');
  const statuses = ['success', 'success', 'success', 'warning', 'error'];
  conn.exec('BEGIN');
  for (let i = 1; i <= 1_000_000; i++) {
    const site = 1 + (i % 10_000);
    const t = 1_700_000_000_000 + i * 1000;
    insert.run(1_000_000 + i, i % 3 ? 'backup' : 'verify', site, site, 1 + (site % 20), statuses[i % 5], t, t + 10, t + 5000);
    if (i % 100_000 === 0) { conn.exec('COMMIT'); conn.exec('BEGIN'); }
  }
  conn.exec('COMMIT');
  await (db.client as { releaseConnection(c: unknown): Promise<void> }).releaseConnection(conn);
}

async function timeIt(n: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Run the benchmark; returns its figures. */
export async function main(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-bench-queue-'));
  try {
    const db = await freshDb(dir, 'latency');
    const rung = await latency(db, 200, true);
    const polled = await latency(db, 50, false);
    await db.destroy();
    console.log(`queued to claimed, in process: median ${fmt(median(rung))} ms, p99 ${fmt(percentile(rung, 99))} ms (200 tasks); by the poll alone: median ${fmt(median(polled))} ms`);
    const big = await freshDb(dir, 'big');
    const t0 = Date.now();
    await fill(big);
    console.log(`filled 1,000,000 task rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const queue = new TaskQueue(big);
    let next = 1;
    const claim = await timeIt(50, async () => {
      const nid = next++;
      await TaskQueue.insert(big, nid, { nid, taskType: 'verify', objectNid: 20_000 + nid, objectKind: 'site', siteNid: 20_000 + nid, platformNid: 1, serverNid: 2, args: {}, uid: 1 });
      const got = await queue.claim('bench', { global: 100, perServer: 100 }, 1);
      if (got.length !== 1) throw new Error('the claim took nothing');
      await queue.finish(nid, 'bench', 'success', {});
    });
    const page = await timeIt(50, async () => {
      const site = 1 + Math.floor(Math.random() * 10_000);
      await big('hosting_task').where({ object_nid: site }).orderBy('queued_at', 'desc').limit(50).select('nid', 'task_type', 'status', 'queued_at');
    });
    const lookup = await timeIt(50, async () => { await big('hosting_task').where({ nid: 1_000_000 + Math.floor(Math.random() * 1_000_000) }).first(); });
    await big.destroy();
    console.log(`with 1,000,000 rows: queue + claim + finish ${fmt(claim)} ms; a page of a site's tasks ${fmt(page)} ms; a lookup by id ${fmt(lookup)} ms`);
    return [
      { name: 'queued to claimed, in-process dispatcher, median (200 tasks)', value: median(rung), unit: 'ms', target: 5, baseline: { name: 'found by the 100 ms poll alone', value: median(polled) } },
      { name: 'queued to claimed, in-process dispatcher, p99', value: percentile(rung, 99), unit: 'ms', target: 50 },
      { name: 'queue + claim + finish of one task among 1,000,000 rows', value: claim, unit: 'ms', target: 5, baseline: { name: 'a lookup by id', value: lookup } },
      { name: 'one page (50) of a site\'s tasks among 1,000,000 rows', value: page, unit: 'ms', target: 5, baseline: { name: 'a lookup by id', value: lookup } },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  console.log(`queue benchmark; ${machine()}`);
  printFigures(await main());
}
