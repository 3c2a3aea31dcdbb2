// The built-in reverse proxy (`aegir provision-proxy`, the embedded default
// web server): requests per second with 50 concurrent keep-alive clients
// through the proxy to an app on a unix socket, and the median latency of
// single requests, against the same app asked directly on its socket in the
// same run. The app is a bare node:http server answering a small page, so
// the ratio is the proxy's own cost (routing, header cleaning, timeouts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/harness/ports.js';
import { childEnv, fmt, isMain, machine, median, printFigures, REPO, type Figure } from './util.js';

const SECONDS = 4;
const CLIENTS = 50;

const APP = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'text/html'); s.end('<p>' + 'x'.repeat(2000) + '</p>'); }).listen(process.argv[1], () => console.log('ready'));`;

function spawnReady(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`exited ${c}`)));
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => { const c = createConnection(port, '127.0.0.1'); c.once('connect', () => { c.destroy(); r(true); }); c.once('error', () => r(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

function once(opts: RequestOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => { res.resume(); res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)))); });
    req.on('error', reject);
    req.end();
  });
}

/** Requests per second with CLIENTS keep-alive clients for SECONDS, and the median latency of single requests after. */
async function load(target: RequestOptions): Promise<{ rps: number; latencyMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const until = Date.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (Date.now() < until) { await once({ ...target, agent }); n++; }
  }));
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await once({ ...target, agent });
    lat.push(performance.now() - t0);
  }
  agent.destroy();
  return { rps: n / SECONDS, latencyMs: median(lat) };
}

/** Run the benchmark; returns its figures. */
export async function main(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-bench-proxy-'));
  const socket = join(dir, 'app.sock');
  const routes = join(dir, 'routes.json');
  writeFileSync(routes, JSON.stringify({ sites: { 'bench.test': { upstream: { socket }, aliases: [], redirection: false, enabled: true } } }));
  const port = await freePort();
  const children: ChildProcess[] = [];
  try {
    children.push(await spawnReady(['-e', APP, socket]));
    const proxy = spawn(process.execPath, [join(REPO, 'bin', 'aegir'), 'provision-proxy', `--port=${port}`, `--routes=${routes}`], { env: childEnv(), stdio: 'ignore' });
    children.push(proxy);
    await waitPort(port);
    const direct = await load({ socketPath: socket, path: '/', headers: { host: 'bench.test' } });
    const proxied = await load({ host: '127.0.0.1', port, path: '/', headers: { host: 'bench.test' } });
    console.log(`proxy: ${fmt(proxied.rps)} req/s, ${fmt(proxied.latencyMs)} ms median; direct: ${fmt(direct.rps)} req/s, ${fmt(direct.latencyMs)} ms`);
    return [
      { name: `built-in proxy throughput, ${CLIENTS} keep-alive clients`, value: proxied.rps, unit: 'req/s', baseline: { name: 'the app asked directly', value: direct.rps } },
      { name: 'built-in proxy latency of one request', value: proxied.latencyMs, unit: 'ms', baseline: { name: 'the app asked directly', value: direct.latencyMs } },
    ];
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  console.log(`proxy benchmark; ${machine()}`);
  printFigures(await main());
}
