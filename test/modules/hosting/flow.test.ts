/**
 * The hosting front end end to end, on the real back end: server, platform
 * and site nodes queue their first tasks, a dispatcher runs them through
 * the drush bridge, and the sites are really served; then the site tasks
 * through the queue with their effects checked on disk and over HTTP.
 */
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, memorySink, type LogEntry } from '../../../core/logger/logger.js';
import { bootSite, type Site } from '../../../core/site/site.js';
import { openServer } from '../../../core/database/connect.js';
import { removeOldTasks } from '../../../modules/hosting/periodic/builtin.js';
import { PeriodicScheduler } from '../../../modules/hosting/periodic/scheduler.js';
import { Dispatcher } from '../../../modules/hosting/queue/dispatcher.js';
import { TaskQueue, type TaskRow } from '../../../modules/hosting/queue/store.js';
import { bridgeRunner } from '../../../modules/hosting/tasks/bridge-runner.js';
import { queueTask } from '../../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../../modules/node/storage.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { cli, show } from '../../cli/run-helper.js';
import { mariadb } from '../../harness/mariadb.js';
import { DRIVERS } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { provisionEnv, type ProvisionEnv } from '../provision/env.js';
// Imported statically: a dynamic import() loads a second copy of the harness, with a MariaDB server of its own.
import { databasesAndUsers } from '../provision/leftovers.js';

const until = async (check: () => Promise<boolean>, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const driver of DRIVERS) {
  describe(`hosting: objects and tasks through the queue on the real back end (${driver})`, function () {
    this.timeout(300_000);
    let pe: ProvisionEnv;
    let site: Site;
    let d: Dispatcher;
    const logs: LogEntry[] = [];
    const ids: Record<string, number> = {};

    before(async () => {
      pe = await provisionEnv(driver);
      // The hostmaster's own database (and so the queue) is on the driver under test too.
      const db = driver === 'mysql' ? (await mariadb()).database('hostmaster') : undefined;
      const install = await cli(pe.backend.root, ['site-install', 'standard', '--uri=hostmaster.test', '-q',
        ...(db ? [`--db-url=mysql://${encodeURIComponent(db.user)}@${db.host}:${db.port}/${db.database}`, '--db-pass-file=-'] : [])],
      { env: { ...process.env, AEGIR_HOME: pe.home }, ...(db ? { stdin: db.password } : {}) });
      expect(install.code, show(install)).to.equal(0);
      const enable = await pe.aegir(['--uri=hostmaster.test', 'pm-enable', 'hosting', 'hosting_clone', 'hosting_migrate', 'hosting_cron', 'hosting_backup_queue', '-y', '-q']);
      expect(enable.code, show(enable)).to.equal(0);
      site = await bootSite(pe.backend.codebase, 'hostmaster.test', new Logger(memorySink(logs), 'debug'));
      d = new Dispatcher({
        db: site.db, runner: bridgeRunner({ site, aegirBin: join(pe.backend.root, 'bin', 'aegir'), home: pe.home }),
        limits: { global: 4, perServer: 2 }, logger: site.logger, heartbeatMs: 500, pollMs: 50,
      });
      await d.start();
    });
    after(async () => {
      await d?.stop({ handBack: true });
      await site?.close();
      await pe?.stop();
    });

    const statusOf = async (nid: number): Promise<string | undefined> => (await new TaskQueue(site.db).get(nid))?.status;
    const lastTask = async (object: number): Promise<number> => Number(((await site.db('hosting_task').where({ object_nid: object }).orderBy('nid', 'desc').first('nid')) as { nid: number }).nid);
    const ended = async (task: number): Promise<string> => {
      await until(async () => ['success', 'warning', 'error', 'cancelled'].includes((await statusOf(task)) ?? ''));
      return (await statusOf(task))!;
    };
    const lastOfType = async (object: number, type: string): Promise<number> => Number(((await site.db('hosting_task').where({ object_nid: object, task_type: type }).orderBy('nid', 'desc').first('nid')) as { nid: number }).nid);
    const logOf = async (task: number): Promise<string> => {
      const t = await new TaskQueue(site.db).get(task);
      return ((await site.db('hosting_task_log').where({ rid: t!.runId }).orderBy('lid')) as { message: string }[]).map((l) => l.message).join('\n');
    };

    it('keeps the queue in the hostmaster\'s own database, on the driver under test', async () => {
      expect(site.settings.database.driver).to.equal(driver);
    });

    it('a new server node and a new platform node queue their verify; both run and are recorded verified, with the platform\'s packages', async () => {
      const server = JSON.parse((await import('node:fs')).readFileSync(join(pe.home, 'contexts', 'server_master.json'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
      const settings = (k: string): string => Object.entries(server.services[k] ?? {}).filter(([n]) => n !== 'type').map(([n, v]) => `${n}=${String(v)}`).join(',');
      const s = await saveNode(site, { type: 'server', title: 'Master', fields: {
        context: 'server_master', host: 'localhost', http: 'builtin', http_settings: settings('http'), db: String(server.services.db!.type), db_settings: settings('db'),
        app: 'builtin', app_settings: settings('app'),
      } }, { account: CONSOLE_ACCOUNT });
      ids.server = s.nid;
      const p = await saveNode(site, { type: 'platform', title: 'Test platform', fields: { context: 'platform_test', server: s.nid, root: pe.platform.root } }, { account: CONSOLE_ACCOUNT });
      ids.platform = p.nid;
      expect(await ended(await lastTask(s.nid)), await logOf(await lastTask(s.nid))).to.equal('success');
      expect(await ended(await lastTask(p.nid)), await logOf(await lastTask(p.nid))).to.equal('success');
      expect((await site.db('hosting_server').where({ nid: s.nid }).first('status')).status).to.equal('verified');
      expect((await site.db('hosting_platform').where({ nid: p.nid }).first('status')).status).to.equal('verified');
      const profiles = (await site.db('hosting_package_instance as i').join('hosting_package as k', 'k.nid', 'i.package_nid').where({ 'i.platform_nid': p.nid, 'k.type': 'profile' }).select('k.name')).map((r: { name: string }) => r.name);
      expect(profiles).to.include.members(['minimal', 'standard']);
      // Each package is a node of its own, loaded with where it is installed; only verifies make them, never a form.
      const { loadNode } = await import('../../../modules/node/storage.js');
      const { nodeAccess } = await import('../../../modules/node/access.js');
      const pkg = (await site.db('hosting_package').where({ name: 'system', type: 'module' }).first('nid')) as { nid: number };
      const node = (await loadNode(site, Number(pkg.nid)))!;
      expect(node.type).to.equal('package');
      expect(node.title).to.equal('system');
      expect((node.extra.instances as { platform: number; version: string | null }[]).map((i) => i.platform)).to.deep.equal([p.nid]);
      const admin = { uid: 1, name: 'admin', roles: [], anonymous: false, hasPermission: () => true };
      expect(await nodeAccess(site, 'view', { node }, admin)).to.equal(true);
      for (const type of ['package', 'task']) expect(await nodeAccess(site, 'create', { type }, admin), type).to.equal(false);
      expect(await nodeAccess(site, 'update', { node }, admin)).to.equal(false);
      expect(await nodeAccess(site, 'delete', { node }, admin)).to.equal(false);
    });

    it('a new site node queues its install; it runs and the site is served, its status installed', async () => {
      const n = await saveNode(site, { type: 'site', title: 'Shop.Test', fields: { platform: ids.platform!, db_server: ids.server!, profile: 'minimal', aliases: 'www.shop.test' } }, { account: CONSOLE_ACCOUNT });
      ids.site = n.nid;
      expect(n.title).to.equal('shop.test');
      const task = await lastTask(n.nid);
      expect(await ended(task), await logOf(task)).to.equal('success');
      expect(await logOf(task)).to.include('Install the site on its platform');
      expect((await site.db('hosting_site').where({ nid: n.nid }).first('status')).status).to.equal('installed');
      expect(await pe.status('shop.test')).to.equal(200);
      expect(await pe.status('www.shop.test')).to.equal(200);
      // Installed, the site moves only through a migrate: its form refuses a new domain, platform or profile, each at its field; nothing is queued.
      const { loadNode } = await import('../../../modules/node/storage.js');
      const stored = (await loadNode(site, n.nid))!;
      const tasks = Number((await site.db('hosting_task').count({ c: '*' }))[0]!.c);
      const changes: [string, Record<string, string | number | boolean | null>, string][] = [
        ['other.test', stored.fields, 'title'], [stored.title, { ...stored.fields, profile: 'standard' }, 'profile'], [stored.title, { ...stored.fields, platform: ids.server! }, 'platform'],
      ];
      for (const [title, fields, field] of changes) {
        const e = await expectCode(saveNode(site, { nid: n.nid, type: 'site', title, fields }, { account: CONSOLE_ACCOUNT }), 'ERR_NODE_INVALID');
        expect(e.facts.fields, JSON.stringify(e.facts)).to.include(field);
      }
      expect(Number((await site.db('hosting_task').count({ c: '*' }))[0]!.c)).to.equal(tasks);
      expect((await site.db('hosting_site').where({ nid: n.nid }).first('domain')).domain).to.equal('shop.test');
      // Its aliases may change: the node saves and a verify is queued to write them.
      await saveNode(site, { nid: n.nid, type: 'site', title: stored.title, fields: { ...stored.fields, aliases: 'www.shop.test\nshop2.test' } }, { account: CONSOLE_ACCOUNT });
      const verify = await lastTask(n.nid);
      expect((await new TaskQueue(site.db).get(verify))!.taskType).to.equal('verify');
      expect(await ended(verify), await logOf(verify)).to.equal('success');
      expect(await pe.status('shop2.test')).to.equal(200);
    });

    it('site tasks through the queue: backup (recorded), disable (503), enable (200), verify, login-reset (its link in the result)', async () => {
      const run = async (type: string, args: Record<string, unknown> = {}): Promise<number> => {
        const q = await queueTask(site, { type, object: ids.site!, args, account: CONSOLE_ACCOUNT });
        expect(await ended(q.node.nid), `${type}: ${await logOf(q.node.nid)}`).to.equal('success');
        return q.node.nid;
      };
      await run('backup', { description: 'before the sale' });
      const b = (await site.db('hosting_backup').where({ site_nid: ids.site }).first()) as { file: string; description: string };
      expect(existsSync(b.file)).to.equal(true);
      expect(b.description).to.equal('before the sale');
      // Restore through the queue: a change made after the backup is undone.
      const { cli: run2 } = await import('../../cli/run-helper.js');
      const siteCli = (...a: string[]) => run2(pe.platform.root, ['--uri=shop.test', ...a], { env: { ...process.env, AEGIR_HOME: pe.home } });
      expect((await siteCli('config-set', 'system.slogan', 'after the backup')).code).to.equal(0);
      const bid = Number((await site.db('hosting_backup').where({ site_nid: ids.site }).first('bid')).bid);
      await run('restore', { backup: bid });
      expect((await siteCli('config-get', 'system.slogan', '--format=json')).stdout).to.not.include('after the backup');
      await run('disable');
      expect(await pe.status('shop.test')).to.equal(503);
      expect((await site.db('hosting_site').where({ nid: ids.site }).first('status')).status).to.equal('disabled');
      await run('enable');
      expect(await pe.status('shop.test')).to.equal(200);
      await run('verify');
      const login = await run('login-reset');
      const result = JSON.parse((await site.db('hosting_task_run').where({ task_nid: login }).first('result')).result) as { url: string };
      expect(result.url).to.match(new RegExp(`^http://shop\\.test:${pe.proxyPort}/user/reset/1/`));
    });

    it('refuses before anything is queued: a task the state does not offer, a second queued task of a kind, bad arguments, a dangerous task on the hostmaster\'s own objects', async () => {
      const before = Number((await site.db('hosting_task').count({ n: '*' }))[0]!.n);
      await expectCode(queueTask(site, { type: 'enable', object: ids.site!, account: CONSOLE_ACCOUNT }), 'ERR_TASK_NOT_OFFERED');
      await expectCode(queueTask(site, { type: 'nosuch', object: ids.site!, account: CONSOLE_ACCOUNT }), 'ERR_TASK_TYPE_UNKNOWN');
      await expectCode(queueTask(site, { type: 'verify', object: 999_999, account: CONSOLE_ACCOUNT }), 'ERR_OBJECT_UNKNOWN');
      await expectCode(queueTask(site, { type: 'clone', object: ids.site!, args: { new_name: 'not a domain' }, account: CONSOLE_ACCOUNT }), 'ERR_TASK_ARGS_INVALID');
      await expectCode(queueTask(site, { type: 'clone', object: ids.site!, args: { new_name: 'www.shop.test' }, account: CONSOLE_ACCOUNT }), 'ERR_TASK_ARGS_INVALID');
      await expectCode(queueTask(site, { type: 'backup', object: ids.site!, args: { colour: 'red' }, account: CONSOLE_ACCOUNT }), 'ERR_TASK_ARGS_INVALID');
      await expectCode(queueTask(site, { type: 'restore', object: ids.site!, args: { backup: 99999 }, account: CONSOLE_ACCOUNT }), 'ERR_TASK_ARGS_INVALID');
      // Someone who may not see the site is told nothing of it; someone who sees it without the task's permission is denied.
      const nobody = { uid: 5, name: 'nobody', roles: [], anonymous: false, hasPermission: () => false };
      await expectCode(queueTask(site, { type: 'backup', object: ids.site!, account: nobody }), 'ERR_OBJECT_UNKNOWN');
      const limited = { uid: 6, name: 'limited', roles: [], anonymous: false, hasPermission: (p: string) => p === 'manage platforms' || p === 'access hosting' };
      await expectCode(queueTask(site, { type: 'verify', object: ids.platform!, account: limited }), 'ERR_TASK_DENIED');
      await site.db('hosting_platform').where({ nid: ids.platform }).update({ hostmaster: 1 });
      try {
        await expectCode(queueTask(site, { type: 'delete', object: ids.platform!, account: CONSOLE_ACCOUNT }), 'ERR_TASK_HOSTMASTER');
      } finally {
        await site.db('hosting_platform').where({ nid: ids.platform }).update({ hostmaster: 0 });
      }
      expect(Number((await site.db('hosting_task').count({ n: '*' }))[0]!.n)).to.equal(before);
    });

    it('a back end that dies without a result line is an error (ERR_BACKEND_NO_RESULT) whose log quotes its last lines', async () => {
      const bin = join(pe.home, 'dying-backend.js');
      writeFileSync(bin, "process.stderr.write('segfault in the disk layer\\n'); process.exit(3);\n");
      const lines: string[] = [];
      const runner = bridgeRunner({ site, aegirBin: bin, home: pe.home });
      // Its contexts are written afresh, so even the first call (provision-save) meets the dying back end.
      await site.db('hosting_context').delete();
      const task = { taskType: 'verify', objectNid: ids.site!, args: {} } as unknown as TaskRow;
      const out = await runner(task, { log: async (l) => { lines.push(l.message); }, signal: new AbortController().signal, started: async () => {} });
      expect(out.status).to.equal('error');
      expect(out.errorCode).to.equal('ERR_BACKEND_NO_RESULT');
      expect(lines.join('\n')).to.include('segfault in the disk layer');
    });

    it('periodic queues: due cron runs and scheduled backups are queued and run, retention queues the delete of old backups, old tasks go', async () => {
      const scheduler = new PeriodicScheduler(site);
      await site.config.set('hosting.cron_interval', 1);
      await site.config.set('hosting.backup_interval', 1);
      await site.config.set('hosting.backup_keep', 1);
      await scheduler.round();
      const cron = await lastOfType(ids.site!, 'cron');
      const backup = await lastOfType(ids.site!, 'backup');
      expect(await ended(cron), await logOf(cron)).to.equal('success');
      expect(await ended(backup), await logOf(backup)).to.equal('success');
      expect(Number((await site.db('hosting_site').where({ nid: ids.site }).first('last_cron')).last_cron)).to.be.greaterThan(0);
      const backups = (await site.db('hosting_backup').where({ site_nid: ids.site }).orderBy('created')).map((b: { bid: number; file: string }) => b);
      expect(backups.length).to.equal(2);
      // A second round, once their intervals passed: retention removes the older backup (never the only one).
      await site.config.set('hosting.backup_interval', 0);
      await site.config.set('hosting.cron_interval', 0);
      const again = new PeriodicScheduler(site);
      await again.round();
      const del = await lastOfType(ids.site!, 'backup-delete');
      expect(await ended(del), await logOf(del)).to.equal('success');
      expect((await site.db('hosting_backup').where({ site_nid: ids.site })).map((b: { bid: number }) => b.bid)).to.deep.equal([backups[1]!.bid]);
      expect(existsSync(backups[0]!.file)).to.equal(false);
      // Old tasks: everything finished before now goes with its runs and logs.
      const before = Number((await site.db('hosting_task').count({ n: '*' }))[0]!.n);
      const removed = await removeOldTasks(site.db, Date.now() + 1);
      expect(removed).to.equal(before);
      expect(Number((await site.db('hosting_task_log').count({ n: '*' }))[0]!.n)).to.equal(0);
      expect(Number((await site.db('node').where({ type: 'task' }).count({ n: '*' }))[0]!.n)).to.equal(0);
    });

    it('hosting-import: a site installed in a platform folder by hand gets a node and a verify and is served; a site a node has, and an imported one, are skipped; its delete drops its database', async () => {
      const m = driver === 'mysql' ? await mariadb() : undefined;
      // On MariaDB the site has a user of its own (the back end takes it over), and a second site uses the admin account (never dropped).
      const db = m ? { ...m.database('legacy'), password: 'legacy-pass-Q7' } : undefined;
      const shared = m?.database('shared');
      if (m && db) {
        const admin = await openServer({ ...m.admin, database: '' });
        try {
          const user = db.database.slice(0, 32);
          await admin.raw('CREATE DATABASE ??', [db.database]);
          for (const host of ['localhost', '127.0.0.1']) {
            await admin.raw('CREATE USER ?@? IDENTIFIED BY ?', [user, host, db.password]);
            await admin.raw('GRANT ALL PRIVILEGES ON ??.* TO ?@?', [db.database, user, host]);
          }
          Object.assign(db, { user });
        } finally {
          await admin.destroy();
        }
      }
      const installHere = async (domain: string, d?: { user: string; host: string; port: number; database: string; password: string }) => {
        const made = await cli(pe.platform.root, ['site-install', 'minimal', `--uri=${domain}`, '-q',
          ...(d ? [`--db-url=mysql://${encodeURIComponent(d.user)}@${d.host}:${d.port}/${d.database}`, '--db-pass-file=-'] : [])],
        { env: { ...process.env, AEGIR_HOME: pe.home }, ...(d ? { stdin: d.password } : {}) });
        expect(made.code, show(made)).to.equal(0);
      };
      await installHere('legacy.test', db);
      if (shared) await installHere('shared.test', shared);
      expect(await pe.status('legacy.test')).to.equal(404);
      const r = await pe.aegir(['--uri=hostmaster.test', 'hosting-import', 'platform_test', '--wait', '--format=json']);
      expect(r.code, show(r)).to.equal(0);
      const out = JSON.parse(r.stdout) as { imported: { domain: string; nid: number }[]; skipped: { domain: string; problem: string }[] };
      expect(out.imported.map((i) => i.domain)).to.deep.equal(shared ? ['legacy.test', 'shared.test'] : ['legacy.test']);
      expect(out.skipped.map((i) => i.domain)).to.include('shop.test');
      const nid = out.imported[0]!.nid;
      const row = await site.db('hosting_site').where({ nid }).first();
      expect(row).to.include({ domain: 'legacy.test', profile: 'minimal', status: 'installed' });
      expect(Number(row.platform_nid)).to.equal(ids.platform);
      expect(Number(row.db_server_nid)).to.equal(ids.server);
      const verify = await lastTask(nid);
      expect((await new TaskQueue(site.db).get(verify))!.taskType).to.equal('verify');
      expect(await ended(verify), await logOf(verify)).to.equal('success');
      expect(await pe.status('legacy.test')).to.equal(200);
      expect(existsSync(join(pe.home, 'contexts', 'legacy.test.json'))).to.equal(true);
      // A MariaDB site's database is recorded by that verify, so that its delete drops it.
      if (db) expect(await logOf(verify)).to.include(`Recorded the site's database ${db.database}`).and.not.include(db.password);
      const again = await pe.aegir(['--uri=hostmaster.test', 'hosting-import', String(ids.platform), '--wait', '--format=json']);
      expect(again.code, show(again)).to.equal(0);
      const second = JSON.parse(again.stdout) as { imported: unknown[]; skipped: { domain: string }[] };
      expect(second.imported).to.deep.equal([]);
      expect(second.skipped.map((s) => s.domain)).to.include.members(['legacy.test', 'shop.test']);
      const del = await queueTask(site, { type: 'delete', object: nid, account: CONSOLE_ACCOUNT });
      expect(await ended(del.node.nid), await logOf(del.node.nid)).to.equal('success');
      expect(await pe.status('legacy.test')).to.equal(404);
      if (db && shared) {
        const left = await databasesAndUsers();
        expect(left.databases).to.not.include(db.database);
        expect(left.databases).to.include(shared.database);
        expect(left.users.filter((u) => u.startsWith(`${db.user}@`))).to.deep.equal([]);
        // The site on the admin account: its verify warns that nothing of its database is recorded; its delete leaves the database and the account.
        const sharedNid = out.imported.find((i) => i.domain === 'shared.test')!.nid;
        const sv = await lastTask(sharedNid);
        expect(await ended(sv), await logOf(sv)).to.equal('warning');
        expect(await logOf(sv)).to.include('may use other databases too');
        const sd = await queueTask(site, { type: 'delete', object: sharedNid, account: CONSOLE_ACCOUNT });
        expect(await ended(sd.node.nid), await logOf(sd.node.nid)).to.equal('success');
        const after = await databasesAndUsers();
        expect(after.databases).to.include(shared.database);
        expect(after.users.some((u) => u.startsWith(`${shared.user}@`))).to.equal(true);
        const admin = await openServer({ ...m!.admin, database: '' });
        try { await admin.raw('DROP DATABASE ??', [shared.database]); } finally { await admin.destroy(); }
      }
      // Not a platform: refused with what to give instead.
      const bad = await pe.aegir(['--uri=hostmaster.test', 'hosting-import', 'server_master']);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.include('ERR_CLI_ARGUMENT_INVALID').and.include('not a platform');
    });

    it('clone: the copy is served and gets a node of its own, installed; migrate to a new name: the node, its row and domain follow', async () => {
      const c = await queueTask(site, { type: 'clone', object: ids.site!, args: { new_name: 'copy.shop.test' }, account: CONSOLE_ACCOUNT });
      expect(await ended(c.node.nid), await logOf(c.node.nid)).to.equal('success');
      expect(await pe.status('copy.shop.test')).to.equal(200);
      const copy = (await site.db('hosting_site').where({ domain: 'copy.shop.test' }).first()) as { nid: number; status: string; platform_nid: number };
      expect(copy.status).to.equal('installed');
      expect(Number(copy.platform_nid)).to.equal(ids.platform);
      const v = await queueTask(site, { type: 'verify', object: Number(copy.nid), account: CONSOLE_ACCOUNT });
      expect(await ended(v.node.nid), await logOf(v.node.nid)).to.equal('success');
      const m = await queueTask(site, { type: 'migrate', object: Number(copy.nid), args: { new_name: 'moved.shop.test' }, account: CONSOLE_ACCOUNT });
      expect(await ended(m.node.nid), await logOf(m.node.nid)).to.equal('success');
      expect(await pe.status('moved.shop.test')).to.equal(200);
      expect(await pe.status('copy.shop.test')).to.equal(404);
      expect((await site.db('node').where({ nid: copy.nid }).first('title')).title).to.equal('moved.shop.test');
      expect((await site.db('hosting_domain').where({ site_nid: copy.nid }).select('domain')).map((r: { domain: string }) => r.domain)).to.deep.equal(['moved.shop.test']);
      const del = await queueTask(site, { type: 'delete', object: Number(copy.nid), account: CONSOLE_ACCOUNT });
      expect(await ended(del.node.nid), await logOf(del.node.nid)).to.equal('success');
    });

    it('deleting a site node is refused while the site exists (ERR_OBJECT_IN_USE); its delete task removes it and marks it deleted', async () => {
      const { deleteNode, loadNode } = await import('../../../modules/node/storage.js');
      const node = (await loadNode(site, ids.site!))!;
      const { rootCause } = await import('../../../core/hooks/bus.js');
      let caught: unknown;
      try { await deleteNode(site, node); } catch (e) { caught = rootCause(e); }
      expect((caught as { code?: string })?.code).to.equal('ERR_OBJECT_IN_USE');
      const q = await queueTask(site, { type: 'delete', object: ids.site!, account: CONSOLE_ACCOUNT });
      expect(await ended(q.node.nid), await logOf(q.node.nid)).to.equal('success');
      expect(await pe.status('shop.test')).to.equal(404);
      expect((await site.db('hosting_site').where({ nid: ids.site }).first('status')).status).to.equal('deleted');
      expect(existsSync(join(pe.home, 'contexts', 'shop.test.json'))).to.equal(false);
      if (driver === 'mysql') {
        expect((await databasesAndUsers()).databases.filter((d) => d.startsWith('shop_test'))).to.deep.equal([]);
      }
    });

    it('a platform no site uses is deleted through its delete task (its code, never fetched by the back end, stays)', async () => {
      const q = await queueTask(site, { type: 'delete', object: ids.platform!, account: CONSOLE_ACCOUNT });
      expect(await ended(q.node.nid), await logOf(q.node.nid)).to.equal('success');
      expect((await site.db('hosting_platform').where({ nid: ids.platform }).first('status')).status).to.equal('deleted');
      expect(existsSync(join(pe.home, 'contexts', 'platform_test.json'))).to.equal(false);
      expect(existsSync(join(pe.platform.root, 'bin'))).to.equal(true);
    });
  });
}
