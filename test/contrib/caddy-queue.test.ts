/**
 * The caddy contrib module through the hosting queue: a server node whose
 * http service is `caddy` (start=1) is verified by the back end, which
 * writes the Caddyfile and starts Caddy; a site installed, disabled and
 * deleted on it through the queue is served, shown disabled and dropped by
 * that Caddy, on its own port.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSOLE_ACCOUNT } from '../../modules/hosting/commands/common.js';
import type { Dispatcher } from '../../modules/hosting/queue/dispatcher.js';
import { queueTask } from '../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../modules/node/storage.js';
import { getWithHost } from '../../modules/provision/tasks/checks.js';
import { freePort } from '../harness/ports.js';
import { hostmasterEnv, type HostmasterEnv } from '../modules/hosting/env.js';

describe('contrib caddy: a site on a server whose http is caddy, through the queue', function () {
  this.timeout(300_000);
  let h: HostmasterEnv;
  let d: Dispatcher;
  let dir: string;
  let port: number;
  const pidFile = (): string => join(dir, 'conf', 'run', 'caddy.pid');

  before(async () => {
    h = await hostmasterEnv('sqlite', { contrib: ['caddy'] });
    d = h.dispatcher();
    await d.start();
    dir = mkdtempSync(join(tmpdir(), 'aegir-caddy-q-'));
    port = await freePort();
  });
  after(async () => {
    await d?.stop({ handBack: true });
    if (dir && existsSync(pidFile())) {
      try { process.kill(Number(readFileSync(pidFile(), 'utf8')), 'SIGTERM'); } catch { /* gone */ }
    }
    await h?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the verify starts Caddy; the site is installed and served by it, disabled (503) and deleted (404, vhost gone)', async () => {
    const master = JSON.parse(readFileSync(join(h.pe.home, 'contexts', 'server_master.json'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const appSettings = Object.entries(master.services.app ?? {}).filter(([n]) => n !== 'type').map(([n, v]) => `${n}=${String(v)}`).join(',');
    const server = (await saveNode(h.site, { type: 'server', title: 'Caddy', fields: {
      context: 'server_master', host: 'localhost', http: 'caddy', http_settings: `confDir=${join(dir, 'conf')},port=${port},address=127.0.0.1,start=1`,
      db: 'sqlite', app: 'builtin', app_settings: appSettings,
    } }, { account: CONSOLE_ACCOUNT })).nid;
    const verify = await h.lastTask(server);
    expect(await h.ended(verify), await h.logOf(verify)).to.equal('success');
    expect(await h.logOf(verify)).to.match(new RegExp(`Caddy 2\\.\\d+\\.\\d+ on port ${port}: .*Caddyfile written and tested; started \\(pid \\d+\\)`));
    const pid = Number(readFileSync(pidFile(), 'utf8'));
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).to.equal('caddy');

    const platform = await h.addPlatform(server, 'platform_test', h.pe.platform.root);
    expect(await h.ended(await h.lastTask(platform)), await h.logOf(await h.lastTask(platform))).to.equal('success');
    const site = (await saveNode(h.site, { type: 'site', title: 'caddy.test', fields: { platform, db_server: server, profile: 'minimal', aliases: 'www.caddy.test' } }, { account: CONSOLE_ACCOUNT })).nid;
    const install = await h.lastTask(site);
    expect(await h.ended(install), await h.logOf(install)).to.equal('success');
    const vhost = join(dir, 'conf', 'vhost.d', 'caddy.test.conf');
    expect(readFileSync(vhost, 'utf8')).to.contain(`http://caddy.test:${port}, http://www.caddy.test:${port}`);
    for (const host of ['caddy.test', 'www.caddy.test']) expect((await getWithHost('127.0.0.1', port, host)).status, host).to.equal(200);
    expect((await getWithHost('127.0.0.1', port, 'nobody.test')).status).to.equal(404);

    const run = async (type: string): Promise<void> => {
      const t = (await queueTask(h.site, { type, object: site, account: CONSOLE_ACCOUNT })).node.nid;
      expect(await h.ended(t), await h.logOf(t)).to.equal('success');
    };
    await run('disable');
    const off = await getWithHost('127.0.0.1', port, 'caddy.test');
    expect(off.status).to.equal(503);
    await run('enable');
    expect((await getWithHost('127.0.0.1', port, 'caddy.test')).status).to.equal(200);
    await run('delete');
    expect(existsSync(vhost)).to.equal(false);
    expect((await getWithHost('127.0.0.1', port, 'caddy.test')).status).to.equal(404);
    // The same Caddy served it all, reloaded through its admin API, never restarted.
    expect(Number(readFileSync(pidFile(), 'utf8'))).to.equal(pid);
  });
});
