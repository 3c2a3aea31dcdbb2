/**
 * aegir hostmaster-install on the embedded defaults (SQLite, the built-in
 * proxy), on a clean codebase and home: the hostmaster stands (its server,
 * platform and site as nodes, verified through the queue, served), a
 * second install is refused, and wrong answers change nothing.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { openServer } from '../../../core/database/connect.js';
import { bootSite } from '../../../core/site/site.js';
import { defaultAnswers } from '../../../modules/hostmaster-setup/answers.js';
import { installHostmaster } from '../../../modules/hostmaster-setup/install.js';
import { queueTask } from '../../../modules/hosting/tasks/queue-task.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';
import { json, show } from '../../cli/run-helper.js';
import { expectCode } from '../../harness/expect.js';
import { mariadb } from '../../harness/mariadb.js';
import { freePort } from '../../harness/ports.js';
import { hostmasterBox, type HostmasterBox } from './env.js';

describe('aegir hostmaster-install (embedded defaults)', function () {
  this.timeout(240_000);
  let box: HostmasterBox;
  let installed: { url: string; login: string; elapsedMs: number };

  before(async () => {
    box = await hostmasterBox();
    const r = await box.aegir(['hostmaster-install', `--http-port=${box.port}`, '--account-mail=ops@example.com', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    installed = json(r);
  });
  after(async () => { await box?.stop(); });

  it('serves the hostmaster through its web server: the front page sends visitors to the login form, which answers', async () => {
    expect(installed.url).to.equal(`http://localhost:${box.port}`);
    const front = await getWithHost('127.0.0.1', box.port, `localhost:${box.port}`, '/');
    expect(front.status).to.equal(303);
    const login = await getWithHost('127.0.0.1', box.port, `localhost:${box.port}`, '/user/login');
    expect(login.status).to.equal(200);
    expect(login.body).to.contain('name="pass"');
    // The one-time link is the hostmaster's own, on its address.
    expect(installed.login).to.match(new RegExp(`^http://localhost:${box.port}/user/reset/1/\\d+/[A-Za-z0-9_-]+$`));
    const link = await getWithHost('127.0.0.1', box.port, `localhost:${box.port}`, new URL(installed.login).pathname);
    expect(link.status).to.equal(200);
  });

  it('made this machine\'s server, this codebase\'s platform and the hostmaster site as nodes, all verified through the queue and marked as its own', async () => {
    const site = await bootSite(box.tc.codebase, 'localhost', box.tc.logger);
    try {
      const server = await site.db('hosting_server').first();
      const platform = await site.db('hosting_platform').first();
      const own = await site.db('hosting_site').where({ domain: 'localhost' }).first();
      expect([server.context, server.status, Number(server.hostmaster)]).to.deep.equal(['server_master', 'verified', 1]);
      expect([platform.context, platform.status, platform.root, Number(platform.hostmaster)]).to.deep.equal(['platform_hostmaster', 'verified', box.tc.root, 1]);
      expect([own.status, Number(own.hostmaster)]).to.deep.equal(['installed', 1]);
      const tasks = (await site.db('hosting_task').select('task_type', 'object_kind', 'status')) as { task_type: string; object_kind: string; status: string }[];
      expect(tasks.every((t) => t.status === 'success'), JSON.stringify(tasks)).to.equal(true);
      expect(tasks.map((t) => `${t.object_kind}/${t.task_type}`).sort()).to.deep.equal(['platform/import', 'platform/verify', 'server/verify', 'site/verify']);
      // The hostmaster's own objects refuse dangerous tasks.
      await expectCode(queueTask(site, { type: 'delete', object: Number(own.nid), account: CONSOLE_ACCOUNT }), 'ERR_TASK_HOSTMASTER');
      expect(await site.config.get('system.front_page')).to.equal('/hosting/front');
    } finally {
      await site.close();
    }
  });

  it('refuses a second install (ERR_HOSTMASTER_INSTALLED), even at another address', async () => {
    const r = await box.aegir(['hostmaster-install', '--domain=other.localhost', `--http-port=${box.port}`, '--backend']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain('ERR_HOSTMASTER_INSTALLED');
    expect(existsSync(join(box.tc.root, 'sites', 'other.localhost'))).to.equal(false);
  });
});

describe('aegir hostmaster-install refuses wrong answers before it changes anything', function () {
  this.timeout(240_000);
  let box: HostmasterBox;
  let busy: Server;
  before(async () => {
    box = await hostmasterBox();
    busy = createServer();
    await new Promise<void>((r) => busy.listen(box.port, '127.0.0.1', () => r()));
  });
  after(async () => {
    await new Promise<void>((r) => busy.close(() => r()));
    await box?.stop();
  });

  const nothingMade = (): void => {
    expect(readdirSync(join(box.tc.root, 'sites')).sort()).to.deep.equal(['all']);
    expect(existsSync(join(box.home, 'contexts')) ? readdirSync(join(box.home, 'contexts')) : []).to.deep.equal([]);
    expect(existsSync(join(box.home, 'hostmaster.json'))).to.equal(false);
    expect(box.pids()).to.deep.equal([]);
  };

  it('a port in use, a bad address, a bad mail: ERR_HOSTMASTER_ANSWERS_INVALID naming each, and nothing made', async () => {
    const r = await box.aegir(['hostmaster-install', `--http-port=${box.port}`, '--domain=-bad-.test', '--account-mail=nope', '--backend']);
    expect(r.code).to.equal(1);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { error: { code: string; message: string } };
    expect(result.error.code).to.equal('ERR_HOSTMASTER_ANSWERS_INVALID');
    for (const field of ['uri', 'http_port', 'account_mail']) expect(result.error.message).to.contain(`${field}:`);
    expect(result.error.message).to.contain('in use');
    nothingMade();
  });

  it('MySQL answers that are wrong: a bad superuser password, then a port where no MySQL answers, each named at its field', async () => {
    const m = await mariadb();
    const before = await m.databases();
    const args = ['hostmaster-install', `--http-port=${box.port + 3}`, '--db=mysql', `--db-host=${m.admin.host}`, `--db-admin-user=${m.admin.user}`, '--backend'];
    const wrong = await box.aegir([...args, `--db-port=${m.admin.port}`], { env: { AEGIR_DB_ADMIN_PASS: `${m.admin.password}-wrong` } });
    expect(wrong.code, show(wrong)).to.equal(1);
    const said = (JSON.parse(wrong.stdout.trim().split('\n').at(-1)!) as { error: { code: string; message: string } }).error;
    expect(said.code).to.equal('ERR_HOSTMASTER_ANSWERS_INVALID');
    expect(said.message).to.match(/db_admin_pass: MySQL refused \S+ with this password: check it\./);
    expect(`${wrong.stdout}${wrong.stderr}`, 'the password is never printed').to.not.include(`${m.admin.password}-wrong`);
    const nobody = await box.aegir([...args, `--db-port=${await freePort()}`], { env: { AEGIR_DB_ADMIN_PASS: m.admin.password } });
    expect(nobody.code, show(nobody)).to.equal(1);
    expect(nobody.stdout).to.match(/db_host: No MySQL server answers at /);
    nothingMade();
    expect(await m.databases(), 'no database made').to.deep.equal(before);
  });

  it('a home that cannot be written (a file where the folder should be)', async () => {
    const file = join(box.tc.root, 'not-a-folder');
    writeFileSync(file, 'x');
    const r = await box.aegir(['hostmaster-install', '--http-port=1', '--backend'], { env: { AEGIR_HOME: file } });
    expect(r.code, show(r)).to.equal(1);
    expect(r.stdout, show(r)).to.contain('ERR_HOSTMASTER_ANSWERS_INVALID');
    expect(r.stdout).to.contain('home:');
    nothingMade();
  });

  it('a web server that fails at its verify (a binary that does not run): ERR_HOSTMASTER_INSTALL_FAILED, caused by the failed task (ERR_HOSTMASTER_TASK_FAILED), and everything made is taken back', async () => {
    const confDir = join(box.home, 'nginx');
    const answers = { ...defaultAnswers(box.home), http: 'nginx' as const, httpPort: box.port + 1, httpSettings: { confDir, binary: '/bin/false' } };
    const e = await expectCode(installHostmaster(box.tc.codebase, answers, box.tc.logger, { step: () => undefined }), 'ERR_HOSTMASTER_INSTALL_FAILED');
    expect(e.facts.causeCode).to.equal('ERR_HOSTMASTER_TASK_FAILED');
    expect(String(e.facts.cause)).to.contain('http (nginx)');
    nothingMade();
    expect(existsSync(confDir)).to.equal(false);
  });

  it('on MySQL too: the hostmaster\'s own database and user, made before the failing verify, are dropped again', async () => {
    const m = await mariadb();
    const before = await m.databases();
    const users = async (): Promise<string[]> => {
      const db = await openServer({ ...m.admin, database: '' });
      try { return ((await db.raw('SELECT User FROM mysql.user WHERE User LIKE ?', ['hostmaster\\_%']))[0] as { User: string }[]).map((u) => u.User); } finally { await db.destroy(); }
    };
    const confDir = join(box.home, 'nginx');
    const answers = { ...defaultAnswers(box.home), http: 'nginx' as const, httpPort: box.port + 4, httpSettings: { confDir, binary: '/bin/false' },
      db: 'mysql' as const, dbHost: m.admin.host, dbPort: m.admin.port, dbAdminUser: m.admin.user, dbAdminPass: m.admin.password };
    // Other tests of this run may have left hostmasters on this server: only what this install made counts.
    const usersBefore = await users();
    const made: string[] = [];
    const e = await expectCode(installHostmaster(box.tc.codebase, answers, box.tc.logger, { step: (t) => { made.push(t); } }), 'ERR_HOSTMASTER_INSTALL_FAILED');
    expect(e.facts.causeCode).to.equal('ERR_HOSTMASTER_TASK_FAILED');
    expect(made[0]).to.equal('Install the hostmaster site (profile hostmaster, MySQL/MariaDB)');
    nothingMade();
    expect(await m.databases()).to.deep.equal(before);
    expect(await users()).to.deep.equal(usersBefore);
  });

  it('a damaged hostmaster marker in the home is named, not taken for "no hostmaster" (ERR_HOSTMASTER_MARKER_INVALID)', async () => {
    writeFileSync(join(box.home, 'hostmaster.json'), '{"root": "relative"}');
    try {
      const r = await box.aegir(['hostmaster-install', `--http-port=${box.port + 2}`, '--backend']);
      expect(r.code).to.equal(1);
      expect((JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { error: { code: string } }).error.code).to.equal('ERR_HOSTMASTER_MARKER_INVALID');
      expect(readdirSync(join(box.tc.root, 'sites')).sort()).to.deep.equal(['all']);
    } finally {
      rmSync(join(box.home, 'hostmaster.json'));
    }
  });
});
