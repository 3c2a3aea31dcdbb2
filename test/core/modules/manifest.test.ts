import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMachineName, parseManifest, readManifest } from '../../../core/modules/manifest.js';
import { expectCode } from '../../harness/expect.js';

const PATH = '/somewhere/example/module.json';

/** A minimal valid manifest with some fields replaced. */
const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'example', description: 'An example.', ...over });

describe('module manifest', () => {
  describe('parseManifest: valid manifests', () => {
    it('reads a manifest with every field', () => {
      const m = parseManifest({
        name: 'shop_cart',
        description: '  A shopping cart.  ',
        version: '1.2.3-beta.1',
        type: 'module',
        dependencies: { system: '*', alpha: '^1.0.0', beta: '>=0.3 <2' },
        required: true,
        global: true,
        weight: -7,
        core: '^0.1',
        package: 'Commerce',
        main: 'src/entry.js',
      }, PATH);
      expect(m).to.deep.equal({
        name: 'shop_cart',
        description: 'A shopping cart.',
        version: '1.2.3-beta.1',
        type: 'module',
        dependencies: { system: '*', alpha: '^1.0.0', beta: '>=0.3 <2' },
        required: true,
        global: true,
        weight: -7,
        core: '^0.1',
        package: 'Commerce',
        main: 'src/entry.js',
      });
    });

    it('fills in the defaults: type module, weight 0, required false, package Other, main index.ts', () => {
      const m = parseManifest(base(), PATH);
      expect(m.type).to.equal('module');
      expect(m.weight).to.equal(0);
      expect(m.required).to.equal(false);
      expect(m.global).to.equal(false);
      expect(m.package).to.equal('Other');
      expect(m.main).to.equal('index.ts');
      expect(m.version).to.equal(undefined);
      expect(m.core).to.equal(undefined);
      expect(m.dependencies).to.deep.equal({});
    });

    it('rejects a "global" that is not true or false', () => {
      expect(() => parseManifest(base({ global: 'yes' }), PATH)).to.throw().with.property('code', 'ERR_MANIFEST_INVALID');
    });

    it('accepts an install profile and .mjs / .ts entries', () => {
      expect(parseManifest(base({ type: 'profile' }), PATH).type).to.equal('profile');
      expect(parseManifest(base({ main: 'lib/main.mjs' }), PATH).main).to.equal('lib/main.mjs');
      expect(parseManifest(base({ main: './entry.ts' }), PATH).main).to.equal('./entry.ts');
    });

    it('returns a frozen manifest with frozen dependencies', () => {
      const m = parseManifest(base({ dependencies: { alpha: '*' } }), PATH);
      expect(Object.isFrozen(m)).to.equal(true);
      expect(Object.isFrozen(m.dependencies)).to.equal(true);
    });

    it('accepts machine names up to 64 characters', () => {
      const name = 'a' + 'b'.repeat(63);
      expect(parseManifest(base({ name }), PATH).name).to.equal(name);
    });
  });

  describe('parseManifest: every problem is ERR_MANIFEST_INVALID naming the file', () => {
    const cases: [string, unknown][] = [
      ['not an object: array', []],
      ['not an object: null', null],
      ['not an object: string', 'example'],
      ['not an object: number', 42],
      ['unknown key', base({ hooks: ['x'] })],
      ['missing name', { description: 'x' }],
      ['name in upper case', base({ name: 'Example' })],
      ['name with a leading digit', base({ name: '1example' })],
      ['name too long (65 characters)', base({ name: 'a' + 'b'.repeat(64) })],
      ['name with a dash', base({ name: 'my-module' })],
      ['name not a string', base({ name: 12 })],
      ['missing description', { name: 'example' }],
      ['empty description', base({ description: '' })],
      ['blank description', base({ description: '   ' })],
      ['version not semver', base({ version: '1.2' })],
      ['version not a string', base({ version: 1 })],
      ['bad type', base({ type: 'theme' })],
      ['required not a boolean', base({ required: 'yes' })],
      ['weight not an integer', base({ weight: 1.5 })],
      ['weight a string', base({ weight: '1' })],
      ['core not a range', base({ core: 'not a range!' })],
      ['core not a string', base({ core: 1 })],
      ['package not a string', base({ package: ['a'] })],
      ['dependencies as an array', base({ dependencies: ['alpha'] })],
      ['dependencies as null', base({ dependencies: null })],
      ['dependencies as a string', base({ dependencies: 'alpha' })],
      ['dependency name invalid', base({ dependencies: { 'Bad-Name': '*' } })],
      ['dependency range invalid', base({ dependencies: { alpha: 'not-a-range!' } })],
      ['dependency range not a string', base({ dependencies: { alpha: 1 } })],
      ['self-dependency', base({ dependencies: { example: '*' } })],
      ['main with a wrong extension', base({ main: 'index.php' })],
      ['main without an extension', base({ main: 'index' })],
      ['main not a string', base({ main: 5 })],
      ['path-traversal: main with ".."', base({ main: '../other/index.ts' })],
      ['path-traversal: main with ".." in the middle', base({ main: 'lib/../../../etc/evil.js' })],
      ['path-traversal: main that is just ".." segments', base({ main: '../../x.mjs' })],
    ];
    for (const [label, raw] of cases) {
      it(label, async () => {
        const e = await expectCode(() => parseManifest(raw, PATH), 'ERR_MANIFEST_INVALID');
        expect(e.facts.path).to.equal(PATH);
      });
    }
  });

  describe('isMachineName', () => {
    it('accepts lower case names with digits and underscores, starting with a letter', () => {
      for (const n of ['a', 'alpha', 'cycle_a', 'x1_2', 'a' + '0'.repeat(63)]) expect(isMachineName(n), n).to.equal(true);
    });
    it('rejects anything else', () => {
      for (const n of ['', 'Alpha', '_a', '1a', 'a-b', 'a.b', 'a b', 'a' + '0'.repeat(64), '../a']) expect(isMachineName(n), n).to.equal(false);
    });
  });

  describe('readManifest', () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aegir-manifest-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads and validates a file', () => {
      const file = join(dir, 'module.json');
      writeFileSync(file, JSON.stringify(base({ version: '0.1.0', weight: 3 })));
      const m = readManifest(file);
      expect(m.name).to.equal('example');
      expect(m.version).to.equal('0.1.0');
      expect(m.weight).to.equal(3);
    });

    it('a missing file is ERR_MANIFEST_INVALID naming the path', async () => {
      const file = join(dir, 'nope', 'module.json');
      const e = await expectCode(() => readManifest(file), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(file);
    });

    it('a file that is not JSON is ERR_MANIFEST_INVALID naming the path', async () => {
      const file = join(dir, 'module.json');
      writeFileSync(file, '{ name: "example", ');
      const e = await expectCode(() => readManifest(file), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(file);
    });

    it('an empty file is ERR_MANIFEST_INVALID', async () => {
      const file = join(dir, 'module.json');
      writeFileSync(file, '');
      await expectCode(() => readManifest(file), 'ERR_MANIFEST_INVALID');
    });

    it('a valid JSON file with an invalid manifest is ERR_MANIFEST_INVALID naming the path', async () => {
      const file = join(dir, 'module.json');
      writeFileSync(file, JSON.stringify(base({ name: 'Bad' })));
      const e = await expectCode(() => readManifest(file), 'ERR_MANIFEST_INVALID');
      expect(e.facts.path).to.equal(file);
    });
  });
});
