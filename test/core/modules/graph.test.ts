import { expect } from 'chai';
import type { DiscoveredModule } from '../../../core/modules/discovery.js';
import { checkModule, dependentsOf, orderModules, orderSubset, withDependencies, type Catalog } from '../../../core/modules/graph.js';
import { parseManifest } from '../../../core/modules/manifest.js';
import { makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';

/** A catalog built from manifests in memory. */
function catalogOf(...manifests: Record<string, unknown>[]): Catalog {
  const out = new Map<string, DiscoveredModule>();
  for (const raw of manifests) {
    const manifest = parseManifest({ description: 'x', ...raw }, `/mem/${String(raw.name)}/module.json`);
    out.set(manifest.name, { manifest, dir: `/mem/${manifest.name}`, origin: 'core', shadows: [] });
  }
  return out;
}

/** Every ordering of a list. */
function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('module dependency graph', () => {
  let tc: TestCodebase;
  let catalog: Catalog;
  before(() => {
    tc = makeCodebase();
    catalog = tc.codebase.modules('testing');
  });
  after(() => tc.cleanup());

  describe('orderModules', () => {
    it('puts dependencies first, then lower weight, then name', () => {
      // gamma (weight -5) goes before alpha once system is placed; beta needs alpha; delta needs beta and gamma.
      expect(orderModules(catalog, ['delta', 'beta', 'gamma', 'alpha', 'system'])).to.deep.equal(['system', 'gamma', 'alpha', 'beta', 'delta']);
    });

    it('gives the same order for every ordering of the input', () => {
      const expected = ['system', 'gamma', 'alpha', 'beta', 'delta'];
      const perms = permutations(['delta', 'beta', 'gamma', 'alpha', 'system']);
      expect(perms).to.have.length(120);
      for (const p of perms) expect(orderModules(catalog, p), p.join(',')).to.deep.equal(expected);
    });

    it('accepts any iterable and ignores duplicates', () => {
      expect(orderModules(catalog, new Set(['alpha', 'system']))).to.deep.equal(['system', 'alpha']);
      expect(orderModules(catalog, ['alpha', 'system', 'alpha'])).to.deep.equal(['system', 'alpha']);
    });

    it('orders by name among modules of equal weight with no dependencies between them', () => {
      expect(orderModules(catalog, ['updater', 'thrower', 'alpha', 'system', 'beta'])).to.deep.equal(['system', 'alpha', 'beta', 'thrower', 'updater']);
    });

    it('puts install profiles last, even when their name and weight would come first', () => {
      expect(orderModules(catalog, ['updater', 'minimal', 'user', 'system'])).to.deep.equal(['system', 'user', 'updater', 'minimal']);
      expect(orderModules(catalog, ['testing', 'alpha', 'user', 'system', 'updater'])).to.deep.equal(['system', 'user', 'alpha', 'updater', 'testing']);
    });

    it('lower weight wins over name, but never over a dependency', () => {
      const cat = catalogOf(
        { name: 'aaa', weight: 10 },
        { name: 'zzz', weight: -10 },
        { name: 'mid', weight: -20, dependencies: { aaa: '*' } },
      );
      expect(orderModules(cat, ['aaa', 'zzz', 'mid'])).to.deep.equal(['zzz', 'aaa', 'mid']);
    });

    it('an empty set orders to an empty list', () => {
      expect(orderModules(catalog, [])).to.deep.equal([]);
    });

    it('a dependency outside the set is ERR_MODULE_DEPENDENCY_MISSING', async () => {
      const e = await expectCode(() => orderModules(catalog, ['beta', 'system']), 'ERR_MODULE_DEPENDENCY_MISSING');
      expect(e.facts).to.include({ module: 'beta', dependency: 'alpha' });
      await expectCode(() => orderModules(catalog, ['needs_missing']), 'ERR_MODULE_DEPENDENCY_MISSING');
    });

    it('a name not in the catalog is ERR_MODULE_UNKNOWN', async () => {
      const e = await expectCode(() => orderModules(catalog, ['system', 'no_such_module']), 'ERR_MODULE_UNKNOWN');
      expect(e.facts.name).to.equal('no_such_module');
    });

    it('a cycle is ERR_MODULE_DEPENDENCY_CYCLE naming the modules in order', async () => {
      for (const p of permutations(['cycle_a', 'cycle_b', 'cycle_c'])) {
        const e = await expectCode(() => orderModules(catalog, p), 'ERR_MODULE_DEPENDENCY_CYCLE');
        expect(e.facts.cycle).to.equal('cycle_a -> cycle_b -> cycle_c -> cycle_a');
        expect(e.message).to.contain('cycle_a -> cycle_b -> cycle_c -> cycle_a');
      }
    });

    it('a cycle among other modules names only the cycle', async () => {
      const e = await expectCode(() => orderModules(catalog, ['alpha', 'cycle_c', 'system', 'cycle_b', 'cycle_a', 'beta']), 'ERR_MODULE_DEPENDENCY_CYCLE');
      expect(e.facts.cycle).to.equal('cycle_a -> cycle_b -> cycle_c -> cycle_a');
    });

    it('a cycle that some module depends on names the cycle, not the dependent', async () => {
      const cat = catalogOf(
        { name: 'top', dependencies: { x: '*' } },
        { name: 'x', dependencies: { y: '*' } },
        { name: 'y', dependencies: { x: '*' } },
      );
      const e = await expectCode(() => orderModules(cat, ['top', 'x', 'y']), 'ERR_MODULE_DEPENDENCY_CYCLE');
      expect(e.facts.cycle).to.equal('x -> y -> x');
    });
  });

  describe('withDependencies', () => {
    it('adds every direct and indirect dependency', () => {
      expect([...withDependencies(catalog, ['delta'])].sort()).to.deep.equal(['alpha', 'beta', 'delta', 'gamma', 'system']);
      expect([...withDependencies(catalog, ['testing'])].sort()).to.deep.equal(['alpha', 'system', 'testing', 'user']);
      expect([...withDependencies(catalog, ['system'])]).to.deep.equal(['system']);
      expect([...withDependencies(catalog, [])]).to.deep.equal([]);
    });

    it('is a closure: its result orders without missing dependencies', () => {
      const all = withDependencies(catalog, ['delta', 'thrower', 'updater']);
      expect(orderModules(catalog, all)).to.deep.equal(['system', 'gamma', 'alpha', 'beta', 'delta', 'thrower', 'updater']);
    });

    it('checks every module it adds', async () => {
      await expectCode(() => withDependencies(catalog, ['needs_missing']), 'ERR_MODULE_DEPENDENCY_MISSING');
      await expectCode(() => withDependencies(catalog, ['needs_new_alpha']), 'ERR_MODULE_DEPENDENCY_VERSION');
      await expectCode(() => withDependencies(catalog, ['core_future']), 'ERR_MODULE_CORE_INCOMPATIBLE');
      await expectCode(() => withDependencies(catalog, ['alpha', 'ghost']), 'ERR_MODULE_UNKNOWN');
    });

    it('checks indirect dependencies too', async () => {
      const cat = catalogOf({ name: 'top', dependencies: { mid: '*' } }, { name: 'mid', dependencies: { gone: '*' } });
      const e = await expectCode(() => withDependencies(cat, ['top']), 'ERR_MODULE_DEPENDENCY_MISSING');
      expect(e.facts).to.include({ module: 'mid', dependency: 'gone' });
    });

    it('terminates on a cycle (the cycle is reported by orderModules)', () => {
      expect([...withDependencies(catalog, ['cycle_a'])].sort()).to.deep.equal(['cycle_a', 'cycle_b', 'cycle_c']);
    });
  });

  describe('checkModule', () => {
    it('passes for modules whose dependencies and core range match', () => {
      for (const n of ['system', 'user', 'alpha', 'beta', 'gamma', 'delta', 'testing']) expect(() => checkModule(catalog, n), n).to.not.throw();
    });

    it('an unknown module is ERR_MODULE_UNKNOWN', async () => {
      const e = await expectCode(() => checkModule(catalog, 'nonexistent'), 'ERR_MODULE_UNKNOWN');
      expect(e.facts.name).to.equal('nonexistent');
    });

    it('a missing dependency is ERR_MODULE_DEPENDENCY_MISSING (needs_missing)', async () => {
      const e = await expectCode(() => checkModule(catalog, 'needs_missing'), 'ERR_MODULE_DEPENDENCY_MISSING');
      expect(e.facts).to.include({ module: 'needs_missing', dependency: 'nonexistent' });
    });

    it('a dependency of the wrong version is ERR_MODULE_DEPENDENCY_VERSION (needs_new_alpha)', async () => {
      const e = await expectCode(() => checkModule(catalog, 'needs_new_alpha'), 'ERR_MODULE_DEPENDENCY_VERSION');
      expect(e.facts).to.include({ module: 'needs_new_alpha', dependency: 'alpha', range: '>=2.0.0', version: '1.2.0' });
    });

    it('a module that needs a future core is ERR_MODULE_CORE_INCOMPATIBLE (core_future)', async () => {
      const e = await expectCode(() => checkModule(catalog, 'core_future'), 'ERR_MODULE_CORE_INCOMPATIBLE');
      expect(e.facts).to.include({ module: 'core_future', range: '>=9.0.0' });
    });

    it('a dependency without a version fails any range but "*"', async () => {
      const cat = catalogOf(
        { name: 'unversioned' },
        { name: 'any', dependencies: { unversioned: '*' } },
        { name: 'ranged', dependencies: { unversioned: '^1.0.0' } },
      );
      expect(() => checkModule(cat, 'any')).to.not.throw();
      const e = await expectCode(() => checkModule(cat, 'ranged'), 'ERR_MODULE_DEPENDENCY_VERSION');
      expect(e.facts.version).to.equal('unknown');
    });

    it('a matching core range passes; a prerelease dependency satisfies a range', () => {
      const cat = catalogOf(
        { name: 'now', core: '^0.1' },
        { name: 'pre', version: '2.0.0-rc.1' },
        { name: 'user_of_pre', dependencies: { pre: '>=1.0.0' } },
      );
      expect(() => checkModule(cat, 'now')).to.not.throw();
      expect(() => checkModule(cat, 'user_of_pre')).to.not.throw();
    });

    it('depending on an install profile is ERR_MANIFEST_INVALID', async () => {
      const cat = catalogOf({ name: 'prof', type: 'profile' }, { name: 'leech', dependencies: { prof: '*' } });
      await expectCode(() => checkModule(cat, 'leech'), 'ERR_MANIFEST_INVALID');
    });
  });

  describe('orderSubset', () => {
    it('keeps the global order for a subset whose dependencies are outside it', () => {
      // Whole order: system, gamma, alpha, beta, delta.
      expect(orderSubset(catalog, ['delta', 'alpha', 'gamma'])).to.deep.equal(['gamma', 'alpha', 'delta']);
      expect(orderSubset(catalog, ['beta', 'gamma'])).to.deep.equal(['gamma', 'beta']);
      expect(orderSubset(catalog, ['delta', 'system'])).to.deep.equal(['system', 'delta']);
    });

    it('gives the same order for every ordering of the subset', () => {
      for (const p of permutations(['delta', 'alpha', 'gamma', 'testing'])) {
        expect(orderSubset(catalog, p), p.join(',')).to.deep.equal(['gamma', 'alpha', 'delta', 'testing']);
      }
    });

    it('leaves out names that are not in the catalog', () => {
      expect(orderSubset(catalog, ['ghost', 'beta', 'alpha'])).to.deep.equal(['alpha', 'beta']);
      expect(orderSubset(catalog, ['ghost'])).to.deep.equal([]);
    });

    it('does not check versions, so modules already installed can always be ordered', () => {
      expect(orderSubset(catalog, ['needs_new_alpha', 'core_future'])).to.deep.equal(['core_future', 'needs_new_alpha']);
    });
  });

  describe('dependentsOf', () => {
    it('lists direct dependents among the given modules, sorted', () => {
      expect(dependentsOf(catalog, 'alpha', ['thrower', 'delta', 'beta', 'gamma', 'install_fails', 'testing'])).to.deep.equal(['beta', 'install_fails', 'testing', 'thrower']);
      expect(dependentsOf(catalog, 'beta', ['delta', 'alpha', 'beta'])).to.deep.equal(['delta']);
    });

    it('ignores indirect dependents, names outside the set and unknown names', () => {
      expect(dependentsOf(catalog, 'system', ['delta', 'ghost'])).to.deep.equal([]);
      expect(dependentsOf(catalog, 'gamma', ['alpha', 'beta'])).to.deep.equal([]);
    });

    it('accepts any iterable', () => {
      expect(dependentsOf(catalog, 'alpha', new Set(['beta']).keys())).to.deep.equal(['beta']);
    });
  });
});
