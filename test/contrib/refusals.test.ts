/**
 * Bad input from contrib modules (issue 10): a throw-away module folder in
 * sites/all/modules of a test codebase, with one mistake each, is refused
 * at discovery or registration with a coded error whose message names the
 * module and what to fix: a misspelt hook, a hook of a module that does
 * not exist, a service type that clashes with a shipped one or is no
 * machine name, a hosting task type without a permission (or with a bad
 * name, kind or command), a provision task with a bad command or one that
 * clashes, and a broken manifest. A hook of a module that exists but is
 * not enabled stays dormant, and every shipped module and profile still
 * boots under the same rules.
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hook } from '../../core/hooks/kinds.js';
import { Kernel } from '../../core/kernel/kernel.js';
import type { ModuleDefinition } from '../../core/modules/definition.js';
import { orderModules, withDependencies } from '../../core/modules/graph.js';
import { enableModules } from '../../core/modules/lifecycle.js';
import type { LoadedModule } from '../../core/modules/loader.js';
import { parseManifest } from '../../core/modules/manifest.js';
import { Codebase } from '../../core/site/codebase.js';
import type { Site } from '../../core/site/site.js';
import { taskTypes } from '../../modules/hosting/tasks/registry.js';
import { taskRegistry } from '../../modules/provision/runner/registry.js';
import { serviceImplementations } from '../../modules/provision/service/registry.js';
import { makeCodebase, installTestSite, REPO, type TestCodebase } from '../harness/codebase.js';
import { expectCode } from '../harness/expect.js';

/** A contrib module folder: its manifest (name and description filled in) and the body of `register(api)`. */
interface Contrib {
  readonly manifest?: Record<string, unknown> | string;
  readonly register?: string;
}

describe('contrib refusals: bad input is refused at discovery or registration, naming the module and the fix', function () {
  this.timeout(60_000);
  let tc: TestCodebase;
  let site: Site;
  const written: string[] = [];

  /** Write sites/all/modules/<name> with a module.json and an index.ts whose register runs `register`. */
  const contrib = (name: string, c: Contrib = {}): string => {
    const dir = join(tc.root, 'sites', 'all', 'modules', name);
    mkdirSync(dir, { recursive: true });
    written.push(dir);
    const manifest = typeof c.manifest === 'string' ? c.manifest
      : JSON.stringify({ name, description: `Contrib ${name} of a test.`, version: '1.0.0', ...c.manifest });
    writeFileSync(join(dir, 'module.json'), manifest);
    writeFileSync(join(dir, 'index.ts'), `import { defineModule } from '../../../../core/modules/definition.js';
export default defineModule({ register(api: any) { ${c.register ?? ''} } });
`);
    return name;
  };

  /** The command line's way of building a kernel: the named modules with their dependencies, knowing the whole catalogue. */
  const kernelOf = async (codebase: Codebase, names: readonly string[], profile?: string): Promise<Kernel> => {
    const catalog = codebase.modules(profile, undefined);
    return Kernel.create(await codebase.load(catalog, orderModules(catalog, withDependencies(catalog, names))), catalog.keys());
  };

  before(async () => {
    tc = makeCodebase();
    site = await installTestSite(tc, 'sqlite');
  });
  afterEach(() => {
    for (const d of written.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  after(async () => {
    await site?.close();
    tc?.cleanup();
  });

  describe('hooks nobody declares', () => {
    it('a misspelt hook of an enabled owner is ERR_HOOK_UNDECLARED: enabling the module is refused with the closest declared name, the site keeps its modules', async () => {
      const before = site.kernel;
      contrib('typo_perms', { register: `api.on('user.permisions', (add: any) => add({ name: 'x', title: 'X' }));` });
      const e = await expectCode(enableModules(site, ['typo_perms']), 'ERR_HOOK_UNDECLARED');
      expect(e.facts).to.include({ module: 'typo_perms', hook: 'user.permisions', owner: 'user', suggestion: 'user.permissions' });
      expect(e.message).to.contain('Module "typo_perms" implements hook "user.permisions", which module "user" does not declare; did you mean "user.permissions"?');
      expect(e.message).to.contain('Fix the hook name in module "typo_perms"');
      expect(site.kernel).to.equal(before);
      expect((await site.modulesState.all()).has('typo_perms')).to.equal(false);
    });

    it('a misspelt core hook is ERR_HOOK_UNDECLARED naming core and the hook meant', async () => {
      contrib('typo_core', { register: `api.on('cli.comands', () => undefined);` });
      const e = await expectCode(kernelOf(tc.codebase, ['system', 'typo_core']), 'ERR_HOOK_UNDECLARED');
      expect(e.facts).to.include({ module: 'typo_core', hook: 'cli.comands', owner: 'core', suggestion: 'cli.commands' });
      expect(e.message).to.contain('which core does not declare; did you mean "cli.commands"?');
    });

    it('a hook of an owner that declares nothing close lists what the owner declares', async () => {
      contrib('typo_far', { register: `api.on('http.everything_at_once', () => undefined);` });
      const e = await expectCode(kernelOf(tc.codebase, ['system', 'typo_far']), 'ERR_HOOK_UNDECLARED');
      expect(e.facts.suggestion).to.equal(undefined);
      expect(e.message).to.contain('it declares http.routes, http.param_loaders');
      expect(e.message).to.contain('module "typo_far"');
    });

    it('a hook of a module that does not exist is ERR_HOOK_OWNER_UNKNOWN: nothing could ever call it', async () => {
      contrib('typo_owner', { register: `api.on('hostng.task_types', () => undefined);` });
      const e = await expectCode(kernelOf(tc.codebase, ['system', 'typo_owner']), 'ERR_HOOK_OWNER_UNKNOWN');
      expect(e.facts).to.include({ module: 'typo_owner', hook: 'hostng.task_types', owner: 'hostng', suggestion: 'hosting.task_types' });
      expect(e.message).to.contain('Module "typo_owner" implements hook "hostng.task_types", but no module named "hostng" exists');
      expect(e.message).to.contain('Did you mean "hosting.task_types"?');
    });

    it('a hook of a module that exists but is not enabled stays dormant: the module is enabled', async () => {
      expect(site.kernel.names).to.not.include('hosting');
      contrib('ext_hosting', { register: `api.on('hosting.task_types', () => undefined); api.on('cron', () => undefined);` });
      const report = await enableModules(site, ['ext_hosting']);
      expect(report.installed).to.deep.equal(['ext_hosting']);
      expect(site.kernel.hooks.dormantTaps()).to.deep.include({ module: 'ext_hosting', hook: 'hosting.task_types' });
      expect(site.kernel.hooks.implementations('cron')).to.include('ext_hosting');
    });

    it('without the catalogue, Kernel.create keeps a hook of an unknown owner dormant but still refuses a typo of a present owner', async () => {
      const mod = (name: string, definition: ModuleDefinition): LoadedModule => {
        const dir = `/virtual/${name}`;
        return { name, dir, definition, manifest: parseManifest({ name, description: `Module ${name}.` }, `${dir}/module.json`) };
      };
      const owner = mod('owner', { hooks: { 'owner.items': hook.collect<string>('Items.') } });
      const stray = mod('stray', { register(api) { api.on('elsewhere.items' as 'cron', () => undefined); } });
      expect(Kernel.create([owner, stray]).hooks.dormantTaps()).to.deep.equal([{ module: 'stray', hook: 'elsewhere.items' }]);
      await expectCode(() => Kernel.create([owner, stray], ['owner', 'stray']), 'ERR_HOOK_OWNER_UNKNOWN');
      expect(Kernel.create([owner, stray], ['owner', 'stray', 'elsewhere']).hooks.dormantTaps()).to.have.length(1);
      const typo = mod('typo', { register(api) { api.on('owner.itmes' as 'cron', () => undefined); } });
      const e = await expectCode(() => Kernel.create([owner, typo]), 'ERR_HOOK_UNDECLARED');
      expect(e.facts).to.include({ module: 'typo', hook: 'owner.itmes', owner: 'owner', suggestion: 'owner.items' });
    });

    it('every shipped module and profile boots with every module enabled, and none implements a hook nobody declares', async () => {
      const codebase = new Codebase(REPO);
      for (const profile of [undefined, ...codebase.profiles().map((p) => p.manifest.name)]) {
        const catalog = codebase.modules(profile, undefined);
        const names = [...catalog.values()].filter((m) => m.manifest.type === 'module' || m.manifest.name === profile).map((m) => m.manifest.name);
        const kernel = await kernelOf(codebase, names, profile);
        expect(kernel.names, String(profile)).to.include.members(['system', 'hosting', 'provision', 'webhooks']);
        expect(kernel.hooks.dormantTaps(), `profile ${String(profile)}`).to.deep.equal([]);
      }
    });
  });

  describe('services', () => {
    const service = (kind: string, type: string): string =>
      `api.on('provision.services', (add: any) => add({ kind: ${JSON.stringify(kind)}, type: ${JSON.stringify(type)} }));`;

    it('a service type that clashes with a shipped one is ERR_SERVICE_DUPLICATE naming both modules', async () => {
      contrib('mycaddy', { manifest: { dependencies: { provision: '*' } }, register: service('http', 'nginx') });
      const kernel = await kernelOf(tc.codebase, ['mycaddy']);
      const e = await expectCode(() => serviceImplementations(kernel), 'ERR_SERVICE_DUPLICATE');
      expect(e.facts).to.include({ kind: 'http', type: 'nginx', first: 'provision', second: 'mycaddy' });
      expect(e.message).to.equal('Modules "provision" and "mycaddy" both provide the http service "nginx": rename the type in "mycaddy".');
    });

    it('a service type that is not a machine name is ERR_SERVICE_INVALID naming the module and the type', async () => {
      contrib('badtype', { manifest: { dependencies: { provision: '*' } }, register: service('http', 'My-Caddy') });
      const e = await expectCode(async () => serviceImplementations(await kernelOf(tc.codebase, ['badtype'])), 'ERR_SERVICE_INVALID');
      expect(e.facts).to.include({ module: 'badtype', field: 'type' });
      expect(e.message).to.contain('"My-Caddy"').and.contain('Fix its "type" in "badtype"');
    });

    it('a service of a kind other than http, db or app is ERR_SERVICE_INVALID naming the module and the kind', async () => {
      contrib('badkind', { manifest: { dependencies: { provision: '*' } }, register: service('mail', 'postfix') });
      const e = await expectCode(async () => serviceImplementations(await kernelOf(tc.codebase, ['badkind'])), 'ERR_SERVICE_INVALID');
      expect(e.facts).to.include({ module: 'badkind', field: 'kind' });
      expect(e.message).to.contain('"mail" is not one of http, db, app').and.contain('Fix its "kind" in "badkind"');
    });
  });

  describe('hosting task types', () => {
    const taskType = (fields: Record<string, unknown>): string => `api.on('hosting.task_types', (add: any) => add(${JSON.stringify({
      name: 'rotate-logs', on: 'site', label: 'Rotate logs', description: 'Rotate the logs.', command: 'provision-rotate-logs', permission: 'create rotate-logs task', ...fields,
    })}));`;
    const refused = async (name: string, fields: Record<string, unknown>, field: string): Promise<string> => {
      contrib(name, { manifest: { dependencies: { hosting: '*' } }, register: taskType(fields) });
      const kernel = await kernelOf(tc.codebase, [name]);
      const e = await expectCode(() => taskTypes(kernel), 'ERR_TASK_TYPE_INVALID');
      expect(e.facts).to.include({ module: name, field });
      expect(e.message).to.contain(`Fix its "${field}" in "${name}"`);
      return e.message;
    };

    it('a task type without a permission is ERR_TASK_TYPE_INVALID naming the module and "permission"', async () => {
      expect(await refused('noperm', { permission: undefined }, 'permission')).to.contain('Task type "rotate-logs" of module "noperm"').and.contain('names no permission');
    });

    it('an empty permission is refused the same way', async () => {
      await refused('blankperm', { permission: '  ' }, 'permission');
    });

    it('a task type whose name is no machine name, whose kind is unknown or whose command is no provision command is refused at that field', async () => {
      expect(await refused('badname', { name: 'Rotate Logs' }, 'name')).to.contain('"Rotate Logs"');
      expect(await refused('badon', { on: 'cluster' }, 'on')).to.contain('"cluster", which is not one of server, platform, site');
      expect(await refused('badcommand', { command: 'rm -rf /' }, 'command')).to.contain('"rm -rf /"');
    });

    it('a well-formed task type of a contrib module is accepted', async () => {
      contrib('goodtype', { manifest: { dependencies: { hosting: '*' } }, register: taskType({}) });
      expect(taskTypes(await kernelOf(tc.codebase, ['goodtype'])).get('site/rotate-logs')?.module).to.equal('goodtype');
    });
  });

  describe('provision tasks', () => {
    const task = (fields: Record<string, unknown>): string => `api.on('provision.tasks', (add: any) => add({ ...${JSON.stringify({
      name: 'rotate-logs', on: 'site', command: 'provision-rotate-logs', description: 'Rotates the logs of a site.', ...fields,
    })}, steps: [] }));`;

    it('a task without a command is ERR_TASK_DEFINITION_INVALID naming the module and "command"', async () => {
      contrib('nocommand', { manifest: { dependencies: { provision: '*' } }, register: task({ command: undefined }) });
      const e = await expectCode(async () => taskRegistry(await kernelOf(tc.codebase, ['nocommand'])), 'ERR_TASK_DEFINITION_INVALID');
      expect(e.facts).to.include({ module: 'nocommand', task: 'rotate-logs', field: 'command' });
      expect(e.message).to.contain('Provision task "rotate-logs" of module "nocommand"').and.contain('Fix its "command" in "nocommand"');
    });

    it('a task whose name is no machine name or whose context type is unknown is refused at that field', async () => {
      contrib('badtaskname', { manifest: { dependencies: { provision: '*' } }, register: task({ name: 'rotate_logs!' }) });
      const e = await expectCode(async () => taskRegistry(await kernelOf(tc.codebase, ['badtaskname'])), 'ERR_TASK_DEFINITION_INVALID');
      expect(e.facts).to.include({ module: 'badtaskname', field: 'name' });
      contrib('badtaskon', { manifest: { dependencies: { provision: '*' } }, register: task({ on: 'cluster' }) });
      const f = await expectCode(async () => taskRegistry(await kernelOf(tc.codebase, ['badtaskon'])), 'ERR_TASK_DEFINITION_INVALID');
      expect(f.facts).to.include({ module: 'badtaskon', field: 'on' });
    });

    it('a task named like a shipped one is ERR_TASK_DUPLICATE naming both modules', async () => {
      contrib('mybackup', { manifest: { dependencies: { provision: '*' } }, register: task({ name: 'backup', command: 'provision-my-backup' }) });
      const e = await expectCode(async () => taskRegistry(await kernelOf(tc.codebase, ['mybackup'])), 'ERR_TASK_DUPLICATE');
      expect(e.facts).to.include({ task: 'backup', first: 'provision', second: 'mybackup' });
    });

    it('a task that runs a shipped command on the same context type is ERR_TASK_COMMAND_DUPLICATE naming both tasks and modules', async () => {
      contrib('myverify', { manifest: { dependencies: { provision: '*' } }, register: task({ name: 'my-verify', command: 'provision-verify' }) });
      const e = await expectCode(async () => taskRegistry(await kernelOf(tc.codebase, ['myverify'])), 'ERR_TASK_COMMAND_DUPLICATE');
      expect(e.facts).to.include({ command: 'provision-verify', on: 'site', firstModule: 'provision', second: 'my-verify', secondModule: 'myverify' });
      expect(e.message).to.contain('give "my-verify" its own command in "myverify"');
    });
  });

  describe('manifests', () => {
    it('a module.json under sites/all/modules that is not JSON is ERR_MANIFEST_INVALID naming the folder', async () => {
      contrib('notjson', { manifest: '{ "name": "notjson", ' });
      const e = await expectCode(() => tc.codebase.modules(), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(join(tc.root, 'sites', 'all', 'modules', 'notjson', 'module.json'));
      expect(e.message).to.contain('sites/all/modules/notjson/module.json').and.contain('Fix the file');
    });

    it('a manifest without a description is ERR_MANIFEST_INVALID naming the folder and the field', async () => {
      contrib('nodesc', { manifest: JSON.stringify({ name: 'nodesc', version: '1.0.0' }) });
      const e = await expectCode(() => tc.codebase.modules(), 'ERR_MANIFEST_INVALID');
      expect(e.message).to.contain('sites/all/modules/nodesc/module.json').and.contain('"description"');
    });

    it('a dependency that is no machine name is ERR_MANIFEST_INVALID; one on a module that does not exist is ERR_MODULE_DEPENDENCY_MISSING naming both', async () => {
      contrib('baddep', { manifest: { dependencies: { 'No-Such': '*' } } });
      const e = await expectCode(() => tc.codebase.modules(), 'ERR_MANIFEST_INVALID');
      expect(e.message).to.contain('sites/all/modules/baddep/module.json').and.contain('dependency "No-Such"');
      rmSync(join(tc.root, 'sites', 'all', 'modules', 'baddep'), { recursive: true });
      contrib('lonely', { manifest: { dependencies: { nosuch: '*' } } });
      const f = await expectCode(enableModules(site, ['lonely']), 'ERR_MODULE_DEPENDENCY_MISSING');
      expect(f.facts).to.include({ module: 'lonely', dependency: 'nosuch' });
    });
  });
});
