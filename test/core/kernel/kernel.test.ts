import { expect } from 'chai';
import { coreHooks } from '../../../core/hooks/core-hooks.js';
import { hook } from '../../../core/hooks/kinds.js';
import { Kernel } from '../../../core/kernel/kernel.js';
import { defineModule, type ModuleDefinition } from '../../../core/modules/definition.js';
import type { LoadedModule } from '../../../core/modules/loader.js';
import { parseManifest } from '../../../core/modules/manifest.js';
import { alphaHooks } from '../../fixtures/modules/alpha/hooks.js';
import { expectCode } from '../../harness/expect.js';

/** A loaded module made by hand: a valid manifest and the given definition. */
function mod(name: string, definition: ModuleDefinition = {}, manifest: Record<string, unknown> = {}): LoadedModule {
  const dir = `/virtual/modules/${name}`;
  return {
    name,
    manifest: parseManifest({ name, description: `Test module ${name}.`, version: '1.0.0', ...manifest }, `${dir}/module.json`),
    dir,
    definition,
  };
}

/** A module that greets through alpha.greetings with its own name. */
const greeter = (name: string): LoadedModule => mod(name, defineModule({
  register(api) { api.on('alpha.greetings', (add) => add(api.name)); },
}));

/** The alpha fixture's hooks, declared by a module named alpha. */
const alpha = (register?: ModuleDefinition['register']): LoadedModule => mod('alpha', { hooks: alphaHooks, ...(register ? { register } : {}) });

describe('Kernel', () => {
  describe('create', () => {
    it('declares every core hook, owned by core, with a kernel of no modules', () => {
      const kernel = Kernel.create([]);
      expect(kernel.names).to.deep.equal([]);
      const list = kernel.hooks.list();
      expect(list.map((h) => h.name)).to.deep.equal(Object.keys(coreHooks));
      for (const h of list) {
        expect(h.owner).to.equal('core');
        expect(h.implementations).to.deep.equal([]);
      }
      expect(kernel.hooks.has('cli.commands')).to.equal(true);
      expect(kernel.hooks.has('cron')).to.equal(true);
      expect(list.find((h) => h.name === 'cli.commands')!.kind).to.equal('collect');
      expect(list.find((h) => h.name === 'cron')!.kind).to.equal('event');
      expect(list.find((h) => h.name === 'cron')!.doc).to.equal(coreHooks.cron.doc);
    });

    it('declares module hooks after core\'s, in module order, each owned by its module', () => {
      const kernel = Kernel.create([
        mod('zeta', { hooks: { 'zeta.items': hook.collect<string>('Zeta items.') } }),
        mod('plain'),
        alpha(),
        mod('beta', { hooks: { 'beta.ready': hook.event<void>('Beta is ready.'), 'beta.check': hook.vote<void>('Beta check.') } }),
      ]);
      const list = kernel.hooks.list();
      expect(list.map((h) => h.name)).to.deep.equal([
        ...Object.keys(coreHooks), 'zeta.items', ...Object.keys(alphaHooks), 'beta.ready', 'beta.check',
      ]);
      const owners = Object.fromEntries(list.map((h) => [h.name, h.owner]));
      expect(owners['zeta.items']).to.equal('zeta');
      expect(owners['alpha.access']).to.equal('alpha');
      expect(owners['beta.ready']).to.equal('beta');
      expect(owners['beta.check']).to.equal('beta');
      expect(list.find((h) => h.name === 'beta.check')!.kind).to.equal('vote');
    });

    it('registers implementations in module order, tap name = module name', () => {
      const kernel = Kernel.create([greeter('first'), alpha((api) => api.on('alpha.greetings', (add) => add('alpha'))), greeter('third'), greeter('fourth')]);
      expect(kernel.hooks.implementations('alpha.greetings')).to.deep.equal(['first', 'alpha', 'third', 'fourth']);
      expect(kernel.hooks.collect('alpha.greetings')).to.deep.equal([
        { module: 'first', value: 'first' },
        { module: 'alpha', value: 'alpha' },
        { module: 'third', value: 'third' },
        { module: 'fourth', value: 'fourth' },
      ]);
      // A module earlier in order than the hook's owner still implements it: declarations come first.
      expect(kernel.hooks.dormantTaps()).to.deep.equal([]);
    });

    it('calls register once per module with the module\'s own name', () => {
      const seen: string[] = [];
      const recorder = (name: string): LoadedModule => mod(name, { register(api) { seen.push(api.name); } });
      Kernel.create([recorder('one'), recorder('two'), recorder('three')]);
      expect(seen).to.deep.equal(['one', 'two', 'three']);
    });

    it('names the implementing module in core hooks too, and in failures', async () => {
      const original = new Error('cron broke');
      const kernel = Kernel.create([
        mod('ok', { register(api) { api.on('cron', () => undefined); } }),
        mod('broken', { register(api) { api.on('cron', () => { throw original; }); } }),
      ]);
      expect(kernel.hooks.implementations('cron')).to.deep.equal(['ok', 'broken']);
      const e = await expectCode(kernel.hooks.emit('cron', {} as never), 'ERR_HOOK_FAILED');
      expect(e.facts).to.include({ module: 'broken', hook: 'cron' });
      expect(e.cause).to.equal(original);
    });

    it('passes ordering options through the module API', async () => {
      const log: string[] = [];
      const kernel = Kernel.create([
        alpha((api) => api.on('alpha.saved', (p) => { p.log.push('alpha'); })),
        mod('beta', { register(api) { api.on('alpha.saved', (p) => { p.log.push('beta'); }); } }),
        mod('gamma', { register(api) { api.on('alpha.saved', (p) => { p.log.push('gamma'); }, { before: 'alpha' }); } }),
        mod('delta', { register(api) { api.on('alpha.saved', (p) => { p.log.push('delta'); }, { stage: -1 }); } }),
      ]);
      await kernel.hooks.emit('alpha.saved', { id: 1, log });
      expect(log).to.deep.equal(['delta', 'gamma', 'alpha', 'beta']);
      expect(kernel.hooks.implementations('alpha.saved')).to.deep.equal(['delta', 'gamma', 'alpha', 'beta']);
    });

    it('keeps an implementation of a hook whose owner is not in the kernel dormant', () => {
      const kernel = Kernel.create([
        mod('delta', { register(api) { api.on('alpha.access', (p) => (p.user === 'mallory' ? 'deny' : undefined)); api.on('cron', () => undefined); } }),
        greeter('beta'),
      ]);
      expect(kernel.hooks.has('alpha.access')).to.equal(false);
      expect(kernel.hooks.dormantTaps()).to.deep.equal([
        { module: 'delta', hook: 'alpha.access' },
        { module: 'beta', hook: 'alpha.greetings' },
      ]);
      expect(kernel.hooks.implementations('cron')).to.deep.equal(['delta']);
    });

    it('two modules declaring the same hook is ERR_HOOK_DUPLICATE naming both', async () => {
      const e = await expectCode(() => Kernel.create([
        alpha(),
        mod('copycat', { hooks: { 'alpha.saved': hook.event<unknown>('Mine too.') } }),
      ]), 'ERR_HOOK_DUPLICATE');
      expect(e.facts).to.include({ hook: 'alpha.saved', first: 'alpha', second: 'copycat' });
    });

    it('a module declaring a core hook name is ERR_HOOK_DUPLICATE naming core', async () => {
      const e = await expectCode(() => Kernel.create([mod('rogue', { hooks: { cron: hook.event<unknown>('My cron.') } })]), 'ERR_HOOK_DUPLICATE');
      expect(e.facts).to.include({ hook: 'cron', first: 'core', second: 'rogue' });
    });

    it('seals the bus: neither tap nor declare is possible on a created kernel', () => {
      const kernel = Kernel.create([alpha(), greeter('beta')]);
      expect(() => kernel.hooks.tap('late', 'alpha.greetings', (add) => add('late'))).to.throw(Error);
      expect(() => kernel.hooks.tap('late', 'alpha.unknown' as 'cron', () => undefined)).to.throw(Error);
      expect(() => kernel.hooks.declare('late', { 'late.hook': hook.event<void>('Late.') })).to.throw(Error);
      expect(kernel.hooks.implementations('alpha.greetings')).to.deep.equal(['beta']);
      expect(kernel.hooks.has('late.hook')).to.equal(false);
      expect(kernel.hooks.dormantTaps()).to.deep.equal([]);
    });

    it('builds an independent bus per kernel from the same modules', () => {
      const modules = [alpha(), greeter('beta')];
      const one = Kernel.create(modules);
      const two = Kernel.create(modules);
      expect(two.hooks).to.not.equal(one.hooks);
      expect(two.hooks.collect('alpha.greetings')).to.deep.equal(one.hooks.collect('alpha.greetings'));
      expect(Kernel.create([alpha()]).hooks.implementations('alpha.greetings')).to.deep.equal([]);
      expect(one.hooks.implementations('alpha.greetings')).to.deep.equal(['beta']);
    });
  });

  describe('modules', () => {
    it('names lists the modules in the order given, module() finds one by name', () => {
      const modules = [mod('system', {}, { required: true }), alpha(), mod('testing', {}, { type: 'profile' })];
      const kernel = Kernel.create(modules);
      expect(kernel.names).to.deep.equal(['system', 'alpha', 'testing']);
      expect(kernel.modules).to.deep.equal(modules);
      expect(kernel.module('alpha')).to.equal(modules[1]);
      expect(kernel.module('testing')!.manifest.type).to.equal('profile');
      expect(kernel.module('system')!.manifest.required).to.equal(true);
      expect(kernel.module('gamma')).to.equal(undefined);
    });
  });

  describe('registry', () => {
    it('builds a registry once per kernel and returns the same value afterwards', () => {
      const kernel = Kernel.create([alpha(), greeter('beta')]);
      let builds = 0;
      const build = (): string[] => { builds++; return kernel.hooks.collect('alpha.greetings').map((c) => c.value); };
      const first = kernel.registry('greetings', build);
      const second = kernel.registry('greetings', build);
      expect(first).to.deep.equal(['beta']);
      expect(second).to.equal(first);
      expect(builds).to.equal(1);
    });

    it('keeps registries under different keys apart', () => {
      const kernel = Kernel.create([]);
      expect(kernel.registry('a', () => 'A')).to.equal('A');
      expect(kernel.registry('b', () => 'B')).to.equal('B');
      expect(kernel.registry('a', () => 'other')).to.equal('A');
    });

    it('a new kernel builds its registry again', () => {
      const modules = [alpha(), greeter('beta')];
      let builds = 0;
      const build = (k: Kernel) => (): object => { builds++; return { names: k.names }; };
      const one = Kernel.create(modules);
      const two = Kernel.create([...modules, greeter('gamma')]);
      const fromOne = one.registry('r', build(one));
      const fromTwo = two.registry('r', build(two));
      expect(builds).to.equal(2);
      expect(fromTwo).to.not.equal(fromOne);
      expect(fromOne).to.deep.equal({ names: ['alpha', 'beta'] });
      expect(fromTwo).to.deep.equal({ names: ['alpha', 'beta', 'gamma'] });
      expect(one.registry('r', build(one))).to.equal(fromOne);
      expect(builds).to.equal(2);
    });

    it('memoises a registry whose value is undefined', () => {
      const kernel = Kernel.create([]);
      let builds = 0;
      const build = (): undefined => { builds++; return undefined; };
      expect(kernel.registry('nothing', build)).to.equal(undefined);
      expect(kernel.registry('nothing', build)).to.equal(undefined);
      expect(builds).to.equal(1);
    });

    it('does not keep a registry whose build failed, so the next call tries again', () => {
      const kernel = Kernel.create([]);
      let builds = 0;
      const boom = new Error('first build fails');
      expect(() => kernel.registry('flaky', () => { builds++; throw boom; })).to.throw(boom);
      expect(kernel.registry('flaky', () => { builds++; return 'ok'; })).to.equal('ok');
      expect(builds).to.equal(2);
    });
  });
});
