import { expect } from 'chai';
import { disableModules, enableModules, uninstallModules } from '../../../core/modules/lifecycle.js';
import { pendingUpdates, runUpdates } from '../../../core/modules/updates.js';
import { bootSite, type Site } from '../../../core/site/site.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';

for (const driver of DRIVERS) {
  describe(`module lifecycle on ${driver}`, () => {
    let tc: TestCodebase;
    let site: Site;

    beforeEach(async () => {
      tc = makeCodebase();
      site = await installTestSite(tc, driver);
    });
    afterEach(async () => {
      await site.close();
      tc.cleanup();
    });

    it('installs the required modules and the profile with its dependencies, profile last', async () => {
      expect(site.kernel.names).to.deep.equal(['system', 'nunjucks', 'user', 'alpha', 'node', 'testing']);
      const states = await site.modulesState.all();
      expect([...states.keys()].sort()).to.deep.equal(['alpha', 'node', 'nunjucks', 'system', 'testing', 'user']);
      expect(await site.config.get('alpha.installed')).to.equal(true);
      expect(await site.config.get('testing.step_ran')).to.equal('Test site');
      expect(await site.db.schema.hasTable('alpha_items')).to.equal(true);
      expect(await site.profile()).to.equal('testing');
    });

    it('enables a module with its dependencies in order and swaps in a new kernel, leaving the old one as it was', async () => {
      const before = site.kernel;
      const report = await enableModules(site, ['delta']);
      expect(report.installed).to.deep.equal(['gamma', 'beta', 'delta']);
      expect(site.kernel).to.not.equal(before);
      expect(before.names).to.deep.equal(['system', 'nunjucks', 'user', 'alpha', 'node', 'testing']);
      // gamma (weight -5) still waits for its dependency system; user (weight -90) goes first.
      expect(site.kernel.names).to.deep.equal(['system', 'nunjucks', 'user', 'gamma', 'alpha', 'beta', 'delta', 'node', 'testing']);
      expect(site.hooks.collect('alpha.greetings').map((c) => c.value)).to.deep.equal(['gamma', 'alpha', 'beta', 'delta']);
      const rebooted = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        expect(rebooted.kernel.names).to.deep.equal(site.kernel.names);
      } finally {
        await rebooted.close();
      }
    });

    it('refuses to disable a module that an enabled module depends on, and required modules and the profile', async () => {
      await enableModules(site, ['beta']);
      await expectCode(disableModules(site, ['alpha']), 'ERR_MODULE_REQUIRED_BY');
      await expectCode(disableModules(site, ['system']), 'ERR_MODULE_REQUIRED');
      await expectCode(disableModules(site, ['user']), 'ERR_MODULE_REQUIRED');
      await expectCode(disableModules(site, ['testing']), 'ERR_MODULE_IS_PROFILE');
      await expectCode(enableModules(site, ['minimal']), 'ERR_MODULE_IS_PROFILE');
      expect(site.kernel.names).to.include('alpha');
    });

    it('disables and re-enables a module, keeping its data, running disable and enable functions', async () => {
      await enableModules(site, ['delta']);
      await site.db('gamma_items').insert({ label: 'kept' });
      // Disabling gamma together with its dependent delta is allowed; dependents go first.
      expect(await disableModules(site, ['gamma', 'delta'])).to.deep.equal(['delta', 'gamma']);
      expect(site.kernel.names).to.not.include('gamma');
      expect(site.hooks.collect('alpha.greetings').map((c) => c.value)).to.deep.equal(['alpha', 'beta']);
      expect(await site.config.get('gamma.disabled')).to.equal(true);
      const report = await enableModules(site, ['delta']);
      expect(report).to.deep.equal({ installed: [], enabled: ['gamma', 'delta'] });
      expect(await site.config.get('gamma.enabled_again')).to.equal(true);
      expect((await site.db('gamma_items').select('label')).map((r) => r.label)).to.deep.equal(['kept']);
    });

    it('uninstalls a module: drops its tables, deletes its configuration and forgets it', async () => {
      await enableModules(site, ['updater']);
      expect(await site.db.schema.hasTable('updater_log')).to.equal(true);
      await site.config.set('updater.note', 'x');
      expect(await uninstallModules(site, ['updater'])).to.deep.equal(['updater']);
      expect(await site.db.schema.hasTable('updater_log')).to.equal(false);
      expect(await site.config.get('updater.note')).to.equal(undefined);
      expect((await site.modulesState.all()).has('updater')).to.equal(false);
      await expectCode(uninstallModules(site, ['updater']), 'ERR_MODULE_NOT_INSTALLED');
    });

    it('refuses to uninstall a module another installed module depends on', async () => {
      await enableModules(site, ['beta']);
      await disableModules(site, ['beta']);
      await expectCode(uninstallModules(site, ['alpha']), 'ERR_MODULE_REQUIRED_BY');
      expect(await uninstallModules(site, ['beta'])).to.deep.equal(['beta']);
    });

    it('rolls a failed install back: no table, no row, no configuration, old kernel', async () => {
      const before = site.kernel;
      const err = await expectCode(enableModules(site, ['install_fails']), 'ERR_MODULE_INSTALL_FAILED');
      expect(err.message).to.contain('install_fails cannot install');
      expect(await site.db.schema.hasTable('install_fails_t')).to.equal(false);
      expect((await site.modulesState.all()).has('install_fails')).to.equal(false);
      expect(await site.config.get('install_fails.started')).to.equal(undefined);
      expect(site.kernel).to.equal(before);
    });

    it('rolls back every module of a batch when a later one fails', async () => {
      await expectCode(enableModules(site, ['gamma', 'install_fails']), 'ERR_MODULE_INSTALL_FAILED');
      expect((await site.modulesState.all()).has('gamma')).to.equal(false);
    });

    it('a failing disable, enable or uninstall function is ERR_MODULE_LIFECYCLE_FAILED, and the module stays as it was', async () => {
      const status = async (): Promise<string | undefined> => (await site.modulesState.all()).get('lifecycle_fails')?.status;
      await enableModules(site, ['lifecycle_fails']);
      await site.config.set('lifecycle_fails.fail', 'disable');
      const disable = await expectCode(disableModules(site, ['lifecycle_fails']), 'ERR_MODULE_LIFECYCLE_FAILED');
      expect(disable.facts).to.deep.include({ module: 'lifecycle_fails', action: 'disabled' });
      expect(disable.message).to.contain('told to fail in disable');
      expect(await status()).to.equal('enabled');
      expect(site.kernel.names).to.include('lifecycle_fails');

      await site.config.set('lifecycle_fails.fail', 'enable');
      expect(await disableModules(site, ['lifecycle_fails'])).to.deep.equal(['lifecycle_fails']);
      const before = site.kernel;
      const enable = await expectCode(enableModules(site, ['lifecycle_fails']), 'ERR_MODULE_LIFECYCLE_FAILED');
      expect(enable.facts).to.deep.include({ module: 'lifecycle_fails', action: 'enabled' });
      expect(await status()).to.equal('disabled');
      expect(site.kernel).to.equal(before);

      await site.config.set('lifecycle_fails.fail', 'uninstall');
      const uninstall = await expectCode(uninstallModules(site, ['lifecycle_fails']), 'ERR_MODULE_LIFECYCLE_FAILED');
      expect(uninstall.facts).to.deep.include({ module: 'lifecycle_fails', action: 'uninstalled' });
      expect(await status()).to.equal('disabled');
      expect(await site.db.schema.hasTable('lifecycle_fails_items')).to.equal(true);
    });

    it('refuses a module whose schema is invalid (ERR_SCHEMA_INVALID) or whose table exists already (ERR_TABLE_EXISTS), creating nothing', async () => {
      const before = site.kernel;
      const bad = await expectCode(enableModules(site, ['bad_schema']), 'ERR_SCHEMA_INVALID');
      expect(bad.facts).to.deep.include({ module: 'bad_schema' });
      expect(bad.message).to.contain('"title"');
      expect(await site.db.schema.hasTable('bad_schema_ok')).to.equal(false);
      expect(await site.db.schema.hasTable('bad_schema_items')).to.equal(false);
      expect((await site.modulesState.all()).has('bad_schema')).to.equal(false);

      // A table of that name left by something else is never taken over.
      await site.db.schema.createTable('gamma_items', (t) => { t.increments('id'); t.string('note', 16); });
      await site.db('gamma_items').insert({ note: 'not gamma' });
      const exists = await expectCode(enableModules(site, ['delta']), 'ERR_TABLE_EXISTS');
      expect(exists.facts).to.deep.include({ table: 'gamma_items', module: 'gamma' });
      expect((await site.db('gamma_items').select('note')).map((r) => r.note)).to.deep.equal(['not gamma']);
      const states = await site.modulesState.all();
      for (const m of ['gamma', 'beta', 'delta']) expect(states.has(m), m).to.equal(false);
      expect(site.kernel).to.equal(before);
    });

    it('reports missing modules, missing dependencies, version mismatches, cycles and bad entries by code', async () => {
      await expectCode(enableModules(site, ['no_such_module']), 'ERR_MODULE_UNKNOWN');
      await expectCode(enableModules(site, ['needs_missing']), 'ERR_MODULE_DEPENDENCY_MISSING');
      await expectCode(enableModules(site, ['needs_new_alpha']), 'ERR_MODULE_DEPENDENCY_VERSION');
      const cycle = await expectCode(enableModules(site, ['cycle_a']), 'ERR_MODULE_DEPENDENCY_CYCLE');
      expect(cycle.message).to.contain('cycle_a -> cycle_b -> cycle_c -> cycle_a');
      await expectCode(enableModules(site, ['core_future']), 'ERR_MODULE_CORE_INCOMPATIBLE');
      await expectCode(enableModules(site, ['bad_entry']), 'ERR_MODULE_ENTRY_INVALID');
      expect(site.kernel.names).to.deep.equal(['system', 'nunjucks', 'user', 'alpha', 'node', 'testing']);
    });

    it('records all updates as applied on install, runs pending ones in order, and resumes after a failure', async () => {
      await enableModules(site, ['updater']);
      expect(await pendingUpdates(site)).to.deep.equal([]);
      // Pretend the module was installed before its updates existed.
      await site.modulesState.setSchemaVersion('updater', 0, '0.9.0');
      expect((await pendingUpdates(site)).map((u) => u.number)).to.deep.equal([1, 2, 3]);
      await site.config.set('updater.fail', true);
      const err = await expectCode(runUpdates(site), 'ERR_UPDATE_FAILED');
      expect(err.message).to.contain('#3');
      expect((await site.modulesState.all()).get('updater')!.schemaVersion).to.equal(2);
      await site.config.set('updater.fail', false);
      expect((await runUpdates(site)).map((u) => u.number)).to.deep.equal([3]);
      expect((await site.db('updater_log').orderBy('id').select('step')).map((r) => r.step)).to.deep.equal(['one', 'two', 'three']);
      expect((await site.modulesState.all()).get('updater')!.schemaVersion).to.equal(3);
    });

    it('boots with a warning when an enabled module has gone missing from disk', async () => {
      await enableModules(site, ['gamma']);
      await site.modulesState.insert('vanished', 'enabled', 0, '1.0.0');
      const rebooted = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        expect(rebooted.kernel.names).to.not.include('vanished');
        expect(tc.logs.some((l) => l.level === 'warning' && l.message.includes('"vanished"'))).to.equal(true);
      } finally {
        await rebooted.close();
      }
    });
  });
}
