/**
 * vcs_deploy and migrate's checks end to end: two platforms built by the
 * back end from two tags of one git repository, whose module vcs_demo says
 * no version in module.json (git tells: 1.0.0 and 1.1.0); a site on the
 * old one with vcs_demo enabled. The migrate to the new platform is an
 * upgrade and runs; the migrate back is a downgrade, refused unless an
 * administrator forces it.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Account } from '../../../core/http/types.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { migrateTaskType } from '../../../modules/hosting/modules/migrate/migrate.js';
import { compareWithPlatforms } from '../../../modules/hosting/modules/migrate/versions.js';
import { loadObject } from '../../../modules/hosting/objects/object.js';
import type { Dispatcher } from '../../../modules/hosting/queue/dispatcher.js';
import { queueTask } from '../../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../../modules/node/storage.js';
import { show } from '../../cli/run-helper.js';
import { expectCode } from '../../harness/expect.js';
import { codebaseRepo, type TestRepo } from '../vcs-deploy/repo.js';
import { asHostmasterAdmin } from './admin-web.js';
import { hostmasterEnv, type HostmasterEnv } from './env.js';

const run = promisify(execFile);

/** A platform manager granted the site's client: may migrate, does not administer hosting. */
const MANAGER: Account = {
  uid: 42, name: 'manager', roles: ['authenticated', 'platform_manager'], anonymous: false,
  hasPermission: (p) => ['access hosting', 'manage platforms', 'create migrate task'].includes(p),
};

describe('hosting: versions from git on two platforms, and migrate\'s upgrade check', function () {
  this.timeout(300_000);
  let h: HostmasterEnv;
  let d: Dispatcher;
  let repo: TestRepo;
  let parent: string;
  const ids: Record<string, number> = {};
  const db = () => h.site.db;
  const siteVersion = async (name: string): Promise<unknown> => db()('hosting_site_package as s').join('hosting_package as k', 'k.nid', 's.package_nid')
    .where({ 's.site_nid': ids.site, 'k.name': name }).first('s.version', 's.version_origin', 's.origin');
  const done = async (task: number): Promise<void> => { expect(await h.ended(task), await h.logOf(task)).to.equal('success'); };
  const migrate = (platform: number, account: Account, force = false) =>
    queueTask(h.site, { type: 'migrate', object: ids.site!, args: { platform: String(platform), ...(force ? { force: '1' } : {}) }, account });

  before(async () => {
    repo = codebaseRepo({ vcs_demo: undefined });
    repo.git(['tag', 'v1.0.0']);
    repo.write('modules/vcs_demo/README', 'the newer one\n');
    repo.commit('vcs_demo: a change');
    repo.git(['tag', 'v1.1.0']);
    parent = mkdtempSync(join(tmpdir(), 'aegir-vcs-plat-'));
    h = await hostmasterEnv('sqlite');
    d = h.dispatcher();
    await d.start();
    ids.server = await h.addServer();
    for (const [key, tag] of [['old', 'v1.0.0'], ['new', 'v1.1.0']] as const) {
      ids[key] = (await saveNode(h.site, { type: 'platform', title: `platform_${key}`, fields: { context: `platform_${key}`, server: ids.server, root: join(parent, key), git_url: repo.root, git_ref: tag } }, { account: CONSOLE_ACCOUNT })).nid;
    }
    for (const o of [ids.server, ids.old, ids.new]) await done(await h.lastTask(o!));
    ids.client = (await saveNode(h.site, { type: 'client', title: 'Acme', fields: { mail: 'ops@acme.example' } }, { account: CONSOLE_ACCOUNT })).nid;
    await db()('hosting_client_user').insert({ client_nid: ids.client!, uid: MANAGER.uid });
    ids.site = (await saveNode(h.site, { type: 'site', title: 'vcs.test', fields: { platform: ids.old!, db_server: ids.server!, profile: 'minimal', client: ids.client! } }, { account: CONSOLE_ACCOUNT })).nid;
    await done(await h.lastTask(ids.site));
  });
  after(async () => {
    await d?.stop({ handBack: true });
    await h?.stop();
    repo?.cleanup();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('a platform verify records the platform\'s version and vcs_demo\'s from git, each with where it came from', async () => {
    const platforms = await db()('hosting_platform').whereIn('nid', [ids.old!, ids.new!]).orderBy('nid').select('version', 'version_origin');
    expect(platforms).to.deep.equal([{ version: '1.0.0', version_origin: 'vcs' }, { version: '1.1.0', version_origin: 'vcs' }]);
    const demo = await db()('hosting_package_instance as i').join('hosting_package as k', 'k.nid', 'i.package_nid').where('k.name', 'vcs_demo').orderBy('i.platform_nid').select('i.version', 'i.version_origin');
    expect(demo).to.deep.equal([{ version: '1.0.0', version_origin: 'vcs' }, { version: '1.1.0', version_origin: 'vcs' }]);
    const system = await db()('hosting_package_instance as i').join('hosting_package as k', 'k.nid', 'i.package_nid').where({ 'k.name': 'system', 'i.platform_nid': ids.new }).first('i.version', 'i.version_origin');
    expect(system).to.deep.equal({ version: '0.1.0', version_origin: 'manifest' });
  });

  it('a site\'s install and verify record its enabled modules with their versions', async () => {
    expect(await siteVersion('system'), 'recorded by the install').to.deep.equal({ version: '0.1.0', version_origin: 'manifest', origin: 'core' });
    expect(await siteVersion('vcs_demo'), 'not enabled yet').to.equal(undefined);
    const root = join(parent, 'old');
    const en = await run(process.execPath, [join(root, 'bin', 'aegir'), '--uri=vcs.test', 'pm-enable', 'vcs_demo', '-y', '-q'], { cwd: root, env: { ...process.env, AEGIR_HOME: h.pe.home } });
    expect(en.stderr).to.equal('');
    await done((await queueTask(h.site, { type: 'verify', object: ids.site!, account: CONSOLE_ACCOUNT })).node.nid);
    expect(await siteVersion('vcs_demo')).to.deep.equal({ version: '1.0.0', version_origin: 'vcs', origin: 'core' });
  });

  it('the migrate form compares the site\'s modules with each platform: an upgrade on the new one', async () => {
    const byPlatform = await compareWithPlatforms(db(), ids.site!, [ids.new!]);
    const changed = byPlatform!.get(ids.new!)!.filter((c) => c.change !== 'same');
    expect(changed.map((c) => [c.name, c.from, c.to, c.change])).to.deep.equal([['vcs_demo', '1.0.0', '1.1.0', 'upgrade']]);
    const object = (await loadObject(db(), ids.site!))!;
    const admin = await migrateTaskType.webArgs!({ site: h.site, object, account: CONSOLE_ACCOUNT });
    expect(Object.keys(admin)).to.include.members(['platform', 'versions', 'force']);
    const tables = (admin.versions as unknown as { content: { vars: { caption: string; rows: unknown[][] } }[] }).content;
    expect(tables.map((t) => t.vars.caption)).to.have.length(1);
    expect(tables[0]!.vars.rows.map((r) => r[0])).to.deep.equal(['vcs_demo']);
    const manager = await migrateTaskType.webArgs!({ site: h.site, object, account: MANAGER });
    expect(Object.keys(manager), 'force is for administrators').to.not.include('force');
  });

  it('the upgrade is queued and runs; the site\'s modules then have the new platform\'s versions', async () => {
    await done((await migrate(ids.new!, MANAGER)).node.nid);
    expect((await db()('hosting_site').where({ nid: ids.site }).first('platform_nid')).platform_nid).to.equal(ids.new);
    expect(await siteVersion('vcs_demo')).to.deep.include({ version: '1.1.0', version_origin: 'vcs' });
  });

  it('the migrate back is a downgrade: refused at the platform field on every path, and a non-administrator\'s force is refused too', async () => {
    const e = await expectCode(migrate(ids.old!, CONSOLE_ACCOUNT), 'ERR_TASK_ARGS_INVALID');
    expect(String(e.facts.problems)).to.match(/^platform: .*vcs_demo 1\.1\.0 → 1\.0\.0/);
    await expectCode(migrate(ids.old!, MANAGER), 'ERR_TASK_ARGS_INVALID');
    await expectCode(migrate(ids.old!, MANAGER, true), 'ERR_TASK_FORCE_DENIED');
    const r = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-task', 'vcs.test', 'migrate', `--args=platform=${ids.old}`]);
    expect(r.code, show(r)).to.equal(1);
    expect(r.stderr).to.include('ERR_TASK_ARGS_INVALID');
    expect(await db()('hosting_task').where({ object_nid: ids.site, task_type: 'migrate' }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);
  });

  it('an administrator may force it (here from the command line): it runs, and the site is back on the old versions', async () => {
    const r = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-task', 'vcs.test', 'migrate', `--args=platform=${ids.old},force=1`]);
    expect(r.code, show(r)).to.equal(0);
    await done(await h.lastTask(ids.site!));
    expect((await db()('hosting_site').where({ nid: ids.site }).first('platform_nid')).platform_nid).to.equal(ids.old);
    expect(await siteVersion('vcs_demo')).to.deep.include({ version: '1.0.0', version_origin: 'vcs' });
  });

  it('the pages say it: the platform\'s version and where it came from, vcs_demo\'s on each platform, the migrate form\'s comparison', async () => {
    await asHostmasterAdmin(h, async (admin) => {
      const text = async (path: string): Promise<string> => {
        const r = await admin.get(path);
        expect(r.status, path).to.equal(200);
        return r.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      };
      const page = await text(`/node/${ids.new}`);
      expect(page).to.include('Version 1.1.0 (from git)').and.match(/vcs_demo \(vcs_demo\) module 1\.1\.0 git core/);
      const demo = (await db()('hosting_package').where({ name: 'vcs_demo' }).first('nid')) as { nid: number };
      expect(await text(`/node/${demo.nid}`)).to.match(/platform_new 1\.1\.0 git core/).and.match(/platform_old 1\.0\.0 git core/);
      const form = await text(`/node/${ids.site}/task/migrate`);
      expect(form).to.match(/platform_new: 1 upgrade, \d+ the same/).and.match(/vcs_demo 1\.0\.0 1\.1\.0 upgrade/);
      expect(form).to.include('Migrate anyway (force)');
    });
  });
});
