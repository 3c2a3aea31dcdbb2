import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand, type SecretSources } from '../../../core/cli/options.js';
import { provisionProxy } from '../../../modules/provision/commands/proxy.js';
import { builtinHttp } from '../../../modules/provision/service/http/builtin.js';
import type { ServiceEnv } from '../../../modules/provision/service/types.js';
import { expectCode } from '../../harness/expect.js';
import { freePort } from '../../harness/ports.js';
import { proxyHarness, rawConnect, rawRequest, type ProxyHarness } from '../../harness/proxy.js';

const getFrom = (host: string): string => `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
const noSources: SecretSources = { env: {}, readStdin: async () => { throw new Error('standard input must not be read'); } };

describe('the built-in proxy does not wait for an app forever', () => {
  let h: ProxyHarness;
  const hung: ServerResponse[] = [];

  before(async () => {
    // Short limits as configuration; the tests assert what is answered, never how fast.
    h = await proxyHarness({ headersMs: 300, idleMs: 300 });
    h.route('silent.test', (await h.app((_req, res) => { hung.push(res); })).socket);
    h.route('ok.test', (await h.app((_req, res) => res.end('ok\n'))).socket);
    h.route('closes.test', (await h.app((req) => req.socket.destroy())).socket);
    h.route('stalls.test', (await h.app((_req, res) => { hung.push(res); res.writeHead(200, { 'content-type': 'text/plain' }); res.write('partial'); })).socket);
    h.route('refused.test', { host: '127.0.0.1', port: await freePort() });
  });
  after(async () => {
    for (const res of hung) res.destroy();
    await h.stop();
  });

  it('slow-app exhaustion: an app that never answers gets a 504 and the proxy goes on serving other sites', async () => {
    const [silent, ok] = await Promise.all([rawRequest(h.port, getFrom('silent.test')), rawRequest(h.port, getFrom('ok.test'))]);
    expect(silent.status).to.equal(504);
    expect(silent.body).to.equal('The site did not answer in time.\n');
    expect(ok.status).to.equal(200);
    expect((await rawRequest(h.port, getFrom('ok.test'))).status).to.equal(200);
    expect((await rawRequest(h.port, getFrom('silent.test'))).status).to.equal(504);
  });

  it('dead app: a refused or dropped connection gets a 502', async () => {
    expect((await rawRequest(h.port, getFrom('refused.test'))).status).to.equal(502);
    expect((await rawRequest(h.port, getFrom('closes.test'))).status).to.equal(502);
    expect((await rawRequest(h.port, getFrom('ok.test'))).status).to.equal(200);
  });

  it('stalled body: an app that falls silent mid-body has the response cut instead of held open', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => get({ host: '127.0.0.1', port: h.port, headers: { host: 'stalls.test' } }, resolve).on('error', reject));
    expect(res.statusCode).to.equal(200);
    let body = '';
    res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    res.on('error', () => undefined);
    await new Promise<void>((r) => res.once('close', () => r()));
    expect(res.complete).to.equal(false);
    expect(body).to.equal('partial');
  });
});

describe('the built-in proxy lets go of the app when the client goes', () => {
  let h: ProxyHarness;
  let arrived: (res: ServerResponse) => void;

  before(async () => {
    h = await proxyHarness(); // default limits: only the client can end these requests within the test
    h.route('held.test', (await h.app((_req, res) => arrived(res))).socket);
  });
  after(() => h.stop());

  it('connection leak: a client that hangs up aborts its request to the app', async () => {
    const atApp = new Promise<ServerResponse>((r) => { arrived = r; });
    const client = await rawConnect(h.port);
    client.write('GET /slow HTTP/1.1\r\nHost: held.test\r\n\r\n');
    const res = await atApp;
    const closed = new Promise<void>((r) => res.once('close', () => r()));
    client.destroy();
    await closed;
    expect(res.writableFinished).to.equal(false);
  });
});

describe('provision-proxy time-limit options', () => {
  const base = ['--port=8080', '--routes=/tmp/routes.json'];

  it('default to 5 s to connect, 60 s for the response head and 300 s of silence', async () => {
    const p = await parseCommand(provisionProxy, base, noSources);
    expect([p.options['connect-timeout-ms'], p.options['headers-timeout-ms'], p.options['idle-timeout-ms']]).to.deep.equal([5_000, 60_000, 300_000]);
  });

  it('refuse values out of range or not whole milliseconds', async () => {
    for (const bad of ['--connect-timeout-ms=0', '--headers-timeout-ms=86400001', '--idle-timeout-ms=1.5', '--idle-timeout-ms=soon']) {
      await expectCode(parseCommand(provisionProxy, [...base, bad], noSources), 'ERR_CLI_OPTION_VALUE');
    }
  });
});

describe('builtin http time-limit settings', () => {
  it('a setting that is not whole milliseconds in range stops verify before any proxy starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegir-proxy-settings-'));
    try {
      for (const bad of [{ connectTimeoutMs: 10 }, { headersTimeoutMs: 'soon' }, { idleTimeoutMs: 1.5 }]) {
        const env = {
          server: { type: 'server', name: 'server_master', host: 'localhost', services: {} },
          config: { type: 'builtin', port: 8080, runDir: dir, ...bad },
          exec: { local: true, mkdir: async () => undefined },
          home: dir, aegirBin: '/nonexistent/aegir',
        } as unknown as ServiceEnv;
        const e = await expectCode(builtinHttp.verify(env), 'ERR_SERVICE_FAILED');
        expect(String(e.facts.problem)).to.include(Object.keys(bad)[0]!);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
