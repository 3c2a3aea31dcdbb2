/**
 * The db_updates contrib module (sites/all/modules/db_updates) on a
 * hostmaster with a real back end: "Run database updates" on a site backs
 * it up (the archive is listed among the site's backups) and runs its
 * pending updates; when an update fails half-way, the site's database is
 * restored from the dump of that backup, the log says so, the task ends in
 * error and no archive is left behind. Offered only where it applies, and
 * only to those with its permission.
 */
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CONSOLE_ACCOUNT } from '../../modules/hosting/commands/common.js';
import type { Dispatcher } from '../../modules/hosting/queue/dispatcher.js';
import { taskType } from '../../modules/hosting/tasks/registry.js';
import { queueTask } from '../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../modules/node/storage.js';
import { asHostmasterAdmin } from '../modules/hosting/admin-web.js';
import { hostmasterEnv, type HostmasterEnv } from '../modules/hosting/env.js';

const DOMAIN = 'updates.test';

/** The demo module's entry (plain ES module: the platform's program imports it as it is) with updates 1..n; update `failing` makes its table, then throws. */
function demoModule(n: number, failing?: number): string {
  const updates = Array.from({ length: n }, (_, i) => i + 1).map((u) => `    ${u}: {
      description: 'Make table upd_demo_${u}',
      async run(site) {
        await site.db.schema.createTable('upd_demo_${u}', (t) => { t.increments('id'); });${u === failing ? `\n        throw new Error('update ${u} of upd_demo breaks half-way');` : ''}
      },
    },`).join('\n');
  return `export default {\n  updates: {\n${updates}\n  },\n};\n`;
}

describe('contrib db_updates: "Run database updates" backs up, updates, and restores when an update fails', function () {
  this.timeout(300_000);
  let h: HostmasterEnv;
  let d: Dispatcher;
  let site: number;
  let platformRoot: string;
  const moduleDir = (): string => join(platformRoot, 'sites', 'all', 'modules', 'upd_demo');
  const siteAegir = (args: string[]): string => execFileSync(process.execPath, [join(platformRoot, 'bin', 'aegir'), `--uri=${DOMAIN}`, ...args], { cwd: platformRoot, encoding: 'utf8' });
  const tables = (): string[] => {
    const settings = JSON.parse(readFileSync(join(platformRoot, 'sites', DOMAIN, 'settings.json'), 'utf8')) as { database: { file: string } };
    const file = isAbsolute(settings.database.file) ? settings.database.file : join(platformRoot, 'sites', DOMAIN, settings.database.file);
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'upd_demo_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  };
  const run = async (): Promise<{ nid: number; status: string; log: string }> => {
    const nid = (await queueTask(h.site, { type: 'db-updates', object: site, account: CONSOLE_ACCOUNT })).node.nid;
    const status = await h.ended(nid);
    return { nid, status, log: await h.logOf(nid) };
  };
  const archives = (): string[] => {
    const dir = join(h.pe.home, 'backups', DOMAIN);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tar.gz')).sort() : [];
  };

  before(async () => {
    h = await hostmasterEnv('sqlite', { contrib: ['db_updates'] });
    d = h.dispatcher();
    await d.start();
    platformRoot = h.pe.platform.root;
    const server = await h.addServer();
    expect(await h.ended(await h.lastTask(server))).to.equal('success');
    const platform = await h.addPlatform(server, 'platform_test', platformRoot);
    expect(await h.ended(await h.lastTask(platform)), await h.logOf(await h.lastTask(platform))).to.equal('success');
    site = (await saveNode(h.site, { type: 'site', title: DOMAIN, fields: { platform, db_server: server, profile: 'minimal' } }, { account: CONSOLE_ACCOUNT })).nid;
    expect(await h.ended(await h.lastTask(site)), await h.logOf(await h.lastTask(site))).to.equal('success');
    // A module of the platform, enabled on the site with no updates yet.
    mkdirSync(moduleDir(), { recursive: true });
    writeFileSync(join(moduleDir(), 'module.json'), JSON.stringify({ name: 'upd_demo', description: 'Updates for the db_updates test.', version: '1.0.0', main: 'index.mjs', dependencies: {} }));
    writeFileSync(join(moduleDir(), 'index.mjs'), demoModule(0));
    siteAegir(['pm-enable', 'upd_demo', '-y', '-q']);
  });
  after(async () => {
    await d?.stop({ handBack: true });
    if (platformRoot) rmSync(moduleDir(), { recursive: true, force: true });
    await h?.stop();
  });

  it('is a site task type with its own permission, offered on installed sites only', async () => {
    const type = taskType(h.site.kernel, 'site', 'db-updates');
    expect(type?.module).to.equal('db_updates');
    expect(type?.permission).to.equal('run database updates');
    expect(type?.offered?.({ kind: 'site', status: 'installed' } as never)).to.equal(true);
    expect(type?.offered?.({ kind: 'site', status: 'disabled' } as never)).to.equal(false);
  });

  it('backs the site up, runs the pending updates (listed in the log), and lists the backup among the site\'s backups', async () => {
    writeFileSync(join(moduleDir(), 'index.mjs'), demoModule(2));
    expect(siteAegir(['updatedb-status'])).to.contain('upd_demo');
    const before = archives().length;
    const t = await run();
    expect(t.status, t.log).to.equal('success');
    expect(t.log).to.match(/Backup of updates\.test before its updates: .*\.tar\.gz/);
    expect(t.log).to.contain('Make table upd_demo_2');
    expect(tables()).to.deep.equal(['upd_demo_1', 'upd_demo_2']);
    expect(archives().length).to.equal(before + 1);
    const rows = (await h.site.db('hosting_backup').where({ site_nid: site, task_nid: t.nid })) as { file: string; description: string; bytes: number }[];
    expect(rows.length).to.equal(1);
    expect(rows[0]!.description).to.equal('Before database updates');
    expect(existsSync(rows[0]!.file)).to.equal(true);
    expect(Number(rows[0]!.bytes)).to.be.greaterThan(0);
    expect(existsSync(join(h.pe.home, 'backups', DOMAIN, '.pre-db-updates.sql')), 'the dump is removed once done').to.equal(false);
  });

  it('when an update fails half-way, restores the database from the backup, says so, fails the task and keeps no archive', async () => {
    writeFileSync(join(moduleDir(), 'index.mjs'), demoModule(4, 4));
    const before = archives();
    const t = await run();
    expect(t.status, t.log).to.equal('error');
    expect(t.log).to.contain('update 4 of upd_demo breaks half-way');
    expect(t.log).to.match(/An update failed: the database of updates\.test is restored from the backup taken before the updates/);
    // Update 3 ran and update 4 made its table before it failed: both are gone with the restore.
    expect(tables()).to.deep.equal(['upd_demo_1', 'upd_demo_2']);
    expect(siteAegir(['updatedb-status'])).to.match(/upd_demo/);
    expect(archives()).to.deep.equal(before);
    expect((await h.site.db('hosting_backup').where({ task_nid: t.nid })).length).to.equal(0);
    expect(existsSync(join(h.pe.home, 'backups', DOMAIN, '.pre-db-updates.sql'))).to.equal(false);
  });

  it('is offered on the site\'s page like every task, with its form', async () => {
    await asHostmasterAdmin(h, async (admin) => {
      const page = await admin.get(`/node/${site}`);
      expect(page.status).to.equal(200);
      expect(page.body).to.contain(`/node/${site}/task/db-updates`).and.contain('Run database updates');
      const form = await admin.get(`/node/${site}/task/db-updates`);
      expect(form.status).to.equal(200);
      expect(form.body).to.match(/<form[^>]*method="post"/).and.contain('Run database updates');
    });
  });

  it('runs from the command line like every task (aegir @site provision-db-updates)', async () => {
    writeFileSync(join(moduleDir(), 'index.mjs'), demoModule(3));
    const r = await h.pe.aegir([`@${DOMAIN}`, 'provision-db-updates']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).to.match(/Ran the database updates of updates\.test/);
    expect(tables()).to.deep.equal(['upd_demo_1', 'upd_demo_2', 'upd_demo_3']);
  });
});
