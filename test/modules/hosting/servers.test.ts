/**
 * Ten sites installing at once on two servers, this one (built-in proxy)
 * and one reached over SSH (nginx, supervisord), with a limit of two tasks
 * per server: the most ever running per server, measured from the task
 * rows, never passes the limit, and every install succeeds and is served.
 */
import { expect } from 'chai';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import type { Dispatcher } from '../../../modules/hosting/queue/dispatcher.js';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';
import { saveNode } from '../../../modules/node/storage.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { nginxServer, type TestWebServer } from '../../harness/nginx.js';
import { startSshd, type TestSshd } from '../../harness/sshd.js';
import { hostmasterEnv, type HostmasterEnv } from './env.js';

/** The most intervals [start, end) that overlap at any moment. */
function most(intervals: readonly [number, number][]): number {
  const edges = intervals.flatMap(([a, b]) => [[a, 1], [b, -1]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let top = 0;
  for (const [, d] of edges) { now += d; top = Math.max(top, now); }
  return top;
}

describe('hosting: ten installs at once on two servers, two at a time per server', function () {
  this.timeout(600_000);
  let h: HostmasterEnv;
  let sshd: TestSshd;
  let web: TestWebServer;
  let remote: TestCodebase;
  let d: Dispatcher;

  before(async () => {
    h = await hostmasterEnv('sqlite');
    sshd = await startSshd();
    web = await nginxServer();
    remote = makeCodebase({ fixtures: false });
    symlinkSync(join(REPO, 'bin'), join(remote.root, 'bin'));
    // The back end logs in with the key the SSH server authorizes.
    rmSync(join(h.pe.home, 'keys'), { recursive: true, force: true });
    cpSync(join(sshd.home, 'keys'), join(h.pe.home, 'keys'), { recursive: true });
    d = h.dispatcher({ global: 4, perServer: 2 });
    await d.start();
  });
  after(async () => {
    await d?.stop({ handBack: true });
    const pid = join(web.dir, 'run', 'supervisord.pid');
    if (existsSync(pid)) { try { process.kill(Number(readFileSync(pid, 'utf8')), 'SIGTERM'); } catch { /* gone */ } }
    await new Promise((r) => setTimeout(r, 300));
    await web?.stop();
    await sshd?.stop();
    remote?.cleanup();
    await h?.stop();
  });

  it('never runs more than two tasks on one server, and all ten installs succeed', async () => {
    const local = await h.addServer();
    const settings = Object.entries(web.config).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${v}`).join(',');
    const far = (await saveNode(h.site, { type: 'server', title: 'Far', fields: {
      context: 'server_far', host: '127.0.0.1', ssh_user: sshd.user, ssh_port: sshd.port, http: 'nginx', http_settings: settings, db: 'sqlite', app: 'supervisord', app_settings: `runDir=${join(web.dir, 'run')}`,
    } }, { account: CONSOLE_ACCOUNT })).nid;
    for (const s of [local, far]) expect(await h.ended(await h.lastTask(s)), await h.logOf(await h.lastTask(s))).to.equal('success');
    await web.start();
    const platforms = [await h.addPlatform(local, 'platform_test', h.pe.platform.root), await h.addPlatform(far, 'platform_far', remote.root)];
    for (const p of platforms) expect(await h.ended(await h.lastTask(p)), await h.logOf(await h.lastTask(p))).to.equal('success');
    const domains: string[] = [];
    for (let i = 0; i < 10; i++) {
      const domain = `s${i}.${i % 2 ? 'far' : 'near'}.test`;
      domains.push(domain);
      await saveNode(h.site, { type: 'site', title: domain, fields: { platform: platforms[i % 2]!, db_server: i % 2 ? far : local, profile: 'minimal' } }, { account: CONSOLE_ACCOUNT });
    }
    const installs = (await h.site.db('hosting_task').where({ task_type: 'install' }).select('nid')) as { nid: number }[];
    expect(installs.length).to.equal(10);
    for (const t of installs) expect(await h.ended(Number(t.nid), 300_000), await h.logOf(Number(t.nid))).to.equal('success');
    const rows = (await h.site.db('hosting_task').where({ task_type: 'install' }).select('server_nid', 'started_at', 'finished_at')) as { server_nid: number; started_at: number; finished_at: number }[];
    for (const server of [local, far]) {
      const mine = rows.filter((r) => Number(r.server_nid) === server).map((r): [number, number] => [Number(r.started_at), Number(r.finished_at)]);
      expect(mine.length).to.equal(5);
      const top = most(mine);
      expect(top, `at most 2 on server ${server}`).to.be.at.most(2);
      expect(top, 'they did run side by side').to.equal(2);
    }
    for (const [i, domain] of domains.entries()) {
      const port = i % 2 ? web.port : h.pe.proxyPort;
      expect((await getWithHost('127.0.0.1', port, domain)).status, domain).to.equal(200);
    }
  });
});
