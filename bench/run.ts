// Runs every benchmark of the framework core in turn (`npm run bench`) and
// prints a summary table: each figure with the target, "ok" or
// "over", and its ratio to the baseline measured in the same run. Figures
// are reported, never asserted: the exit status is 0 whether targets are met
// or not, and 1 only when a benchmark could not run at all.
import { main as backup } from './backup.js';
import { main as boot } from './boot.js';
import { main as claims } from './claims.js';
import { main as cliStatus } from './cli-status.js';
import { main as contribSize } from './contrib-size.js';
import { main as hooks } from './hooks.js';
import { main as hostmaster } from './hostmaster.js';
import { main as migrate } from './migrate.js';
import { main as provision } from './provision.js';
import { main as proxy } from './proxy.js';
import { main as queue } from './queue.js';
import { main as serveMemory } from './serve-memory.js';
import { main as web } from './web.js';
import { fmt, machine, verdict, type Figure } from './util.js';

const benchmarks: readonly { readonly name: string; readonly run: () => Promise<Figure[]> }[] = [
  { name: 'cli-status', run: cliStatus },
  { name: 'hooks', run: hooks },
  { name: 'boot', run: boot },
  { name: 'serve-memory', run: serveMemory },
  { name: 'web', run: web },
  { name: 'provision', run: provision },
  { name: 'claims', run: claims },
  { name: 'proxy', run: proxy },
  { name: 'queue', run: queue },
  { name: 'backup', run: backup },
  { name: 'migrate', run: migrate },
  { name: 'hostmaster', run: hostmaster },
  { name: 'contrib-size', run: contribSize },
];

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

console.log(`aegir benchmarks; ${machine()}\n`);
const figures: Figure[] = [];
let failed = 0;
for (const b of benchmarks) {
  const t0 = Date.now();
  try {
    figures.push(...(await b.run()));
  } catch (e) {
    failed++;
    console.error(`${b.name} could not run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  console.log(`  (${b.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

const rows = [
  ['benchmark', 'figure', 'target', 'ok?', 'baseline', 'ratio'],
  ...figures.map((f) => [
    f.name,
    `${fmt(f.value)} ${f.unit}`,
    f.target === undefined ? '-' : `< ${f.target} ${f.unit}`,
    verdict(f),
    f.baseline ? `${f.baseline.name} ${fmt(f.baseline.value)} ${f.unit}` : '-',
    f.baseline ? `${fmt(f.value / f.baseline.value)}x` : '-',
  ]),
];
console.log(`Summary (${machine()})\n${table(rows)}`);
if (failed) {
  console.error(`\n${failed} benchmark(s) could not run.`);
  process.exitCode = 1;
}
