// The hosting queue on the real back end:
// - queued to claimed with `aegir hosting-queued` as a process of its own
//   (default poll 100 ms), 30 verify tasks of a server one after another,
//   with the hostmaster on SQLite and on MariaDB (goal: median under 100 ms);
// - queued to the first back-end log line stored, against a bare
//   `node -e 0` start measured in the same run;
// - 100 site installs queued at once over two servers with the queue's
//   default limits (as many at once as the machine has cores, at least 2;
//   2 per server; AEGIR_BENCH_LIMIT and AEGIR_BENCH_PER_SERVER change
//   them) against the same number one at a time (goal: at
//   least 1.6x on 2 cores).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_ACCOUNT } from '../modules/hosting/commands/common.js';
import { defaultLimits } from '../modules/hosting/queue/limits.js';
import { queueTask } from '../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../modules/node/storage.js';
import { stopMariadb } from '../test/harness/mariadb.js';
import { freePort } from '../test/harness/ports.js';
import { hostmasterEnv, until, type HostmasterEnv } from '../test/modules/hosting/env.js';
import type { Spawned } from '../test/modules/provision/env.js';
import { fmt, isMain, machine, median, printFigures, type Figure } from './util.js';

const LATENCY_TASKS = 30;
const INSTALLS = Number(process.env.AEGIR_BENCH_INSTALLS ?? 100);
/** The limits of the run with several at once: the queue's defaults unless the environment says otherwise. */
const LIMITS = {
  global: Number(process.env.AEGIR_BENCH_LIMIT ?? defaultLimits().global),
  perServer: Number(process.env.AEGIR_BENCH_PER_SERVER ?? defaultLimits().perServer),
};
const AT_ONCE = `${LIMITS.global} at once, ${LIMITS.perServer} per server`;

async function daemon(h: HostmasterEnv): Promise<Spawned> {
  const s = h.pe.spawn(['--uri=hostmaster.test', 'hosting-queued', '--backend']);
  let text = '';
  s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
  await until(() => text.includes('is running'), 30_000);
  return s;
}

/** Wait times of verify tasks queued one after another: claimed and first log line, minus queued. */
async function latencies(driver: 'sqlite' | 'mysql'): Promise<{ claim: number[]; firstLine: number[] }> {
  const h = await hostmasterEnv(driver);
  const d = await daemon(h);
  try {
    const server = await h.addServer();
    await h.ended(await h.lastTask(server));
    const claim: number[] = [];
    const firstLine: number[] = [];
    for (let i = 0; i < LATENCY_TASKS; i++) {
      const q = await queueTask(h.site, { type: 'verify', object: server, account: CONSOLE_ACCOUNT });
      await h.ended(q.node.nid);
      const t = (await h.site.db('hosting_task').where({ nid: q.node.nid }).first()) as { queued_at: number; started_at: number; run_id: number };
      const line = (await h.site.db('hosting_task_log').where({ rid: t.run_id }).orderBy('lid').first('time')) as { time: number };
      claim.push(Number(t.started_at) - Number(t.queued_at));
      firstLine.push(Number(line.time) - Number(t.queued_at));
    }
    return { claim, firstLine };
  } finally {
    d.child.kill('SIGTERM');
    await d.done;
    await h.stop();
  }
}

/** CPU time of the whole machine so far (all cores, user + system, in ms) from /proc/stat. */
function machineCpuMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait; clock ticks of 10 ms.
  return (fields.reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!) * 10;
}

/** CPU (ms) of this process (the dispatcher and its SQLite) and of the children it waited for (the back-end commands and what they ran). */
function ownCpuMs(): { self: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const [utime, stime, cutime, cstime] = f.slice(f.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number) as [number, number, number, number];
  return { self: (utime + stime) * 10, children: (cutime + cstime) * 10 };
}

/** CPU (ms) of a running process from /proc, 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [utime, stime] = f.slice(f.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number) as [number, number];
    return (utime + stime) * 10;
  } catch {
    return 0;
  }
}

/** CPU (ms) so far of the processes the back end started and left running, from their pid files: the built-in proxies and the app processes. */
function serviceCpuMs(runDirs: readonly string[]): { proxy: number; app: number } {
  const out = { proxy: 0, app: 0 };
  for (const dir of runDirs) {
    for (const f of existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.pid')) : []) {
      const ms = processCpuMs(Number(readFileSync(join(dir, f), 'utf8').trim()));
      if (f === 'proxy.pid') out.proxy += ms; else out.app += ms;
    }
  }
  return out;
}

/** Machine CPU used by each kind of run, to tell how busy the cores were (cores in use = CPU / wall), and where it went. */
const cpuUsed = { serial: 0, parallel: 0 };
const cpuParts = { serial: { self: 0, children: 0, proxy: 0, app: 0 }, parallel: { self: 0, children: 0, proxy: 0, app: 0 } };

/** Wall time of `n` installs over two servers with the given limits (in-process dispatcher). */
async function installs(h: HostmasterEnv, platforms: readonly number[], servers: readonly number[], prefix: string, n: number, limits: { global: number; perServer: number }, runDirs: readonly string[]): Promise<number> {
  const d = h.dispatcher(limits);
  const cpu0 = machineCpuMs();
  const own0 = ownCpuMs();
  // App processes start with a platform's first site: one that was not running before counts from 0.
  const services0 = serviceCpuMs(runDirs);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await saveNode(h.site, { type: 'site', title: `${prefix}${i}.bench.test`, fields: { platform: platforms[i % 2]!, db_server: servers[i % 2]!, profile: 'minimal' } }, { account: CONSOLE_ACCOUNT });
  }
  await d.start();
  // Polled every 200 ms, not every 20: the poll runs in the dispatcher's process and would take CPU from the tasks it times (most when several run at once, where the cores are full).
  for (;;) {
    const left = Number((await h.site.db('hosting_task').where({ task_type: 'install' }).whereIn('status', ['queued', 'processing']).count({ n: '*' }))[0]!.n);
    if (left === 0) break;
    if (performance.now() - t0 > 3_600_000) throw new Error(`${left} install(s) still queued or running after an hour`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const ms = performance.now() - t0;
  const kind = limits.global === 1 ? 'serial' : 'parallel';
  cpuUsed[kind] += machineCpuMs() - cpu0;
  const own1 = ownCpuMs();
  cpuParts[kind].self += own1.self - own0.self;
  cpuParts[kind].children += own1.children - own0.children;
  const services1 = serviceCpuMs(runDirs);
  cpuParts[kind].proxy += services1.proxy - services0.proxy;
  cpuParts[kind].app += services1.app - services0.app;
  await d.stop();
  const failed = Number((await h.site.db('hosting_task').where({ task_type: 'install', status: 'error' }).count({ n: '*' }))[0]!.n);
  if (failed) throw new Error(`${failed} install(s) failed`);
  return ms;
}

/** Run the benchmark; returns its figures. */
export async function main(): Promise<Figure[]> {
  const bare: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
  }
  // AEGIR_BENCH_LATENCY=0 leaves the latencies out (to look at the installs alone).
  const withLatency = process.env.AEGIR_BENCH_LATENCY !== '0';
  const sqlite = withLatency ? await latencies('sqlite') : { claim: [], firstLine: [] };
  const mysql = withLatency ? await latencies('mysql') : { claim: [], firstLine: [] };
  await stopMariadb();
  if (withLatency) console.log(`daemon, queued to claimed: SQLite ${fmt(median(sqlite.claim))} ms, MariaDB ${fmt(median(mysql.claim))} ms; to the first log line: ${fmt(median(sqlite.firstLine))} ms (node -e 0: ${fmt(median(bare))} ms)`);

  const h = await hostmasterEnv('sqlite');
  let parallel: number;
  let serial: number;
  const run2 = join(h.pe.home, 'run2');
  try {
    const d = h.dispatcher();
    await d.start();
    const first = await h.addServer();
    await h.ended(await h.lastTask(first));
    const port = await freePort();
    mkdirSync(run2, { recursive: true });
    const second = (await saveNode(h.site, { type: 'server', title: 'Second', fields: {
      context: 'server_second', host: 'localhost', http: 'builtin', http_settings: `port=${port},runDir=${run2}`, db: 'sqlite', app: 'builtin', app_settings: `runDir=${run2}`,
    } }, { account: CONSOLE_ACCOUNT })).nid;
    await h.ended(await h.lastTask(second));
    const { makeCodebase, REPO } = await import('../test/harness/codebase.js');
    const { symlinkSync } = await import('node:fs');
    const two = makeCodebase({ fixtures: false });
    symlinkSync(join(REPO, 'bin'), join(two.root, 'bin'));
    const platforms = [await h.addPlatform(first, 'platform_test', h.pe.platform.root), await h.addPlatform(second, 'platform_second', two.root)];
    for (const p of platforms) await h.ended(await h.lastTask(p));
    await d.stop();
    // The installs at once are one batch of INSTALLS queued together, as the figure says; the same installs one
    // at a time run half before it and half after, so that both meet as many sites already there on average.
    const dirs = [join(h.pe.home, 'run'), run2];
    const half = Math.floor(INSTALLS / 2);
    serial = await installs(h, platforms, [first, second], 'one0-', half, { global: 1, perServer: 1 }, dirs);
    parallel = await installs(h, platforms, [first, second], 'many-', INSTALLS, LIMITS, dirs);
    serial += await installs(h, platforms, [first, second], 'one1-', INSTALLS - half, { global: 1, perServer: 1 }, dirs);
    const runs = ((await h.site.db('hosting_task_run as r').join('hosting_task as t', 't.nid', 'r.task_nid').join('node as n', 'n.nid', 't.object_nid')
      .where('t.task_type', 'install').andWhere('n.title', 'like', 'one%').orderBy('r.rid').select('r.duration_ms')) as { duration_ms: number }[]).map((x) => Number(x.duration_ms));
    console.log(`one at a time, an install's run: median ${fmt(median(runs.slice(0, 10)))} ms for the first 10, ${fmt(median(runs.slice(-10)))} ms for the last 10`);
    two.cleanup();
  } finally {
    // The second server's proxy and app processes left their pids in run2, which the env does not know of.
    for (const f of existsSync(run2) ? readdirSync(run2).filter((n) => n.endsWith('.pid')) : []) {
      try { process.kill(Number(readFileSync(join(run2, f), 'utf8').trim()), 'SIGTERM'); } catch { /* not running */ }
    }
    await h.stop();
  }
  console.log(`${INSTALLS} installs over two servers: ${fmt(parallel / 1000)} s with ${AT_ONCE}, ${fmt(serial / 1000)} s one at a time: ${fmt(serial / parallel)}x`);
  console.log(`cores in use: ${fmt(cpuUsed.serial / serial)} one at a time, ${fmt(cpuUsed.parallel / parallel)} with ${AT_ONCE} (CPU ${fmt(cpuUsed.serial / 1000)} s and ${fmt(cpuUsed.parallel / 1000)} s)`);
  for (const k of ['serial', 'parallel'] as const) {
    const p = cpuParts[k];
    console.log(`  CPU ${k === 'serial' ? 'one at a time' : `with ${AT_ONCE}`}: dispatcher ${fmt(p.self / 1000)} s, back-end commands ${fmt(p.children / 1000)} s, built-in proxies ${fmt(p.proxy / 1000)} s, app processes ${fmt(p.app / 1000)} s, the rest (the kernel, other processes) ${fmt((cpuUsed[k] - p.self - p.children - p.proxy - p.app) / 1000)} s`);
  }
  if (!withLatency) return [{ name: `${INSTALLS} site installs over two servers, ${AT_ONCE}`, value: parallel, unit: 'ms', baseline: { name: 'one at a time', value: serial } }];
  return [
    { name: 'hosting-queued (own process, SQLite), queued to claimed, median', value: median(sqlite.claim), unit: 'ms', target: 100 },
    { name: 'hosting-queued (own process, MariaDB), queued to claimed, median', value: median(mysql.claim), unit: 'ms', target: 100 },
    { name: 'queued to the first back-end log line stored, median (SQLite)', value: median(sqlite.firstLine), unit: 'ms', baseline: { name: 'node -e 0', value: median(bare) } },
    { name: `${INSTALLS} site installs over two servers, ${AT_ONCE}`, value: parallel, unit: 'ms', baseline: { name: 'one at a time', value: serial } },
  ];
}

if (isMain(import.meta.url)) {
  console.log(`hosting benchmark; ${machine()}`);
  printFigures(await main());
}
