import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../core/logger/logger.js';
import { ackFile } from '../../../modules/provision/proxy/routes.js';
import { createProxy, type ProxyServer } from '../../../modules/provision/proxy/server.js';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';

describe('the built-in proxy acknowledges the routes it serves', () => {
  let dir: string;
  let routes: string;
  let proxy: ProxyServer;
  let port: number;
  const site = (enabled: boolean) => ({ 'a.test': { upstream: { host: '127.0.0.1', port: 9 }, aliases: [], redirection: false, enabled } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aegir-proxy-'));
    routes = join(dir, 'proxy-routes.json');
    writeFileSync(routes, JSON.stringify({ generation: 'aa01', sites: site(false) }));
    proxy = createProxy(routes, silentLogger());
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', () => r()));
    port = (proxy.server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => proxy.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the generation it loaded at start and at each reload', async () => {
    expect(readFileSync(ackFile(routes), 'utf8')).to.equal('aa01');
    expect((await getWithHost('127.0.0.1', port, 'a.test')).status).to.equal(503);
    writeFileSync(routes, JSON.stringify({ generation: 'bb02', sites: {} }));
    proxy.reload();
    expect(readFileSync(ackFile(routes), 'utf8')).to.equal('bb02');
    expect((await getWithHost('127.0.0.1', port, 'a.test')).status).to.equal(404);
  });

  it('a broken routes file is not acknowledged and the routes that worked stay', async () => {
    writeFileSync(routes, JSON.stringify({ generation: 'cc03', sites: site(false) }));
    proxy.reload();
    writeFileSync(routes, JSON.stringify({ generation: 'dd04', sites: { 'bad domain': {} } }));
    proxy.reload();
    expect(readFileSync(ackFile(routes), 'utf8')).to.equal('cc03');
    expect((await getWithHost('127.0.0.1', port, 'a.test')).status).to.equal(503);
    writeFileSync(routes, JSON.stringify({ generation: 'not hex; rm -rf /', sites: {} }));
    proxy.reload();
    expect(readFileSync(ackFile(routes), 'utf8')).to.equal('cc03');
    expect(existsSync(ackFile(routes))).to.equal(true);
  });
});
