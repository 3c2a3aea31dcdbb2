// Backup of a site with 200 MB of files and a 100 MB MariaDB database:
// wall time and size of `aegir @site provision-backup` (dump by the
// platform's sql-dump, sha256 of every member, tar.gz through the executor)
// against the plainest way to save the same data in the same run,
// `tar czf` of the site folder plus `mysqldump` of its database. Rounds
// alternate between the two; the figures are the medians. The data is text
// made of a fixed vocabulary (compresses about 2.5x), in 400 files of 512 kB
// and 25,000 node rows of 4 kB.
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../core/database/connect.js';
import type { MysqlSettings } from '../core/database/db-url.js';
import { writeOptionFile } from '../core/database/mysql-options.js';
import { findProgram } from '../core/util/exec.js';
import { mariadb, stopMariadb } from '../test/harness/mariadb.js';
import { childEnv, copyCodebase, endBackend, fmt, isMain, machine, median, nowNs, printFigures, type Figure } from './util.js';
import { freePort } from '../test/harness/ports.js';

const FILES_MB = 200;
const DB_MB = 100;
const ROUNDS = 3;
const SITE = 'bench.test';

/** 8 MB of text from a vocabulary of 8,000 made-up words, to cut files and rows from. */
function textPool(): string {
  const words = Array.from({ length: 8000 }, () => randomBytes(8).toString('base64').replace(/[^a-z]/gi, '').toLowerCase().slice(0, 3 + randomInt(8)) || 'x');
  const parts: string[] = [];
  let n = 0;
  while (n < 8 << 20) {
    const w = words[randomInt(words.length)]!;
    const sep = randomInt(12) === 0 ? '.\n' : ' ';
    parts.push(w, sep);
    n += w.length + sep.length;
  }
  return parts.join('');
}

const slice = (pool: string, bytes: number): string => {
  const at = randomInt(pool.length - bytes);
  return pool.slice(at, at + bytes);
};

/** Milliseconds one program takes from spawn to exit, its standard output going to `out` when given. */
function timed(file: string, args: readonly string[], opts: { cwd: string; out?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    const child = spawn(file, [...args], { cwd: opts.cwd, env: childEnv(), stdio: ['ignore', opts.out ? 'pipe' : 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    const sink = opts.out ? createWriteStream(opts.out) : undefined;
    if (sink) child.stdout!.pipe(sink);
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = (nowNs() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${file} ${args.join(' ')} failed (${code}): ${err}`));
      if (sink) sink.once('close', () => resolve(ms)).end();
      else resolve(ms);
    });
  });
}

/** Run the benchmark and return its figures. */
export async function main(): Promise<Figure[]> {
  console.log(`backup: a site with ${FILES_MB} MB of files and a ${DB_MB} MB MariaDB database; provision-backup vs tar czf + mysqldump, ${ROUNDS} rounds`);
  const home = mkdtempSync(join(tmpdir(), 'aegir-bench-home-'));
  const out = mkdtempSync(join(tmpdir(), 'aegir-bench-out-'));
  const savedHome = process.env.AEGIR_HOME;
  process.env.AEGIR_HOME = home;
  const copy = await copyCodebase();
  const aegir = (args: readonly string[]): Promise<string> => copy.aegir(args);
  try {
    const admin = (await mariadb()).admin;
    const passFile = join(home, 'admin-pass');
    writeFileSync(passFile, admin.password, { mode: 0o600 });
    await aegir(['provision-save', '@server_bench', '--context-type=server', '--host=localhost', '--http=builtin', `--http-settings=port=${await freePort()}`,
      '--db=mysql', `--db-settings=host=${admin.host},port=${admin.port},adminUser=${admin.user}`, `--db-admin-pass-file=${passFile}`, '--app=builtin']);
    await aegir(['@server_bench', 'provision-verify']);
    await aegir(['provision-save', '@platform_bench', '--context-type=platform', '--server=@server_bench', `--platform-root=${copy.root}`]);
    await aegir(['provision-save', `@${SITE}`, '--context-type=site', '--platform=@platform_bench', '--db-server=@server_bench', '--profile=standard']);
    await aegir([`@${SITE}`, 'provision-install']);

    const siteDir = join(copy.root, 'sites', SITE);
    const db = (JSON.parse(readFileSync(join(siteDir, 'settings.json'), 'utf8')) as { database: MysqlSettings }).database;
    const pool = textPool();
    mkdirSync(join(siteDir, 'files', 'bench'), { recursive: true });
    for (let i = 0; i < FILES_MB * 2; i++) writeFileSync(join(siteDir, 'files', 'bench', `file-${i}.txt`), slice(pool, 512 * 1024));
    const conn = await openDatabase(db, siteDir);
    try {
      const now = Date.now();
      for (let i = 0; i < DB_MB * 250; i += 250) {
        await conn('node').insert(Array.from({ length: 250 }, (_, j) => ({
          type: 'article', title: slice(pool, 60), uid: 1, status: 1, promote: 1, sticky: 0, created: now - i - j, changed: now, data: JSON.stringify({ body: slice(pool, 4000) }),
        })));
      }
    } finally {
      await conn.destroy();
    }

    const dumpTool = await findProgram(['mariadb-dump', 'mysqldump']);
    if (!dumpTool) throw new Error('mysqldump is not installed');
    const opt = writeOptionFile(db);
    const ours: number[] = [];
    const base: number[] = [];
    let oursBytes = 0;
    let baseBytes = 0;
    let dumpBytes = 0;
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const tarMs = await timed('tar', ['czf', join(out, 'files.tar.gz'), '-C', join(copy.root, 'sites'), SITE], { cwd: out });
        const dumpMs = await timed(dumpTool, [`--defaults-extra-file=${opt.path}`, '--single-transaction', '--quick', '--', db.database], { cwd: out, out: join(out, 'dump.sql') });
        base.push(tarMs + dumpMs);
        dumpBytes = statSync(join(out, 'dump.sql')).size;
        baseBytes = statSync(join(out, 'files.tar.gz')).size + dumpBytes;
        console.log(`  round ${r + 1}: tar czf ${fmt(tarMs)} ms + mysqldump ${fmt(dumpMs)} ms = ${fmt(tarMs + dumpMs)} ms, ${fmt(baseBytes / 1e6)} MB`);
        const t0 = nowNs();
        const result = JSON.parse(await aegir([`@${SITE}`, 'provision-backup', '--format=json'])) as { file: string; bytes: number };
        const ms = (nowNs() - t0) / 1e6;
        ours.push(ms);
        oursBytes = result.bytes;
        console.log(`  round ${r + 1}: provision-backup ${fmt(ms)} ms, ${fmt(oursBytes / 1e6)} MB`);
        rmSync(result.file, { force: true });
      }
    } finally {
      opt.remove();
    }
    const files = FILES_MB * 2 * 512 * 1024;
    console.log(`  data: ${fmt(files / 1e6)} MB of files, dump ${fmt(dumpBytes / 1e6)} MB`);
    console.log(`  time ratio ${fmt(median(ours) / median(base))} (goal <= 1.15); size ratio ${fmt(oursBytes / baseBytes)} (goal <= 1.15)`);
    const figures: Figure[] = [
      { name: `provision-backup, ${FILES_MB} MB files + ${DB_MB} MB db, median wall time`, value: median(ours), unit: 'ms', target: Math.round(median(base) * 1.15), baseline: { name: 'tar czf + mysqldump', value: median(base) } },
      { name: `provision-backup, ${FILES_MB} MB files + ${DB_MB} MB db, archive size`, value: oursBytes / 1e6, unit: 'MB', target: Math.round((baseBytes / 1e6) * 1.15), baseline: { name: 'tar.gz + dump', value: baseBytes / 1e6 } },
    ];
    printFigures(figures);
    return figures;
  } finally {
    endBackend(home, savedHome);
    await stopMariadb();
    copy.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
