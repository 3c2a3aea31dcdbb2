import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverThemes, themeChain, type ThemeInfo } from '../../../core/theme/themes.js';
import { REPO } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';

/** A theme description made by hand. */
const info = (name: string, base?: string): ThemeInfo => ({ name, description: name, base, engine: 'nunjucks', hidden: false, stylesheets: [], dir: `/virtual/themes/${name}` });
const mapOf = (...list: ThemeInfo[]): Map<string, ThemeInfo> => new Map(list.map((t) => [t.name, t]));

describe('themes', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aegir-themes-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Write themes/<folder>/theme.json with raw text. */
  const theme = (folder: string, raw: string): void => {
    mkdirSync(join(root, 'themes', folder), { recursive: true });
    writeFileSync(join(root, 'themes', folder, 'theme.json'), raw);
  };

  describe('discoverThemes', () => {
    it('finds the themes of the repository', () => {
      const themes = discoverThemes(REPO);
      expect([...themes.keys()]).to.include.members(['admin', 'frontend']);
      expect(themes.get('admin')).to.deep.include({ name: 'admin', base: 'base', dir: join(REPO, 'themes', 'admin') });
      expect(themes.get('admin')!.stylesheets).to.include('admin.css');
    });

    it('reads the engine a theme asks for, nunjucks by default', () => {
      theme('twiggy', JSON.stringify({ name: 'twiggy', description: 'T', engine: 'twig' }));
      expect(discoverThemes(root).get('twiggy')!.engine).to.equal('twig');
      expect(discoverThemes(REPO).get('admin')!.engine).to.equal('nunjucks');
    });

    it('reads a valid theme.json, ignores folders without one, and is empty without themes/', () => {
      expect(discoverThemes(root).size).to.equal(0);
      theme('fancy', JSON.stringify({ name: 'fancy', description: 'Fancy', base: 'plain', stylesheets: ['a.css', 'sub/b.css'] }));
      mkdirSync(join(root, 'themes', 'not_a_theme'));
      const themes = discoverThemes(root);
      expect([...themes.keys()]).to.deep.equal(['fancy']);
      expect(themes.get('fancy')).to.deep.equal({ name: 'fancy', description: 'Fancy', base: 'plain', engine: 'nunjucks', hidden: false, stylesheets: ['a.css', 'sub/b.css'], dir: join(root, 'themes', 'fancy') });
    });

    const malformed: readonly [string, string, string][] = [
      ['not JSON', 'x', '{ "name": "x", '],
      ['an array', 'x', '[]'],
      ['null', 'x', 'null'],
      ['an unknown key', 'x', JSON.stringify({ name: 'x', description: 'd', scripts: ['a.js'] })],
      ['an engine that is not a name', 'x', JSON.stringify({ name: 'x', description: 'd', engine: '../php' })],
      ['a name other than its folder', 'x', JSON.stringify({ name: 'y', description: 'd' })],
      ['no name', 'x', JSON.stringify({ description: 'd' })],
      ['an upper-case name', 'X', JSON.stringify({ name: 'X', description: 'd' })],
      ['no description', 'x', JSON.stringify({ name: 'x' })],
      ['a base that is not a name', 'x', JSON.stringify({ name: 'x', description: 'd', base: '../admin' })],
      ['a base that is not a string', 'x', JSON.stringify({ name: 'x', description: 'd', base: 1 })],
      ['stylesheets that are not a list', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: 'a.css' })],
      ['a stylesheet outside assets/', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: ['../theme.json.css'] })],
      ['a stylesheet going up in the middle', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: ['a/../../b.css'] })],
      ['an absolute stylesheet', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: ['/etc/x.css'] })],
      ['a stylesheet on another host', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: ['//evil.example/x.css'] })],
      ['a stylesheet that is not .css', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: ['x.js'] })],
      ['a stylesheet with a query', 'x', JSON.stringify({ name: 'x', description: 'd', stylesheets: ['x.css?"><script>'] })],
    ];
    for (const [what, folder, raw] of malformed) {
      it(`refuses a theme.json with ${what} (ERR_THEME_INVALID)`, async () => {
        theme(folder, raw);
        await expectCode(() => discoverThemes(root), 'ERR_THEME_INVALID');
      });
    }
  });

  describe('themeChain', () => {
    it('is the theme, then its base themes', () => {
      const chain = themeChain(mapOf(info('a', 'b'), info('b', 'c'), info('c')), 'a');
      expect(chain.map((t) => t.name)).to.deep.equal(['a', 'b', 'c']);
      expect(themeChain(mapOf(info('c')), 'c').map((t) => t.name)).to.deep.equal(['c']);
    });

    it('refuses an unknown theme and an unknown base (ERR_THEME_UNKNOWN)', async () => {
      await expectCode(() => themeChain(mapOf(info('a')), 'nope'), 'ERR_THEME_UNKNOWN');
      const e = await expectCode(() => themeChain(mapOf(info('a', 'b'), info('b', 'gone')), 'a'), 'ERR_THEME_UNKNOWN');
      expect(e.facts).to.deep.include({ theme: 'gone' });
    });

    it('refuses base themes that form a cycle (ERR_THEME_INVALID)', async () => {
      await expectCode(() => themeChain(mapOf(info('a', 'b'), info('b', 'c'), info('c', 'a')), 'a'), 'ERR_THEME_INVALID');
      await expectCode(() => themeChain(mapOf(info('self', 'self')), 'self'), 'ERR_THEME_INVALID');
    });

    it('finds the cycle through discovered themes too', async () => {
      theme('one', JSON.stringify({ name: 'one', description: 'd', base: 'two' }));
      theme('two', JSON.stringify({ name: 'two', description: 'd', base: 'one' }));
      await expectCode(() => themeChain(discoverThemes(root), 'one'), 'ERR_THEME_INVALID');
    });
  });
});
