// The first run and the whole life of a site:
// - from `npm start` on a fresh clone (dependencies installed: node_modules
//   linked) to a working wizard page (the token form answers 200): the
//   first start, which also builds dist/, then the median of later starts
//   on a fresh home (goal: under 3 s); `node -e 0` in the same run as the
//   baseline;
// - from the wizard's last submit (the answers) to a working admin page
//   (the hostmaster's own login page and the administrator's one-time link
//   both answer 200 on the port the wizard handed over) (goal: under 10 s);
// - the life of a site of test/browser/site-life.test.ts, run by mocha with
//   AEGIR_LIFE_TIMES: the time of each step and in all, on the embedded
//   defaults and on nginx and MariaDB (AEGIR_BENCH_LIFE=0 leaves it out).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/harness/ports.js';
import { childEnv, endBackend, fmt, isMain, machine, median, nowNs, printFigures, REPO, wall, type Figure } from './util.js';
import { localHttp as http } from '../test/harness/local-http.js';

const ROUNDS = Number(process.env.AEGIR_BENCH_ROUNDS ?? 3);
const TOKEN = /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/;

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh clone of this repository's committed tree with node_modules linked (as after npm install). */
function freshClone(): string {
  const root = mkdtempSync(join(tmpdir(), 'aegir-bench-clone-'));
  const r = spawnSync('git', ['clone', '--quiet', REPO, root], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`);
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  return root;
}

/** `npm start` on the clone with a fresh home; resolves once the wizard page answers, with the time it took. */
async function startWizard(root: string): Promise<{ ms: number; child: ChildProcess; home: string; port: number; token: string; out: () => string }> {
  const home = mkdtempSync(join(tmpdir(), 'aegir-bench-home-'));
  const port = await freePort();
  let text = '';
  const t0 = nowNs();
  const child = spawn('npm', ['start', '--silent', '--', `--port=${port}`], { cwd: root, env: { ...childEnv(), AEGIR_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { text += c.toString(); });
  await until(async () => (await http(port, 'GET', '/').catch(() => ({ status: 0, body: '' }))).status === 200, 120_000, `the wizard on port ${port}`);
  const ms = (nowNs() - t0) / 1e6;
  await until(() => TOKEN.test(text), 10_000, 'the setup token on the console');
  return { ms, child, home, port, token: TOKEN.exec(text)![0], out: () => text };
}

/** Stop an `npm start` and everything it started (its process group, then the back end's pid files). */
async function stop(w: { child: ChildProcess; home: string; out: () => string }): Promise<void> {
  // Stopped once it says it runs: a stop during the wizard's install ends the wizard, not what the install started.
  await until(() => w.out().includes('The hostmaster runs at'), 60_000, 'the hostmaster to say it runs').catch(() => undefined);
  try { process.kill(-w.child.pid!, 'SIGTERM'); } catch { /* gone */ }
  await until(() => w.child.exitCode !== null || w.child.signalCode !== null, 30_000, 'npm start to end').catch(() => { try { process.kill(-w.child.pid!, 'SIGKILL'); } catch { /* gone */ } });
  endBackend(w.home, process.env.AEGIR_HOME);
}

/** Token, then the answers; the time from the answers' submit until the hostmaster's login page and the admin's one-time link answer. */
async function installThroughWizard(w: { port: number; token: string }): Promise<number> {
  const right = await http(w.port, 'POST', '/setup/token', { form: { token: w.token } });
  if (right.status !== 303) throw new Error(`the token was refused (${right.status})`);
  const cookie = String(right.headers['set-cookie']).split(';')[0]!;
  const form = await http(w.port, 'GET', '/', { cookie });
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
  if (!csrf) throw new Error('no csrf token on the answers form');
  const t0 = nowNs();
  const go = await http(w.port, 'POST', '/setup/install', { cookie, form: { csrf, uri: 'localhost', http: 'builtin', http_port: String(w.port), db: 'sqlite', account_name: 'admin', account_mail: 'admin@example.com' } });
  if (go.status !== 303) throw new Error(`the answers were refused (${go.status}): ${go.body.slice(0, 500)}`);
  let login = '';
  await until(async () => {
    const p = await http(w.port, 'GET', '/setup/progress.json', { cookie }).catch(() => undefined);
    if (p?.status === 200 && p.headers['x-aegir-setup'] === '1') login = (JSON.parse(p.body) as { login: string | null }).login ?? login;
    return login !== '';
  }, 120_000, 'the login link');
  await until(async () => {
    const r = await http(w.port, 'GET', '/user/login').catch(() => undefined);
    return r?.status === 200 && r.headers['x-aegir-setup'] === undefined;
  }, 120_000, 'the hostmaster\'s login page');
  const link = await http(w.port, 'GET', new URL(login).pathname);
  if (link.status !== 200) throw new Error(`the one-time link answered ${link.status}`);
  return (nowNs() - t0) / 1e6;
}

/** The site-life browser test's step times, per stack. */
function siteLife(): Record<string, Record<string, number>> {
  const file = join(mkdtempSync(join(tmpdir(), 'aegir-bench-life-')), 'times.json');
  try {
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'test/browser/site-life.test.ts'], {
      cwd: REPO, env: { ...process.env, AEGIR_LIFE_TIMES: file }, encoding: 'utf8', maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`the site-life test failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, number>>;
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
}

/** Run the benchmark; returns its figures. */
export async function main(): Promise<Figure[]> {
  console.log('hostmaster: npm start to the wizard, the wizard to the admin page, and the life of a site');
  const root = freshClone();
  const starts: number[] = [];
  const installs: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      bare.push(await wall(process.execPath, ['-e', '0'], root));
      const w = await startWizard(root);
      starts.push(w.ms);
      try {
        installs.push(await installThroughWizard(w));
      } finally {
        await stop(w);
      }
      // The next round starts on a codebase without a hostmaster again.
      rmSync(join(root, 'sites', 'localhost'), { recursive: true, force: true });
      console.log(`  round ${i + 1}: npm start to the wizard ${fmt(starts.at(-1)!)} ms${i === 0 ? ' (builds dist/ first)' : ''}; submit to the admin page ${fmt(installs.at(-1)!)} ms`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const later = starts.slice(1);
  const figures: Figure[] = [
    { name: 'npm start to the wizard page, first start of a fresh clone (builds dist/)', value: starts[0]!, unit: 'ms', target: 3000 },
    ...(later.length ? [{ name: 'npm start to the wizard page, later starts (median)', value: median(later), unit: 'ms' as const, target: 3000, baseline: { name: 'node -e 0', value: median(bare) } }] : []),
    { name: 'wizard submit to a working admin page (median)', value: median(installs), unit: 'ms', target: 10_000 },
  ];
  if (process.env.AEGIR_BENCH_LIFE !== '0') {
    for (const [stack, times] of Object.entries(siteLife())) {
      const total = Object.values(times).reduce((a, b) => a + b, 0);
      console.log(`  life of a site on ${stack}: ${Object.entries(times).map(([k, v]) => `${k} ${fmt(v / 1000)} s`).join('; ')}`);
      figures.push({ name: `life of a site on ${stack}, in all`, value: total, unit: 'ms' });
    }
  }
  printFigures(figures);
  return figures;
}

if (isMain(import.meta.url)) {
  console.log(machine());
  main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
}
