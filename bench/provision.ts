// Wall time of `aegir @site provision-install` of a standard site on the
// embedded defaults (SQLite, built-in proxy, built-in app supervision) and
// with MariaDB as the db server, on one machine. Each install runs the
// whole task: database and user, the platform's site-install, app process,
// virtual host, alias, and the check that the site answers through the
// proxy. Sites are deleted again between runs.
import { median } from './util.js';
import { fmt, isMain, machine, printFigures, type Figure } from './util.js';
import { provisionEnv } from '../test/modules/provision/env.js';
import { stopMariadb } from '../test/harness/mariadb.js';

const RUNS = 5;

async function timeInstalls(driver: 'sqlite' | 'mysql'): Promise<number[]> {
  const pe = await provisionEnv(driver);
  const times: number[] = [];
  try {
    // One install first, so the platform's app process and bundle are warm as they would be in use.
    for (let i = 0; i <= RUNS; i++) {
      const domain = `bench${i}.test`;
      const saved = await pe.aegir(['provision-save', `@${domain}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=standard']);
      if (saved.code !== 0) throw new Error(saved.stderr);
      const t0 = performance.now();
      const r = await pe.aegir([`@${domain}`, 'provision-install']);
      const ms = performance.now() - t0;
      if (r.code !== 0) throw new Error(r.stderr);
      if (i > 0) times.push(ms);
      await pe.aegir([`@${domain}`, 'provision-delete']);
    }
  } finally {
    await pe.stop();
  }
  return times;
}

/** Run the benchmark and return its figures. */
export async function main(): Promise<Figure[]> {
  console.log(`provision: ${RUNS} installs of a standard site per database kind`);
  const sqlite = await timeInstalls('sqlite');
  const mysql = await timeInstalls('mysql');
  await stopMariadb();
  console.log(`  SQLite:  ${sqlite.map(fmt).join(' / ')} ms`);
  console.log(`  MariaDB: ${mysql.map(fmt).join(' / ')} ms`);
  const figures: Figure[] = [
    { name: 'provision-install of a standard site, SQLite, median', value: median(sqlite), unit: 'ms' },
    { name: 'provision-install of a standard site, MariaDB, median', value: median(mysql), unit: 'ms', baseline: { name: 'SQLite', value: median(sqlite) } },
  ];
  printFigures(figures);
  return figures;
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
