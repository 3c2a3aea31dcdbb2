// Cold start of the command line: wall time of `aegir --uri=bench.test
// status` as a fresh process, from spawn to exit, on an installed minimal
// site. It is what a person or the hosting front end waits for on every
// command (issue target: under 300 ms). A throw-away copy of the codebase
// gets its own dist/ bundle and V8 code cache, so the figure does not depend
// on the state of the repository's dist/. Baseline: `node -e 0`, the floor
// any Node program pays, measured in the same run.
import { copyCodebase, fmt, isMain, machine, median, printFigures, spread, wall, type Figure } from './util.js';

const N = 30;
const URI = 'bench.test';

/** Run the benchmark, print its details, and return its figures. */
export async function main(): Promise<Figure[]> {
  console.log(`cli-status: ${N} spawns of "aegir --uri=${URI} status" vs ${N} of "node -e 0"`);
  const copy = await copyCodebase();
  try {
    await copy.aegir(['site-install', 'minimal', `--uri=${URI}`]);
    // The first run writes the bundle's code cache; it is not timed.
    const warm = await copy.status(URI);
    if (!warm.installed) throw new Error(`status does not report ${URI} as installed: ${JSON.stringify(warm)}`);

    // Interleaved, so that a slow patch of the machine hits both series alike.
    const status: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < N; i++) {
      status.push(await copy.time([`--uri=${URI}`, 'status']));
      bare.push(await wall(process.execPath, ['-e', '0'], copy.root));
    }

    const ms = median(status);
    const base = median(bare);
    console.log(`  aegir status: ${spread(status)}`);
    console.log(`  node -e 0:    ${spread(bare)}`);
    console.log(`  median difference (aegir's own work): ${fmt(ms - base)} ms; ratio ${fmt(ms / base)}x`);
    const figures: Figure[] = [
      { name: '`aegir status` cold start, median wall', value: ms, unit: 'ms', target: 300, baseline: { name: 'node -e 0', value: base } },
    ];
    printFigures(figures);
    return figures;
  } finally {
    copy.cleanup();
  }
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
