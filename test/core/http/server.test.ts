import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type express from 'express';
import { createApp } from '../../../core/http/app.js';
import { listen, type Running } from '../../../core/http/server.js';
import type { SitePool } from '../../../core/http/site-pool.js';
import { expectCode } from '../../harness/expect.js';
import { Client, rawRequest, webSite, type WebSite } from './client.js';

/** A unix socket file left behind by a process that died without closing it. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`], { stdio: 'ignore' });
  await once(child, 'exit');
  if (!existsSync(path) || !statSync(path).isSocket()) throw new Error('could not make a stale socket');
}

describe('listen() (sqlite)', () => {
  let ws: WebSite;
  let app: express.Express;
  let pool: SitePool;
  let dir: string;
  const running: Running[] = [];
  const blockers: Server[] = [];

  before(async () => {
    ws = await webSite('sqlite');
    ({ app, pool } = createApp({ codebase: ws.tc.codebase, logger: ws.tc.logger }));
  });
  after(async () => {
    await pool.closeAll();
    await ws.site.close();
    ws.tc.cleanup();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aegir-listen-'));
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop(100);
    for (const b of blockers.splice(0)) await new Promise((resolve) => b.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a loopback port of the system\'s choice and says where', async () => {
    const r = await listen(app, { port: 0, host: '127.0.0.1' });
    running.push(r);
    const port = Number(new URL(r.where).port);
    expect(r.where).to.equal(`http://127.0.0.1:${port}`);
    expect(port).to.be.greaterThan(0);
    expect((await new Client({ port }).get('/webtest')).status).to.equal(200);
  });

  for (const mode of [0o600, 0o660]) {
    it(`listens on a unix socket with mode ${mode.toString(8)}`, async () => {
      const socket = join(dir, 'aegir.sock');
      const r = await listen(app, { socket, mode });
      running.push(r);
      expect(r.where).to.equal(`unix:${socket}`);
      const st = statSync(socket);
      expect(st.isSocket()).to.equal(true);
      expect(st.mode & 0o777).to.equal(mode);
      const reply = await new Client({ socket }).get('/webtest');
      expect(reply.status).to.equal(200);
      expect(reply.body).to.include('webtest-home');
    });
  }

  it('replaces a stale socket file left by a dead process', async () => {
    const socket = join(dir, 'stale.sock');
    await staleSocket(socket);
    const r = await listen(app, { socket, mode: 0o600 });
    running.push(r);
    expect((await new Client({ socket }).get('/webtest')).status).to.equal(200);
  });

  it('refuses a socket another server is listening on (ERR_SERVE_FAILED) and leaves it working', async () => {
    const socket = join(dir, 'live.sock');
    // The probe of listen() connects and hangs up at once: that reset is expected.
    const live = createServer((conn) => { conn.on('error', () => undefined); conn.end('live server\n'); });
    blockers.push(live);
    await new Promise<void>((resolve) => live.listen(socket, resolve));
    await expectCode(listen(app, { socket, mode: 0o600 }), 'ERR_SERVE_FAILED');
    expect(existsSync(socket)).to.equal(true);
    const answer = await new Promise<string>((resolve, reject) => {
      const c = connect(socket);
      let text = '';
      c.on('data', (d) => { text += String(d); });
      c.on('end', () => resolve(text));
      c.on('error', reject);
    });
    expect(answer).to.equal('live server\n');
  });

  it('refuses a path that exists and is not a socket (ERR_SERVE_FAILED), leaving the file alone', async () => {
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'precious\n');
    await expectCode(listen(app, { socket: file, mode: 0o600 }), 'ERR_SERVE_FAILED');
    expect(readFileSync(file, 'utf8')).to.equal('precious\n');
  });

  it('refuses a port in use (ERR_SERVE_FAILED)', async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expectCode(listen(app, { port, host: '127.0.0.1' }), 'ERR_SERVE_FAILED');
  });

  it('a graceful stop lets a request in flight finish while new connections are refused', async () => {
    const r = await listen(app, { port: 0, host: '127.0.0.1' });
    const port = Number(new URL(r.where).port);
    const arrived = once(r.server, 'request');
    const slow = rawRequest({ port }, 'GET', '/webtest/slow', { host: 'site.test' });
    await arrived;
    const stopped = r.stop(10_000);
    let refused: unknown;
    try {
      await rawRequest({ port }, 'GET', '/webtest', { host: 'site.test' });
    } catch (e) {
      refused = e;
    }
    expect((refused as NodeJS.ErrnoException | undefined)?.code).to.equal('ECONNREFUSED');
    const reply = await slow;
    expect(reply.status).to.equal(200);
    expect(reply.body).to.include('Finally done.');
    await stopped;
    expect(r.server.listening).to.equal(false);
  });

  it('stop() closes idle keep-alive connections instead of waiting out the grace period', async function () {
    // With a grace of two minutes, only closing idle connections lets stop() finish within the test's timeout.
    this.timeout(20_000);
    const r = await listen(app, { port: 0, host: '127.0.0.1' });
    const port = Number(new URL(r.where).port);
    const sockets: Socket[] = [];
    r.server.on('connection', (s: Socket) => sockets.push(s));
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/webtest', headers: { host: 'site.test' }, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      expect(sockets).to.have.length(1);
      expect(sockets[0]!.destroyed, 'the kept-alive connection is open before stop()').to.equal(false);
      await r.stop(120_000);
      expect(sockets[0]!.destroyed).to.equal(true);
      expect(r.server.listening).to.equal(false);
    } finally {
      agent.destroy();
    }
  });
});
