// Speed of the web layer, measured on a real `aegir serve` process:
// - node view: median server time (Server-Timing app;dur) of /node/N;
// - admin content list: median server time of a page of 50 out of 10,000
//   nodes (/admin/content?page=100, as user 1);
// - front page throughput with 50 concurrent keep-alive clients, against a
//   bare express "hello world" served the same way in the same run.
// The 10,000 nodes are written straight into the SQLite database (a load
// fixture: no hooks run for them); everything read is read through the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { mintToken } from '../core/http/session-token.js';
import { childEnv, copyCodebase, fmt, isMain, machine, median, printFigures, REPO, type Figure } from './util.js';

const NODES = 10_000;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Answer { status: number; serverMs: number }

function get(base: string, host: string, path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent, headers: { host, ...(cookie ? { cookie } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, serverMs: Number(/app;dur=([\d.]+)/.exec(String(res.headers['server-timing']))?.[1] ?? NaN) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function start(args: string[], cwd: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text: string | null = '';
    const onData = (c: Buffer): void => {
      if (text === null) return;
      text += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      // Found: stop keeping output (the request log keeps coming).
      if (m) { text = null; resolve({ child, base: m[1]! }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${text}`)));
  });
}

async function serverTimes(base: string, host: string, paths: () => string, n: number, cookie?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const a = await get(base, host, paths(), cookie);
    if (a.status !== 200) throw new Error(`${paths()} answered ${a.status}`);
    if (i >= 20) out.push(a.serverMs);
  }
  return out;
}

/** Requests per second of `path` with `clients` concurrent keep-alive loops for `seconds`. */
async function throughput(base: string, host: string, path: string, clients: number, seconds: number): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < until) {
      const a = await get(base, host, path);
      if (a.status !== 200) throw new Error(`${path} answered ${a.status}`);
      done++;
    }
  }));
  return done / seconds;
}

function seed(siteDir: string): string {
  const db = new Database(join(siteDir, 'private', 'site.sqlite'));
  const now = Date.now();
  const insert = db.prepare('INSERT INTO node (type, title, uid, status, promote, sticky, created, changed, data) VALUES (?, ?, 1, 1, 1, 0, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < NODES; i++) {
      insert.run(i % 3 ? 'article' : 'page', `Benchmark node ${i} ${randomBytes(4).toString('hex')}`, now - i * 1000, now - i * 1000,
        JSON.stringify(i % 3 ? { body: `Body of node ${i}. `.repeat(20), tags: 'bench' } : { body: `Body of page ${i}. `.repeat(20) }));
    }
  })();
  // A session for user 1, as the browser would hold after logging in (a token the site can check).
  const { hashSalt } = JSON.parse(readFileSync(join(siteDir, 'settings.json'), 'utf8')) as { hashSalt: string };
  const token = mintToken(hashSalt);
  db.prepare('INSERT INTO core_sessions (sid, uid, data, created, accessed, expires) VALUES (?, 1, ?, ?, ?, ?)')
    .run(createHash('sha256').update(token).digest('hex'), '{}', now, now, now + 86_400_000);
  db.close();
  return `aegir_${createHash('sha256').update('web.test').digest('hex').slice(0, 12)}=${token}`;
}

/** Run the benchmark and return its figures. */
export async function main(): Promise<Figure[]> {
  console.log(`web: node view, a page of 50 of ${NODES} nodes, front page throughput (50 clients) vs bare express`);
  const copy = await copyCodebase();
  const children: ChildProcess[] = [];
  try {
    await copy.aegir(['site-install', 'standard', '--uri=web.test', '-q']);
    const cookie = seed(join(copy.root, 'sites', 'web.test'));
    const app = await start([join(copy.root, 'bin', 'aegir'), 'serve', '--port=0'], copy.root);
    children.push(app.child);
    let k = 0;
    const view = await serverTimes(app.base, 'web.test', () => `/node/${1 + ((k++ * 37) % NODES)}`, 200);
    const list = await serverTimes(app.base, 'web.test', () => '/admin/content?page=100', 100, cookie);
    const hello = await start([join(REPO, 'bench', 'hello-express.mjs')], REPO);
    children.push(hello.child);
    const helloRps = await throughput(hello.base, 'localhost', '/', 50, 5);
    const frontRps = await throughput(app.base, 'web.test', '/', 50, 5);
    console.log(`  node view server time: median ${fmt(median(view))} ms (n=${view.length})`);
    console.log(`  admin content page of 50/${NODES}: median ${fmt(median(list))} ms (n=${list.length})`);
    console.log(`  front page: ${fmt(frontRps)} req/s; bare express hello world: ${fmt(helloRps)} req/s; ratio ${fmt(frontRps / helloRps)}`);
    const figures: Figure[] = [
      { name: 'node view, median server time', value: median(view), unit: 'ms', target: 10 },
      { name: `admin content, 50 of ${NODES} nodes, median server time`, value: median(list), unit: 'ms', target: 30 },
      { name: 'front page, 50 clients', value: frontRps, unit: 'req/s', baseline: { name: 'express hello world', value: helloRps } },
    ];
    printFigures(figures);
    return figures;
  } finally {
    agent.destroy();
    for (const c of children) c.kill('SIGTERM');
    copy.cleanup();
  }
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
