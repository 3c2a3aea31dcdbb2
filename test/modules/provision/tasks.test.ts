import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVERS } from '../../harness/codebase.js';
import { mariadb } from '../../harness/mariadb.js';
import { json, show } from '../../cli/run-helper.js';
import { provisionEnv, type ProvisionEnv } from './env.js';
import { databasesAndUsers } from './leftovers.js';

/** Everything a site could leave behind, to compare before and after a task. */
async function traces(pe: ProvisionEnv, domain: string): Promise<Record<string, unknown>> {
  const routes = join(pe.home, 'run', 'proxy-routes.json');
  const out: Record<string, unknown> = {
    siteDir: existsSync(join(pe.platform.root, 'sites', domain)),
    asideDir: existsSync(join(pe.platform.root, 'sites', `.deleting-${domain}`)),
    alias: existsSync(join(pe.home, 'aliases', `${domain}.json`)),
    secret: existsSync(join(pe.home, 'secrets', `site.${domain}.db`)),
    route: existsSync(routes) && domain in (JSON.parse(readFileSync(routes, 'utf8')).sites ?? {}),
    journal: existsSync(join(pe.home, 'tasks', `${domain}.json`)),
  };
  if (pe.driver === 'mysql') Object.assign(out, await databasesAndUsers());
  return out;
}

for (const driver of DRIVERS) {
  describe(`provision site tasks on ${driver}`, function () {
    this.timeout(120_000);
    let pe: ProvisionEnv;
    before(async () => { pe = await provisionEnv(driver); });
    after(async () => { await pe?.stop(); });

    const save = async (domain: string, extra: string[] = []): Promise<void> => {
      const r = await pe.aegir(['provision-save', `@${domain}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal', ...extra]);
      expect(r.code, show(r)).to.equal(0);
    };

    it('installs a site that answers through the built-in proxy, with its aliases', async () => {
      await save('one.test', ['--aliases=www.one.test']);
      const r = await pe.aegir(['@one.test', 'provision-install', '--format=json']);
      expect(r.code, show(r)).to.equal(0);
      expect(await pe.status('one.test')).to.equal(200);
      expect(await pe.status('www.one.test')).to.equal(200);
      expect(await pe.status('nobody.test')).to.equal(404);
      expect(existsSync(join(pe.home, 'aliases', 'one.test.json'))).to.equal(true);
      if (driver === 'mysql') {
        const settings = JSON.parse(readFileSync(join(pe.platform.root, 'sites', 'one.test', 'settings.json'), 'utf8'));
        expect(settings.database.driver).to.equal('mysql');
        expect(settings.database.user).to.not.equal((await mariadb()).admin.user);
        // The site's password never reached the task log.
        expect(r.stdout + r.stderr).to.not.include(settings.database.password);
      }
    });

    // Failures, half-way failures and kills at every step of install and delete (and every other site task): faults.test.ts.

    it('a failure after the final purge of a delete goes forward, not back: the site, its database and its context are gone', async () => {
      await save('half.test');
      const clean = await traces(pe, 'nothing-here.test');
      expect((await pe.aegir(['@half.test', 'provision-install'])).code).to.equal(0);
      const r = await pe.aegir(['@half.test', 'provision-delete'], { AEGIR_FAULT: 'delete:4:fail' });
      expect(r.code, show(r)).to.equal(1);
      expect(r.stderr).to.include('run it again to finish');
      const mid = await traces(pe, 'half.test');
      expect({ ...mid, databases: undefined, users: undefined }).to.deep.equal({ ...clean, databases: undefined, users: undefined });
      expect(await pe.status('half.test')).to.equal(404);
      // The purge ran to its end (context included) before the injected failure: nothing is left to finish.
      expect(existsSync(join(pe.home, 'contexts', 'half.test.json'))).to.equal(false);
      expect(existsSync(join(pe.home, 'tasks', 'half.test.json'))).to.equal(false);
      const again = await pe.aegir(['@half.test', 'provision-delete', '--backend']);
      expect(again.code).to.equal(1);
      expect(again.stdout).to.include('ERR_CONTEXT_UNKNOWN');
      if (driver === 'mysql') expect((await traces(pe, 'half.test')).databases).to.deep.equal(clean.databases);
    });

    it('deletes a site completely, context included', async () => {
      await save('gone.test');
      const clean = await traces(pe, 'nothing-here.test');
      expect((await pe.aegir(['@gone.test', 'provision-install'])).code).to.equal(0);
      const r = await pe.aegir(['@gone.test', 'provision-delete']);
      expect(r.code, show(r)).to.equal(0);
      const after = await traces(pe, 'gone.test');
      expect({ ...after, databases: undefined, users: undefined }).to.deep.equal({ ...clean, databases: undefined, users: undefined });
      if (driver === 'mysql') expect(after.databases).to.deep.equal(clean.databases);
      expect(existsSync(join(pe.home, 'contexts', 'gone.test.json'))).to.equal(false);
      expect(await pe.status('gone.test')).to.equal(404);
    });

    it('a task process killed at a step leaves a journal; the next task on the site undoes that step and those before it first', async () => {
      await save('killed.test');
      const before = await traces(pe, 'killed.test');
      const killed = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        const child = spawn(process.execPath, [join(pe.backend.root, 'bin', 'aegir'), '@killed.test', 'provision-install'], {
          cwd: pe.backend.root, env: { ...process.env, AEGIR_HOME: pe.home, AEGIR_FAULT: 'install:5:kill' }, stdio: 'ignore',
        });
        child.on('exit', (code, signal) => resolve({ code, signal }));
      });
      expect(killed.signal).to.equal('SIGKILL');
      const mid = await traces(pe, 'killed.test');
      expect(mid.journal).to.equal(true);
      expect(mid.siteDir).to.equal(true);
      expect(mid.route).to.equal(true);
      // The interrupted install is undone first, then this one runs from a clean state.
      const r = await pe.aegir(['@killed.test', 'provision-install']);
      expect(r.code, show(r)).to.equal(0);
      expect(r.stderr).to.include('was interrupted');
      expect(await pe.status('killed.test')).to.equal(200);
      const del = await pe.aegir(['@killed.test', 'provision-delete']);
      expect(del.code, show(del)).to.equal(0);
      expect(await traces(pe, 'killed.test')).to.deep.equal(before);
    });

    it('disables and enables a site: 503 page, then the site again', async () => {
      await save('toggle.test');
      expect((await pe.aegir(['@toggle.test', 'provision-install'])).code).to.equal(0);
      const d = await pe.aegir(['@toggle.test', 'provision-disable']);
      expect(d.code, show(d)).to.equal(0);
      expect(await pe.status('toggle.test')).to.equal(503);
      const e = await pe.aegir(['@toggle.test', 'provision-enable']);
      expect(e.code, show(e)).to.equal(0);
      expect(await pe.status('toggle.test')).to.equal(200);
    });

    it('prints a one-time login link for the site', async () => {
      await save('login.test');
      expect((await pe.aegir(['@login.test', 'provision-install'])).code).to.equal(0);
      const r = await pe.aegir(['@login.test', 'provision-login-reset']);
      expect(r.code, show(r)).to.equal(0);
      // The link goes through the site's web server, on its port.
      expect(r.stdout).to.match(new RegExp(`^http://login\\.test:${pe.proxyPort}/user/reset/1/\\d+/[\\w-]+$`, 'm'));
    });
  });
}

describe('provision bad input', function () {
  this.timeout(60_000);
  let pe: ProvisionEnv;
  before(async () => { pe = await provisionEnv('sqlite'); });
  after(async () => { await pe?.stop(); });

  for (const name of ['bad..test', 'a.test;rm', 'a.test}', 'A.TEST', 'a test', "a'.test", '-a.test', `${'a'.repeat(64)}.test`]) {
    it(`config-injection: refuses the site name ${JSON.stringify(name)}`, async () => {
      const r = await pe.aegir(['provision-save', `@${name}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master']);
      expect(r.code).to.not.equal(0);
      expect(readdirSync(join(pe.home, 'contexts'))).to.not.include(`${name}.json`);
    });
  }

  it('config-injection: refuses an alias that is not a domain', async () => {
    const r = await pe.aegir(['provision-save', '@ok.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--aliases=good.test,bad;domain']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ERR_CONTEXT_INVALID');
  });

  it('path-traversal: refuses a platform root with ".." or odd characters', async () => {
    for (const root of ['/tmp/../etc', 'relative/path', '/tmp/a b', '/tmp/a;b']) {
      const r = await pe.aegir(['provision-save', '@platform_bad', '--context-type=platform', '--server=@server_master', `--platform-root=${root}`]);
      expect(r.code, root).to.equal(1);
    }
  });

  it('an unknown context is ERR_CONTEXT_UNKNOWN', async () => {
    const r = await pe.aegir(['@nowhere.test', 'provision-install']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ERR_CONTEXT_UNKNOWN');
  });

  it('a platform without the profile is refused before any change (ERR_PROFILE_MISSING)', async () => {
    const r0 = await pe.aegir(['provision-save', '@nopro.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=nonexistent']);
    expect(r0.code, show(r0)).to.equal(0);
    const r = await pe.aegir(['@nopro.test', 'provision-install']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ERR_PROFILE_MISSING');
    expect(existsSync(join(pe.platform.root, 'sites', 'nopro.test'))).to.equal(false);
  });

  it('a site folder that already exists is refused (ERR_SITE_DIR_EXISTS) and left alone', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(pe.platform.root, 'sites', 'taken.test'));
    writeFileSync(join(pe.platform.root, 'sites', 'taken.test', 'keep.txt'), 'mine');
    expect((await pe.aegir(['provision-save', '@taken.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal'])).code).to.equal(0);
    const r = await pe.aegir(['@taken.test', 'provision-install']);
    expect(r.stderr).to.include('ERR_SITE_DIR_EXISTS');
    expect(readFileSync(join(pe.platform.root, 'sites', 'taken.test', 'keep.txt'), 'utf8')).to.equal('mine');
  });

  it('a context that others use cannot be deleted (ERR_CONTEXT_IN_USE)', async () => {
    const json_ = json;
    void json_;
    const { ContextStore } = await import('../../../modules/provision/context/store.js');
    expect(() => new ContextStore(pe.home).delete('platform_test')).to.throw().with.property('code', 'ERR_CONTEXT_IN_USE');
  });
});
