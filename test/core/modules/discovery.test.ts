import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverModules, discoverProfiles, type Origin } from '../../../core/modules/discovery.js';
import { makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';

/** A hand-made codebase: modules/ and sites/ plus the given files (objects are written as JSON). */
function makeTree(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'aegir-disc-'));
  mkdirSync(join(root, 'modules'));
  mkdirSync(join(root, 'sites'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const mod = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, description: `Module ${name}.`, version: '1.0.0', ...extra });

describe('module discovery', () => {
  describe('with the fixture codebase', () => {
    let tc: TestCodebase;
    before(() => { tc = makeCodebase(); });
    after(() => tc.cleanup());

    const dirOf = (origin: Origin): string => {
      switch (origin) {
        case 'core': return join(tc.root, 'modules', 'shadowed');
        case 'profile': return join(tc.root, 'profiles', 'testing', 'modules', 'shadowed');
        case 'sites/all': return join(tc.root, 'sites', 'all', 'modules', 'shadowed');
        case 'site': return join(tc.root, 'sites', 'site.test', 'modules', 'shadowed');
      }
    };

    const table: { label: string; profile?: string; siteDir?: string; version: string; origin: Origin; shadows: Origin[] }[] = [
      { label: 'no profile, no site: sites/all wins over core', version: '3.0.0', origin: 'sites/all', shadows: ['core'] },
      { label: 'profile testing: sites/all still outranks the profile', profile: 'testing', version: '3.0.0', origin: 'sites/all', shadows: ['core', 'profile'] },
      { label: 'profile testing and site.test: the site copy wins', profile: 'testing', siteDir: 'site.test', version: '4.0.0', origin: 'site', shadows: ['core', 'profile', 'sites/all'] },
      { label: 'site.test only: the site copy wins', siteDir: 'site.test', version: '4.0.0', origin: 'site', shadows: ['core', 'sites/all'] },
      { label: 'a site folder without modules: sites/all wins', siteDir: 'other.test', version: '3.0.0', origin: 'sites/all', shadows: ['core'] },
      { label: 'a profile without modules/: sites/all wins', profile: 'minimal', version: '3.0.0', origin: 'sites/all', shadows: ['core'] },
    ];
    for (const c of table) {
      it(`shadowed precedence: ${c.label}`, () => {
        const found = tc.codebase.modules(c.profile, c.siteDir).get('shadowed');
        expect(found, 'shadowed is found').to.not.equal(undefined);
        expect(found!.manifest.version).to.equal(c.version);
        expect(found!.origin).to.equal(c.origin);
        expect(found!.dir).to.equal(dirOf(c.origin));
        expect(found!.shadows).to.deep.equal(c.shadows.map(dirOf));
      });
    }

    it('discoverModules and codebase.modules() agree', () => {
      const a = discoverModules({ root: tc.root, profile: 'testing', siteDir: 'site.test' });
      const b = tc.codebase.modules('testing', 'site.test');
      expect([...a.keys()]).to.deep.equal([...b.keys()]);
      expect(a.get('shadowed')!.dir).to.equal(b.get('shadowed')!.dir);
    });

    it('profile_only appears only with profile testing, with origin profile', () => {
      expect(tc.codebase.modules().has('profile_only')).to.equal(false);
      expect(tc.codebase.modules(undefined, 'site.test').has('profile_only')).to.equal(false);
      expect(tc.codebase.modules('minimal').has('profile_only')).to.equal(false);
      const found = tc.codebase.modules('testing').get('profile_only');
      expect(found?.origin).to.equal('profile');
      expect(found?.dir).to.equal(join(tc.root, 'profiles', 'testing', 'modules', 'profile_only'));
      expect(found?.shadows).to.deep.equal([]);
    });

    it('lists every install profile with type profile, at the core level', () => {
      const catalog = tc.codebase.modules();
      for (const p of ['hostmaster', 'minimal', 'standard', 'testing', 'failing']) {
        const found = catalog.get(p);
        expect(found?.manifest.type, p).to.equal('profile');
        expect(found?.origin, p).to.equal('core');
        expect(found?.dir, p).to.equal(join(tc.root, 'profiles', p));
      }
      const profiles = [...catalog.values()].filter((m) => m.manifest.type === 'profile').map((m) => m.manifest.name);
      expect(profiles).to.deep.equal(['failing', 'hostmaster', 'minimal', 'standard', 'testing']);
    });

    it('discoverProfiles lists the profiles in folder order', () => {
      expect(discoverProfiles(tc.root).map((p) => p.manifest.name)).to.deep.equal(['failing', 'hostmaster', 'minimal', 'standard', 'testing']);
      expect(tc.codebase.profiles().every((p) => p.manifest.type === 'profile')).to.equal(true);
    });

    it('finds the real core modules and the fixtures with origin core', () => {
      const catalog = tc.codebase.modules();
      for (const n of ['system', 'user', 'alpha', 'beta', 'gamma', 'delta', 'cycle_a']) expect(catalog.get(n)?.origin, n).to.equal('core');
      expect(catalog.get('alpha')!.manifest.version).to.equal('1.2.0');
    });

    it('orders the catalog deterministically: profiles, then modules by folder name', () => {
      const first = [...tc.codebase.modules('testing', 'site.test').keys()];
      const again = [...discoverModules({ root: tc.root, profile: 'testing', siteDir: 'site.test' }).keys()];
      expect(again).to.deep.equal(first);
      const other = makeCodebase();
      try {
        const keys = [...other.codebase.modules('testing', 'site.test').keys()];
        expect(keys).to.deep.equal(first);
      } finally {
        other.cleanup();
      }
      const catalog = tc.codebase.modules();
      const core = [...catalog.values()].filter((m) => m.manifest.type !== 'profile').map((m) => m.manifest.name);
      expect(core).to.deep.equal([...core].sort());
      const keys = [...catalog.keys()];
      expect(keys.slice(0, 5)).to.deep.equal(['failing', 'hostmaster', 'minimal', 'standard', 'testing']);
    });
  });

  describe('with hand-made trees', () => {
    const roots: string[] = [];
    const tree = (files: Record<string, unknown>): string => {
      const r = makeTree(files);
      roots.push(r);
      return r;
    };
    afterEach(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }); });

    it('an empty codebase has no modules', () => {
      expect(discoverModules({ root: tree({}) }).size).to.equal(0);
    });

    it('two modules of one name at one level are ERR_MODULE_NAME_CONFLICT naming both folders', async () => {
      const root = tree({ 'modules/a/module.json': mod('dup'), 'modules/b/module.json': mod('dup') });
      const e = await expectCode(() => discoverModules({ root }), 'ERR_MODULE_NAME_CONFLICT');
      expect(e.facts.name).to.equal('dup');
      expect([e.facts.first, e.facts.second]).to.deep.equal([join(root, 'modules', 'a'), join(root, 'modules', 'b')]);
    });

    it('a conflict at the sites/all level is an error too', async () => {
      const root = tree({ 'sites/all/modules/x/module.json': mod('dup'), 'sites/all/modules/contrib/y/module.json': mod('dup') });
      await expectCode(() => discoverModules({ root }), 'ERR_MODULE_NAME_CONFLICT');
    });

    it('a sub-module with the name of a module at the same level is a conflict', async () => {
      const root = tree({ 'modules/parent/module.json': mod('parent'), 'modules/parent/modules/child/module.json': mod('other'), 'modules/zzz/module.json': mod('other') });
      await expectCode(() => discoverModules({ root }), 'ERR_MODULE_NAME_CONFLICT');
    });

    it('the same name at different levels is shadowing, not a conflict', () => {
      const root = tree({ 'modules/a/module.json': mod('dup', { version: '1.0.0' }), 'sites/all/modules/b/module.json': mod('dup', { version: '2.0.0' }) });
      const found = discoverModules({ root }).get('dup');
      expect(found?.manifest.version).to.equal('2.0.0');
      expect(found?.shadows).to.deep.equal([join(root, 'modules', 'a')]);
    });

    it('a broken manifest is ERR_MANIFEST_INVALID naming its path', async () => {
      const root = tree({ 'modules/good/module.json': mod('good'), 'modules/broken/module.json': '{ "name": "broken", ' });
      const e = await expectCode(() => discoverModules({ root }), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(join(root, 'modules', 'broken', 'module.json'));
    });

    it('an invalid manifest in a site folder is ERR_MANIFEST_INVALID naming its path', async () => {
      const root = tree({ 'sites/example.com/modules/bad/module.json': { name: 'Bad', description: 'x' } });
      expect(discoverModules({ root }).size).to.equal(0);
      const e = await expectCode(() => discoverModules({ root, siteDir: 'example.com' }), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(join(root, 'sites', 'example.com', 'modules', 'bad', 'module.json'));
    });

    it('a profile manifest inside modules/ is ERR_MANIFEST_INVALID', async () => {
      const root = tree({ 'modules/sneaky/module.json': mod('sneaky', { type: 'profile' }) });
      const e = await expectCode(() => discoverModules({ root }), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(join(root, 'modules', 'sneaky', 'module.json'));
    });

    it('a profile manifest inside sites/all/modules/ is ERR_MANIFEST_INVALID', async () => {
      const root = tree({ 'sites/all/modules/sneaky/module.json': mod('sneaky', { type: 'profile' }) });
      await expectCode(() => discoverModules({ root }), 'ERR_MANIFEST_INVALID');
    });

    it('a non-profile under profiles/ is ERR_MANIFEST_INVALID', async () => {
      const root = tree({ 'profiles/plain/module.json': mod('plain') });
      const e = await expectCode(() => discoverModules({ root }), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(join(root, 'profiles', 'plain', 'module.json'));
      await expectCode(() => discoverProfiles(root), 'ERR_MANIFEST_INVALID');
    });

    it('a profile folder without module.json is skipped', () => {
      const root = tree({ 'profiles/empty/README.md': 'nothing', 'profiles/real/module.json': mod('real', { type: 'profile' }) });
      expect(discoverProfiles(root).map((p) => p.manifest.name)).to.deep.equal(['real']);
    });

    it('node_modules folders are not scanned', () => {
      const root = tree({
        'modules/a/module.json': mod('a'),
        'modules/node_modules/pkg/module.json': '{ not json',
        'modules/contrib/node_modules/pkg/module.json': mod('from_npm'),
        'sites/all/modules/node_modules/x/module.json': mod('from_npm2'),
      });
      expect([...discoverModules({ root }).keys()]).to.deep.equal(['a']);
    });

    it('hidden folders are not scanned', () => {
      const root = tree({ 'modules/.git/x/module.json': '{ not json', 'modules/a/module.json': mod('a') });
      expect([...discoverModules({ root }).keys()]).to.deep.equal(['a']);
    });

    it('finds sub-modules in a module\'s own modules/ folder and modules in grouping folders', () => {
      const root = tree({
        'modules/parent/module.json': mod('parent'),
        'modules/parent/modules/child/module.json': mod('child'),
        'modules/parent/modules/child/modules/grandchild/module.json': mod('grandchild'),
        'modules/contrib/shop/module.json': mod('shop'),
        'sites/all/modules/vendor/tool/module.json': mod('tool'),
      });
      const found = discoverModules({ root });
      expect(found.get('child')?.dir).to.equal(join(root, 'modules', 'parent', 'modules', 'child'));
      expect(found.get('grandchild')?.dir).to.equal(join(root, 'modules', 'parent', 'modules', 'child', 'modules', 'grandchild'));
      expect(found.get('shop')?.origin).to.equal('core');
      expect(found.get('tool')?.origin).to.equal('sites/all');
      expect([...found.keys()]).to.deep.equal(['shop', 'parent', 'child', 'grandchild', 'tool']);
    });

    it('folders inside a module other than modules/ are not scanned for sub-modules', () => {
      const root = tree({ 'modules/parent/module.json': mod('parent'), 'modules/parent/lib/inner/module.json': mod('inner') });
      expect([...discoverModules({ root }).keys()]).to.deep.equal(['parent']);
    });

    it('only the active profile\'s modules/ and the given site folder are scanned', () => {
      const root = tree({
        'profiles/p1/module.json': mod('p1', { type: 'profile' }),
        'profiles/p1/modules/one/module.json': mod('one'),
        'profiles/p2/module.json': mod('p2', { type: 'profile' }),
        'profiles/p2/modules/two/module.json': mod('two'),
        'sites/a.test/modules/site_a/module.json': mod('site_a'),
        'sites/b.test/modules/site_b/module.json': mod('site_b'),
      });
      const found = discoverModules({ root, profile: 'p2', siteDir: 'b.test' });
      expect([...found.keys()]).to.deep.equal(['p1', 'p2', 'two', 'site_b']);
      expect(found.get('two')?.origin).to.equal('profile');
      expect(found.get('site_b')?.origin).to.equal('site');
    });
  });
});
