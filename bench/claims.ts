// Task claims: what starting and ending a task's journal costs (the mutex,
// the scan of every other journal for a clash, the journal written with its
// claims) while 0, 100 and 1,000 other tasks hold names, as they will when
// the queue runs many tasks at once. Baseline, in the same run: the plainest
// exclusive journal, a file created with O_EXCL and removed, which stops two
// tasks on one context but not tasks meeting on another name.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../modules/provision/runner/journal.js';
import { fmt, isMain, machine, median, printFigures, type Figure } from './util.js';

const ROUNDS = 200;

/** Journals of `n` other running tasks (this process as their owner, so they count as running), each holding a platform shared. */
function others(home: string, n: number): void {
  mkdirSync(join(home, 'tasks'), { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(join(home, 'tasks', `other${i}.test.json`), JSON.stringify({
      task: 'backup', context: `other${i}.test`, owner: { pid: process.pid }, started: Date.now(),
      claims: [{ name: `platform_p${i % 10}`, mode: 'shared' }], options: {}, done: [], current: null, notes: {}, processes: [],
    }));
  }
}

async function timeStart(home: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const j = await Journal.start(home, { task: 'install', context: 'bench.test', claims: [{ name: 'platform_p0', mode: 'shared' }] });
    j.end();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function timeExclusiveFile(home: string): number {
  const times: number[] = [];
  const path = join(home, 'plain.json');
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    closeSync(openSync(path, 'wx', 0o640));
    writeFileSync(path, '{}\n');
    rmSync(path);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Run the benchmark; returns its figures. */
export async function main(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of [0, 100, 1000]) {
    const home = mkdtempSync(join(tmpdir(), 'aegir-bench-claims-'));
    try {
      others(home, n);
      const plain = timeExclusiveFile(home);
      const claims = await timeStart(home);
      console.log(`claims with ${n} other tasks: start+end ${fmt(claims)} ms (median of ${ROUNDS}); an exclusive file ${fmt(plain)} ms`);
      figures.push({ name: `task start+end with ${n} other tasks holding names`, value: claims, unit: 'ms', baseline: { name: 'an exclusive journal file', value: plain } });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return figures;
}

if (isMain(import.meta.url)) {
  console.log(`claims benchmark; ${machine()}`);
  printFigures(await main());
}
