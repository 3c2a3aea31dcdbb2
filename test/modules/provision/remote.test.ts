import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';
import { cli, show, type CliRun } from '../../cli/run-helper.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { nginxServer, type TestWebServer } from '../../harness/nginx.js';
import { startSshd, type TestSshd } from '../../harness/sshd.js';

/**
 * A server reached over SSH (sshd on a loopback port): every command and
 * file of its services (nginx, supervisord) and of the site's install goes
 * through the SSH executor, with the host key pinned on the first verify.
 */
describe('provision on a server reached over SSH', function () {
  this.timeout(180_000);
  let sshd: TestSshd;
  let web: TestWebServer;
  let backend: TestCodebase;
  let platform: TestCodebase;
  let aegir: (argv: readonly string[]) => Promise<CliRun>;

  before(async () => {
    sshd = await startSshd();
    web = await nginxServer();
    backend = makeCodebase({ fixtures: false });
    platform = makeCodebase({ fixtures: false });
    for (const tc of [backend, platform]) symlinkSync(join(REPO, 'bin'), join(tc.root, 'bin'));
    aegir = (argv) => cli(backend.root, argv, { env: { ...process.env, AEGIR_HOME: sshd.home } });
    const settings = Object.entries(web.config).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${v}`).join(',');
    const saved = await aegir(['provision-save', '@server_remote', '--context-type=server', '--host=127.0.0.1', `--ssh-port=${sshd.port}`, `--ssh-user=${sshd.user}`,
      '--http=nginx', `--http-settings=${settings}`, '--db=sqlite', '--app=supervisord', `--app-settings=runDir=${join(web.dir, 'run')}`]);
    expect(saved.code, show(saved)).to.equal(0);
  });

  after(async () => {
    const pid = join(web.dir, 'run', 'supervisord.pid');
    if (existsSync(pid)) { try { process.kill(Number(readFileSync(pid, 'utf8')), 'SIGTERM'); } catch { /* gone */ } }
    await new Promise((r) => setTimeout(r, 300));
    await web.stop();
    await sshd.stop();
    backend.cleanup();
    platform.cleanup();
  });

  it('verifies the server over SSH, pinning its host key, and installs a site served through nginx', async () => {
    const v = await aegir(['@server_remote', 'provision-verify', '--format=json']);
    expect(v.code, show(v)).to.equal(0);
    expect(JSON.parse(v.stdout).connection).to.include('pinned now');
    expect(JSON.parse(readFileSync(join(sshd.home, 'known_hosts.json'), 'utf8'))).to.have.property('server_remote');
    await web.start();
    expect((await aegir(['provision-save', '@platform_remote', '--context-type=platform', '--server=@server_remote', `--platform-root=${platform.root}`])).code).to.equal(0);
    const pv = await aegir(['@platform_remote', 'provision-verify']);
    expect(pv.code, show(pv)).to.equal(0);
    expect((await aegir(['provision-save', '@far.test', '--context-type=site', '--platform=@platform_remote', '--db-server=@server_remote', '--profile=minimal'])).code).to.equal(0);
    const i = await aegir(['@far.test', 'provision-install']);
    expect(i.code, show(i)).to.equal(0);
    const page = await getWithHost('127.0.0.1', web.port, 'far.test');
    expect(page.status).to.equal(200);
    expect(page.body).to.match(/\| far\.test<\/title>/);
    expect(sshd.logins()).to.be.greaterThan(0);
  });

  it('a command line of its own (not in this process) ends once its SSH work is done: exit 0, not the exit 13 of an await the event loop gave up on', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'aegir'), '@server_remote', 'provision-verify', '--backend'], {
      cwd: backend.root, env: { ...process.env, AEGIR_HOME: sshd.home, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
    expect(r.stdout).to.include('"status":"success"');
  });

  it('mitm-host-key: refuses a server whose host key changed, and changes nothing', async () => {
    await sshd.restart({ hostKey: 'ed25519' });
    const v = await aegir(['@server_remote', 'provision-verify']);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.include('ERR_HOST_KEY_MISMATCH');
    expect((await aegir(['provision-save', '@near.test', '--context-type=site', '--platform=@platform_remote', '--db-server=@server_remote', '--profile=minimal'])).code).to.equal(0);
    const i = await aegir(['@near.test', 'provision-install']);
    expect(i.code).to.equal(1);
    expect(i.stderr).to.include('ERR_HOST_KEY_MISMATCH');
    expect(existsSync(join(platform.root, 'sites', 'near.test'))).to.equal(false);
    // The site installed before is still served (the web server did not change).
    expect((await getWithHost('127.0.0.1', web.port, 'far.test')).status).to.equal(200);
  });
});
