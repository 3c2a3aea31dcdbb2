/**
 * The behaviour every web server service (nginx, apache, contrib caddy) must show, run
 * against a real server started by the test harness on loopback: proxying
 * by Host to a unix socket and a port, aliases, redirection, the disabled
 * page, removal, config injection refused, a failing config test keeping
 * the previous config, and reloads that drop no request.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HttpService, ServiceEnv, Upstream } from '../../../../modules/provision/service/types.js';
import { expectCode } from '../../../harness/expect.js';
import type { TestWebServer } from '../../../harness/nginx.js';
import { get, makeEnv, PLATFORM, site, startUpstreams, withConfig, type Upstreams } from './helpers.js';

/** Hostile domains and aliases: each would end a directive, open a block, or add a variable or a line. */
export const HOSTILE = ['a.com;', 'a.com}', 'a.com{', 'a.com\nreturn 200', 'a.com"', "a.com'", 'a$host.com', 'a.com b.com', 'A.com', '*.a.com', 'a.com#', ''];

/** The main config file each web server's service writes in its config folder. */
const MAIN_FILE: Record<string, string> = { nginx: 'nginx.conf', apache: 'apache2.conf', caddy: 'Caddyfile' };

/** The tests of a web server service against a real server from `harness`. */
export function webServerSuite(service: HttpService, harness: () => Promise<TestWebServer>): void {
  describe('while the server runs', () => runningSuite(service, harness));
  describe('while the server does not run', () => stoppedSuite(service, harness));
}

function stoppedSuite(service: HttpService, harness: () => Promise<TestWebServer>): void {
  let web: TestWebServer;
  let env: ServiceEnv;
  let cleanup: () => void;

  before(async () => {
    web = await harness();
    ({ env, cleanup } = makeEnv(web.config));
  });

  after(async () => {
    await web?.stop();
    cleanup?.();
  });

  it('verify, writeSite and removeSite write and test the config without starting the server', async () => {
    expect(await service.verify(env)).to.match(/not running; start it with: /);
    await service.writeSite(env, site('idle.test', { aliases: ['www.idle.test'] }), PLATFORM, { host: '127.0.0.1', port: 9 });
    expect(readdirSync(join(web.confDir, 'vhost.d'))).to.deep.equal(['idle.test.conf']);
    // nginx -t leaves an empty pid file behind; no server wrote its pid.
    const pidFile = String(web.config.pidFile);
    expect(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '').to.equal('');
    await service.removeSite(env, site('idle.test'));
    expect(readdirSync(join(web.confDir, 'vhost.d'))).to.deep.equal([]);
    expect(web.running()).to.equal(false);
  });

  it('a stale pid file naming another process is not signalled', async () => {
    // The pid of this test process: a reload signal to it would end the test run.
    mkdirSync(dirname(String(web.config.pidFile)), { recursive: true });
    writeFileSync(String(web.config.pidFile), `${process.pid}\n`);
    expect(await service.verify(env)).to.match(/not running/);
    await service.writeSite(env, site('idle.test'), PLATFORM, { host: '127.0.0.1', port: 9 });
    expect(readdirSync(join(web.confDir, 'vhost.d'))).to.deep.equal(['idle.test.conf']);
  });

  it('with start=1 a verify starts the server that does not run (a stale pid file of another process ignored), and the next verify reloads it', async function () {
    this.timeout(60_000);
    const starting = withConfig(env, { ...web.config, start: 1 });
    const pidFile = String(web.config.pidFile);
    try {
      expect(readFileSync(pidFile, 'utf8').trim(), 'the stale pid file of the test above').to.equal(String(process.pid));
      const report = await service.verify(starting);
      const pid = Number(/started \(pid (\d+)\)/.exec(report)?.[1]);
      expect(pid, report).to.be.greaterThan(1);
      expect(Number(readFileSync(pidFile, 'utf8').trim())).to.equal(pid);
      // It serves: an unknown Host gets the default server's 404.
      expect((await get(web.port, 'unknown.test')).status).to.equal(404);
      expect(await service.verify(starting)).to.match(new RegExp(`reloaded gracefully \\(pid ${pid}\\)`));
    } finally {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 1 && pid !== process.pid) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
        for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
      }
    }
  });

  it('a start setting that is no yes or no is refused before anything is written', async () => {
    const e = await expectCode(service.verify(withConfig(env, { ...web.config, start: 'sometimes' })), 'ERR_CONTEXT_INVALID');
    expect(e.message).to.contain('"services.http.start" must be 1 or 0');
  });
}

function runningSuite(service: HttpService, harness: () => Promise<TestWebServer>): void {
  let web: TestWebServer;
  let env: ServiceEnv;
  let cleanup: () => void;
  let up: Upstreams;
  let sock: Upstream;
  let tcp: Upstream;
  const vhosts = (): string[] => readdirSync(join(web.confDir, 'vhost.d')).filter((f) => !f.startsWith('.'));
  const ask = (host: string, path = '/') => get(web.port, host, path);

  before(async function () {
    this.timeout(60_000);
    web = await harness();
    ({ env, cleanup } = makeEnv(web.config));
    up = await startUpstreams();
    sock = { socket: up.socket };
    tcp = { host: '127.0.0.1', port: up.port };
    const report = await service.verify(env);
    expect(report).to.match(/not running/);
    await web.start();
  });

  after(async () => {
    await web?.stop();
    await up?.stop();
    cleanup?.();
  });

  it('verify checks the version, writes the main config and reloads the running server without stopping it', async () => {
    const pid = web.pid;
    const report = await service.verify(env);
    expect(report).to.match(/reloaded gracefully/);
    expect(report).to.contain(String(web.port));
    expect(web.running()).to.equal(true);
    expect(web.pid).to.equal(pid);
    expect((await ask('nobody.test')).status).to.equal(404);
  });

  it('proxies a site to a unix socket upstream, passing Host, X-Forwarded-For and X-Forwarded-Proto', async () => {
    await service.writeSite(env, site('sock.test'), PLATFORM, sock);
    const r = await ask('sock.test', '/node/1?x=2');
    expect(r.status).to.equal(200);
    expect(r.body).to.contain('upstream=socket');
    expect(r.body).to.contain('host=sock.test ');
    expect(r.body).to.contain('path=/node/1?x=2');
    expect(r.body).to.match(/xff=127\.0\.0\.1(?:\s|$)/);
    expect(r.body).to.contain('proto=http');
  });

  it('proxies a site to a host:port upstream', async () => {
    await service.writeSite(env, site('tcp.test'), PLATFORM, tcp);
    const r = await ask('tcp.test', '/about');
    expect(r.status).to.equal(200);
    expect(r.body).to.contain('upstream=port');
    expect(r.body).to.contain('host=tcp.test ');
  });

  it('aliases answer with the site', async () => {
    await service.writeSite(env, site('main.test', { aliases: ['www.main.test', 'old.test'] }), PLATFORM, sock);
    for (const host of ['main.test', 'www.main.test', 'old.test']) {
      const r = await ask(host);
      expect(r.status, host).to.equal(200);
      expect(r.body, host).to.contain(`host=${host} `);
    }
  });

  it('with redirection, every alias gives 301 to the main domain keeping the path', async () => {
    await service.writeSite(env, site('main.test', { aliases: ['www.main.test', 'old.test'], redirection: true }), PLATFORM, sock);
    for (const host of ['www.main.test', 'old.test']) {
      const r = await ask(host, '/a/b?c=d');
      expect(r.status, host).to.equal(301);
      expect(r.headers.location, host).to.equal(`http://main.test:${web.port}/a/b?c=d`);
    }
    const main = await ask('main.test', '/a/b');
    expect(main.status).to.equal(200);
    expect(main.body).to.contain('upstream=socket');
  });

  it('a disabled site gives the 503 page with Retry-After, and comes back when enabled', async () => {
    await service.writeSite(env, site('off.test', { enabled: false }), PLATFORM, sock);
    const r = await ask('off.test', '/anything');
    expect(r.status).to.equal(503);
    expect(r.headers['retry-after']).to.equal('3600');
    expect(r.body).to.contain('Site disabled');
    expect(r.body).to.not.contain('upstream=');
    await service.writeSite(env, site('off.test'), PLATFORM, sock);
    expect((await ask('off.test')).body).to.contain('upstream=socket');
  });

  it('removing a site makes its Host fall to the default server (404); removing it again does nothing', async () => {
    await service.writeSite(env, site('gone.test', { aliases: ['www.gone.test'] }), PLATFORM, tcp);
    expect((await ask('gone.test')).status).to.equal(200);
    await service.removeSite(env, site('gone.test'));
    expect(vhosts()).to.not.include('gone.test.conf');
    for (const host of ['gone.test', 'www.gone.test']) {
      const r = await ask(host);
      expect(r.status, host).to.equal(404);
      expect(r.body, host).to.not.contain('upstream=');
    }
    await service.removeSite(env, site('gone.test'));
    expect(web.running()).to.equal(true);
  });

  it('a domain of 253 characters (the longest allowed) is served', async () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.test`;
    expect(long.length).to.equal(253);
    await service.writeSite(env, site(long), PLATFORM, sock);
    const r = await ask(long);
    expect(r.status).to.equal(200);
    expect(r.body).to.contain(`host=${long} `);
    // Its file name is shortened (255 bytes at most) and found again on removal.
    expect(vhosts().filter((f) => f.startsWith('aaa'))).to.have.length(1);
    await service.removeSite(env, site(long));
    expect(vhosts().filter((f) => f.startsWith('aaa'))).to.deep.equal([]);
    expect((await ask(long)).status).to.equal(404);
  });

  it('sites written in parallel all land: writes to one config folder run one after the other', async () => {
    const names = ['p1.test', 'p2.test', 'p3.test', 'p4.test', 'p5.test'];
    await Promise.all(names.map((n, i) => service.writeSite(env, site(n), PLATFORM, i % 2 ? tcp : sock)));
    for (const [i, n] of names.entries()) {
      const r = await ask(n);
      expect(r.status, n).to.equal(200);
      expect(r.body, n).to.contain(i % 2 ? 'upstream=port' : 'upstream=socket');
    }
  });

  it('config-injection: a hostile domain or alias is refused before any file is written', async () => {
    const before = vhosts();
    for (const bad of HOSTILE) {
      await expectCode(service.writeSite(env, site(bad), PLATFORM, sock), 'ERR_CONTEXT_INVALID');
      await expectCode(service.writeSite(env, site('fine.test', { aliases: [bad] }), PLATFORM, sock), 'ERR_CONTEXT_INVALID');
      await expectCode(service.writeSite(env, site('fine.test', { aliases: ['ok.test', bad], redirection: true }), PLATFORM, sock), 'ERR_CONTEXT_INVALID');
      await expectCode(service.removeSite(env, site(bad)), 'ERR_CONTEXT_INVALID');
    }
    expect(vhosts()).to.deep.equal(before);
    expect(readdirSync(join(web.confDir, 'vhost.d')).filter((f) => f.startsWith('.'))).to.deep.equal([]);
    expect((await ask('sock.test')).status).to.equal(200);
  });

  it('config-injection: a hostile upstream (socket path or host) is refused before any file is written', async () => {
    const before = vhosts();
    const bad: Upstream[] = [
      { socket: '/tmp/a.sock;' }, { socket: '/tmp/a.sock:' }, { socket: 'relative.sock' }, { socket: '/tmp/../etc/a.sock' }, { socket: '/tmp/a b.sock' },
      { host: '127.0.0.1;', port: 80 }, { host: 'a.test/x', port: 80 }, { host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 1.5 }, { host: '127.0.0.1', port: 70000 },
    ];
    for (const u of bad) await expectCode(service.writeSite(env, site('fine.test'), PLATFORM, u), 'ERR_SERVICE_FAILED');
    expect(vhosts()).to.deep.equal(before);
  });

  it('config-injection: hostile service settings are refused before any file is written', async () => {
    const main = readFileSync(join(web.confDir, MAIN_FILE[String(env.config.type)]!), 'utf8');
    const bad = [{ port: '80;' }, { port: 80.5 }, { port: 0 }, { confDir: 'relative' }, { confDir: '/tmp/a;b' }, { pidFile: '/tmp/a b.pid' }, { address: '127.0.0.1; x' }, { user: 'root;' }, { binary: '/usr/sbin/nginx -g x' }];
    for (const b of bad) {
      const e2 = withConfig(env, { ...web.config, ...b });
      await expectCode(service.verify(e2), 'ERR_CONTEXT_INVALID');
      await expectCode(service.writeSite(e2, site('fine.test'), PLATFORM, sock), 'ERR_CONTEXT_INVALID');
    }
    expect(readFileSync(join(web.confDir, MAIN_FILE[String(env.config.type)]!), 'utf8')).to.equal(main);
    expect(vhosts()).to.not.include('fine.test.conf');
  });

  it('a failing config test keeps the previous config, says what the test said, and the server keeps answering', async () => {
    await service.writeSite(env, site('keep.test'), PLATFORM, sock);
    const file = join(web.confDir, 'vhost.d', 'keep.test.conf');
    const previous = readFileSync(file, 'utf8');
    web.writeExtra('zz-broken.conf', 'this is { not a config\n');
    try {
      const e = await expectCode(service.writeSite(env, site('keep.test'), PLATFORM, tcp), 'ERR_SERVICE_FAILED');
      expect(String(e.facts.problem)).to.contain('zz-broken.conf');
      expect(readFileSync(file, 'utf8')).to.equal(previous);
      await expectCode(service.writeSite(env, site('new.test'), PLATFORM, tcp), 'ERR_SERVICE_FAILED');
      expect(vhosts()).to.not.include('new.test.conf');
      await expectCode(service.removeSite(env, site('keep.test')), 'ERR_SERVICE_FAILED');
      expect(readFileSync(file, 'utf8')).to.equal(previous);
      await expectCode(service.verify(env), 'ERR_SERVICE_FAILED');
    } finally {
      web.removeExtra('zz-broken.conf');
    }
    expect(web.running()).to.equal(true);
    const r = await ask('keep.test');
    expect(r.status).to.equal(200);
    expect(r.body).to.contain('upstream=socket');
    await service.writeSite(env, site('keep.test'), PLATFORM, tcp);
    expect((await ask('keep.test')).body).to.contain('upstream=port');
  });

  it('graceful reloads drop no request: 200 parallel requests while reloading 5 times all succeed', async function () {
    this.timeout(120_000);
    await service.writeSite(env, site('busy.test'), PLATFORM, sock);
    const pid = web.pid;
    // Answers take up to 1.5 s, so requests are in flight across the reloads.
    const requests = Array.from({ length: 200 }, (_, i) => ask('busy.test', `/r/${i}?delay=${(i * 37) % 1500}`)
      .catch((e: Error) => ({ status: 0, headers: {}, body: `request failed: ${e.message}` })));
    for (let i = 0; i < 5; i++) {
      await service.writeSite(env, site('busy.test', { aliases: [`a${i}.busy.test`] }), PLATFORM, i % 2 ? tcp : sock);
    }
    const replies = await Promise.all(requests);
    expect(replies.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.slice(0, 80)}`)).to.deep.equal([]);
    expect(replies.every((r, i) => r.body.includes(`path=/r/${i}`))).to.equal(true);
    expect(web.pid).to.equal(pid);
    expect(web.running()).to.equal(true);
  });
}
