// Migration of a site between two platforms on one server (embedded
// defaults: SQLite, built-in proxy, built-in app supervision): wall time of
// `aegir @site provision-migrate --platform=@other` and how long the site is
// unavailable, both as the task reports it (time on the maintenance page)
// and as a client sees it (a poller through the proxy, every ~20 ms). The
// site is a standard install with 2,000 extra node rows and 200 MB of files;
// rounds alternate a->b and b->a. Baseline, in the same rounds: the bare
// data move a migration cannot avoid, `cp -a` of the site folder plus the
// platform's `sql-dump`.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../core/database/connect.js';
import type { DatabaseSettings } from '../core/database/db-url.js';
import { getWithHost } from '../modules/provision/tasks/checks.js';
import { freePort } from '../test/harness/ports.js';
import { copyCodebase, endBackend, fmt, isMain, machine, median, nowNs, printFigures, wall, type CodebaseCopy, type Figure } from './util.js';

const ROUNDS = 5;
const NODES = 2000;
// Size of the site's files; AEGIR_BENCH_FILES_MB changes it (the copy before the maintenance page shows at larger sizes).
const FILES_MB = Number(process.env.AEGIR_BENCH_FILES_MB ?? 200);
const SITE = 'bench.test';
const POLL_MS = 20;

/** A poller of `GET /` through the proxy; `stop()` gives the longest run of non-200 answers. */
function poller(port: number): { stop(): Promise<{ longestMs: number; polls: number }> } {
  let running = true;
  let longest = 0;
  let polls = 0;
  let downSince: number | undefined;
  // Sequential, not on an interval: a slow answer must not pile up requests
  // that would themselves slow the migration down. A stretch runs from the
  // send of its first failing poll to the send of the next good one, so it
  // is exact to about one poll interval.
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      let ok = false;
      try { ok = (await getWithHost('127.0.0.1', port, SITE, '/', 2000)).status === 200; } catch { /* refused or timed out: down */ }
      polls++;
      if (!ok) downSince ??= t;
      else if (downSince !== undefined) {
        longest = Math.max(longest, t - downSince);
        downSince = undefined;
      }
      await sleep(POLL_MS);
    }
    // Still down when the command exited: count what was seen.
    if (downSince !== undefined) longest = Math.max(longest, performance.now() - downSince);
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { longestMs: longest, polls };
    },
  };
}

/** 2,000 node rows straight into the site's database, so the dump and import have something to carry. */
async function addNodes(siteDir: string): Promise<void> {
  const db = (JSON.parse(readFileSync(join(siteDir, 'settings.json'), 'utf8')) as { database: DatabaseSettings }).database;
  const conn = await openDatabase(db, siteDir);
  try {
    const now = Date.now();
    for (let i = 0; i < NODES; i += 100) {
      await conn('node').insert(Array.from({ length: 100 }, (_, j) => ({
        type: 'article', title: `Bench node ${i + j}`, uid: 1, status: 1, promote: 0, sticky: 0, created: now - i - j, changed: now,
        data: JSON.stringify({ body: randomBytes(1500).toString('base64') }),
      })));
    }
  } finally {
    await conn.destroy();
  }
}

/** Run the benchmark and return its figures. */
export async function main(): Promise<Figure[]> {
  console.log(`migrate: a standard site (+${NODES} nodes, ${FILES_MB} MB of files) between two platforms on SQLite, ${ROUNDS} rounds a<->b; baseline cp -a of the site folder + sql-dump`);
  const home = mkdtempSync(join(tmpdir(), 'aegir-bench-home-'));
  const out = mkdtempSync(join(tmpdir(), 'aegir-bench-out-'));
  const savedHome = process.env.AEGIR_HOME;
  process.env.AEGIR_HOME = home;
  const copies: CodebaseCopy[] = [];
  try {
    // Two copies, each with its own bundle, so both directions run the same code the same way.
    copies.push(await copyCodebase(), await copyCodebase());
    const [a, b] = copies as [CodebaseCopy, CodebaseCopy];
    const aegir = (args: readonly string[]): Promise<string> => a.aegir(args);
    const port = await freePort();
    await aegir(['provision-save', '@server_bench', '--context-type=server', '--host=localhost', '--http=builtin', `--http-settings=port=${port}`, '--db=sqlite', '--app=builtin']);
    await aegir(['@server_bench', 'provision-verify']);
    const platforms = [{ name: 'platform_a', root: a.root }, { name: 'platform_b', root: b.root }];
    for (const p of platforms) {
      await aegir(['provision-save', `@${p.name}`, '--context-type=platform', '--server=@server_bench', `--platform-root=${p.root}`]);
      // A target platform is verified before sites move to it; this also starts its app process, which is not what we time.
      await aegir([`@${p.name}`, 'provision-verify']);
    }
    await aegir(['provision-save', `@${SITE}`, '--context-type=site', '--platform=@platform_a', '--db-server=@server_bench', '--profile=standard']);
    await aegir([`@${SITE}`, 'provision-install']);
    const siteA = join(a.root, 'sites', SITE);
    await addNodes(siteA);
    mkdirSync(join(siteA, 'files', 'bench'), { recursive: true });
    for (let i = 0; i < FILES_MB * 4; i++) writeFileSync(join(siteA, 'files', 'bench', `file-${i}.bin`), randomBytes(256 * 1024));

    const migrateMs: number[] = [];
    const reportedMs: number[] = [];
    const seenMs: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const from = platforms[r % 2]!;
      const to = platforms[(r + 1) % 2]!;
      const siteDir = join(from.root, 'sites', SITE);
      const cpMs = await wall('cp', ['-a', '--', siteDir, join(out, 'site')], out);
      const dumpMs = await wall(process.execPath, [join(from.root, 'bin', 'aegir'), `--uri=${SITE}`, 'sql-dump', `--result-file=${join(out, 'dump.sql')}`, '-q'], from.root);
      rmSync(join(out, 'site'), { recursive: true, force: true });
      rmSync(join(out, 'dump.sql'), { force: true });
      base.push(cpMs + dumpMs);

      const poll = poller(port);
      const t0 = nowNs();
      // Wall time ends at the child's exit, before the poller is stopped; the poller stops whether or not the migrate failed.
      const migrated = aegir([`@${SITE}`, 'provision-migrate', `--platform=@${to.name}`, '--format=json']).then((s) => ({ stdout: s, ms: (nowNs() - t0) / 1e6 }));
      const seen = await migrated.then(() => poll.stop(), () => poll.stop());
      const { stdout, ms } = await migrated;
      const { unavailableMs } = JSON.parse(stdout) as { unavailableMs: number | null };
      if (typeof unavailableMs !== 'number') throw new Error(`provision-migrate reported no unavailableMs: ${stdout}`);
      if (existsSync(siteDir) || !existsSync(join(to.root, 'sites', SITE))) throw new Error(`the site did not move from ${from.name} to ${to.name}`);
      migrateMs.push(ms);
      reportedMs.push(unavailableMs);
      seenMs.push(seen.longestMs);
      console.log(`  round ${r + 1} ${from.name} -> ${to.name}: migrate ${fmt(ms)} ms, maintenance page ${fmt(unavailableMs)} ms (task), `
        + `longest non-200 ${fmt(seen.longestMs)} ms (poller, ${seen.polls} polls); baseline cp -a ${fmt(cpMs)} + sql-dump ${fmt(dumpMs)} = ${fmt(cpMs + dumpMs)} ms`);
    }
    console.log(`  medians: migrate ${fmt(median(migrateMs))} ms, unavailable ${fmt(median(reportedMs))} ms (task) / ${fmt(median(seenMs))} ms (poller), baseline ${fmt(median(base))} ms`);
    const figures: Figure[] = [
      { name: `provision-migrate between platforms, ${FILES_MB} MB files + ${NODES} nodes, median wall time`, value: median(migrateMs), unit: 'ms', baseline: { name: 'cp -a + sql-dump', value: median(base) } },
      { name: 'provision-migrate, median unavailable (maintenance page, as reported by the task)', value: median(reportedMs), unit: 'ms', baseline: { name: 'cp -a + sql-dump', value: median(base) } },
      { name: `provision-migrate, median longest non-200 stretch seen by a client (poll every ${POLL_MS} ms)`, value: median(seenMs), unit: 'ms' },
    ];
    printFigures(figures);
    return figures;
  } finally {
    for (const c of copies) c.cleanup();
    rmSync(out, { recursive: true, force: true });
    endBackend(home, savedHome);
  }
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
