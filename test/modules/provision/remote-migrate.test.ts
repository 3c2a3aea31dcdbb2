import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';
import { cli, json, show, type CliRun } from '../../cli/run-helper.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { freePort, nginxServer, type TestWebServer } from '../../harness/nginx.js';
import { startSshd, type TestSshd } from '../../harness/sshd.js';
import { moveSteps } from '../../../modules/provision/tasks/site-migrate.js';

/** Steps of a migrate before its purge (the last step, its point of no return). */
const BEFORE_PURGE = moveSteps(false).length - 1;

/**
 * A migrate between servers: a site on this machine (built-in proxy) moves
 * to a platform on a server reached over SSH (nginx under supervisord) and
 * back. Its folder and dump stream from one executor to the other.
 */
describe('provision migrate to a platform on another server (over SSH)', function () {
  this.timeout(300_000);
  let sshd: TestSshd;
  let web: TestWebServer;
  let proxyPort: number;
  let local: TestCodebase;
  let remote: TestCodebase;
  let backend: TestCodebase;
  let aegir: (argv: readonly string[], env?: Record<string, string>) => Promise<CliRun>;

  before(async () => {
    sshd = await startSshd();
    web = await nginxServer();
    proxyPort = await freePort();
    backend = makeCodebase({ fixtures: false });
    local = makeCodebase({ fixtures: false });
    remote = makeCodebase({ fixtures: false });
    for (const tc of [backend, local, remote]) symlinkSync(join(REPO, 'bin'), join(tc.root, 'bin'));
    aegir = (argv, env = {}) => cli(backend.root, argv, { env: { ...process.env, AEGIR_HOME: sshd.home, ...env } });
    const settings = Object.entries(web.config).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${v}`).join(',');
    for (const argv of [
      ['provision-save', '@server_remote', '--context-type=server', '--host=127.0.0.1', `--ssh-port=${sshd.port}`, `--ssh-user=${sshd.user}`,
        '--http=nginx', `--http-settings=${settings}`, '--db=sqlite', '--app=supervisord', `--app-settings=runDir=${join(web.dir, 'run')}`],
      ['@server_remote', 'provision-verify'],
      ['provision-save', '@server_master', '--context-type=server', '--host=localhost', '--http=builtin', `--http-settings=port=${proxyPort}`, '--db=sqlite', '--app=builtin'],
      ['@server_master', 'provision-verify'],
      ['provision-save', '@platform_local', '--context-type=platform', '--server=@server_master', `--platform-root=${local.root}`],
      ['provision-save', '@platform_remote', '--context-type=platform', '--server=@server_remote', `--platform-root=${remote.root}`],
      ['@platform_remote', 'provision-verify'],
    ]) {
      const r = await aegir(argv);
      expect(r.code, `${argv.join(' ')}: ${show(r)}`).to.equal(0);
      // The server's verify writes nginx's config; then it can start.
      if (argv[0] === '@server_remote') await web.start();
    }
  });

  after(async () => {
    for (const run of [join(sshd.home, 'run'), join(web.dir, 'run')]) {
      for (const f of existsSync(run) ? readdirSync(run).filter((n) => n.endsWith('.pid')) : []) {
        try { process.kill(Number(readFileSync(join(run, f), 'utf8')), 'SIGTERM'); } catch { /* gone */ }
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    await web.stop();
    await sshd.stop();
    for (const tc of [backend, local, remote]) tc?.cleanup();
  });

  const viaProxy = async (domain: string): Promise<number> => (await getWithHost('127.0.0.1', proxyPort, domain).catch(() => ({ status: 0 }))).status;
  const viaNginx = async (domain: string): Promise<number> => (await getWithHost('127.0.0.1', web.port, domain).catch(() => ({ status: 0 }))).status;
  const slogan = async (root: string, domain: string): Promise<string> =>
    json<string>(await cli(root, [`--uri=${domain}`, 'config-get', 'system.slogan', '--format=json'], { env: { ...process.env, AEGIR_HOME: sshd.home } }));
  const platformOf = (domain: string): string => JSON.parse(readFileSync(join(sshd.home, 'contexts', `${domain}.json`), 'utf8')).platform;
  /** Work folders of moves: in the Aegir home here, in /tmp on the server reached over SSH (the same machine in this test). */
  const moveDirs = (): string[] => [join(sshd.home, 'work'), '/tmp'].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((n) => n.startsWith('aegir-move-')).map((n) => join(d, n)) : [])).sort();
  const install = async (domain: string): Promise<void> => {
    expect((await aegir(['provision-save', `@${domain}`, '--context-type=site', '--platform=@platform_local', '--db-server=@server_master', '--profile=minimal'])).code).to.equal(0);
    const i = await aegir([`@${domain}`, 'provision-install']);
    expect(i.code, show(i)).to.equal(0);
    const s = await cli(local.root, [`--uri=${domain}`, 'config-set', 'system.slogan', `data of ${domain}`], { env: { ...process.env, AEGIR_HOME: sshd.home } });
    expect(s.code, show(s)).to.equal(0);
  };

  it('moves a site to the remote server with its data, served there by nginx, and back again', async () => {
    await install('traveller.test');
    const tmp = moveDirs();
    const logins = sshd.logins();
    let r = await aegir(['@traveller.test', 'provision-migrate', '--platform=@platform_remote']);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stderr).to.include('point its DNS there');
    expect(sshd.logins()).to.be.greaterThan(logins);
    expect(await viaNginx('traveller.test')).to.equal(200);
    expect(await viaProxy('traveller.test')).to.equal(404);
    expect(existsSync(join(local.root, 'sites', 'traveller.test'))).to.equal(false);
    expect(await slogan(remote.root, 'traveller.test')).to.equal('data of traveller.test');
    expect(platformOf('traveller.test')).to.equal('platform_remote');
    expect(moveDirs(), 'working folders on both servers are removed').to.deep.equal(tmp);

    r = await aegir(['@traveller.test', 'provision-migrate', '--platform=@platform_local']);
    expect(r.code, show(r)).to.equal(0);
    expect(await viaProxy('traveller.test')).to.equal(200);
    expect(await viaNginx('traveller.test')).to.not.equal(200);
    expect(existsSync(join(remote.root, 'sites', 'traveller.test'))).to.equal(false);
    expect(await slogan(local.root, 'traveller.test')).to.equal('data of traveller.test');
    expect(platformOf('traveller.test')).to.equal('platform_local');
  });

  for (let step = 1; step <= BEFORE_PURGE; step++) {
    it(`a failure at step ${step} of a move to the remote server leaves the site here, served, and nothing there`, async () => {
      const domain = `stay${step}.test`;
      await install(domain);
      const tmp = moveDirs();
      const r = await aegir([`@${domain}`, 'provision-migrate', '--platform=@platform_remote'], { AEGIR_FAULT: `migrate:${step}:fail` });
      expect(r.code, show(r)).to.equal(1);
      expect(await viaProxy(domain)).to.equal(200);
      expect(await viaNginx(domain)).to.not.equal(200);
      expect(existsSync(join(remote.root, 'sites', domain))).to.equal(false);
      expect(await slogan(local.root, domain)).to.equal(`data of ${domain}`);
      expect(platformOf(domain)).to.equal('platform_local');
      expect(moveDirs()).to.deep.equal(tmp);
    });
  }
});
