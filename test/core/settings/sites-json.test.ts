import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSiteDirName, readSitesJson } from '../../../core/settings/sites-json.js';
import { expectCode } from '../../harness/expect.js';

describe('sites/sites.json (aliases)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aegir-sitesjson-'));
    mkdirSync(join(root, 'sites'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (content: unknown): string => {
    const path = join(root, 'sites', 'sites.json');
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('a missing file means no aliases', () => {
    expect(readSitesJson(root)).to.deep.equal({});
  });

  it('a missing sites/ folder means no aliases', () => {
    rmSync(join(root, 'sites'), { recursive: true });
    expect(readSitesJson(root)).to.deep.equal({});
  });

  it('reads valid aliases', () => {
    write({ aliases: { 'www.example.com': 'example.com', '8080.example.com': 'example.com', 'example.com.shop': 'shop-site', localhost: 'default' } });
    expect(readSitesJson(root)).to.deep.equal({ 'www.example.com': 'example.com', '8080.example.com': 'example.com', 'example.com.shop': 'shop-site', localhost: 'default' });
  });

  it('an empty object or empty aliases mean no aliases', () => {
    write({});
    expect(readSitesJson(root)).to.deep.equal({});
    write({ aliases: {} });
    expect(readSitesJson(root)).to.deep.equal({});
  });

  const invalid: [string, unknown][] = [
    ['invalid JSON', '{ "aliases": { '],
    ['empty file', ''],
    ['not an object: array', [{ aliases: {} }]],
    ['not an object: null', 'null'],
    ['not an object: string', '"example.com"'],
    ['unknown top-level key', { aliases: {}, sites: {} }],
    ['aliases as an array', { aliases: ['example.com'] }],
    ['aliases as a string', { aliases: 'example.com' }],
    ['alias target not a string', { aliases: { 'example.com': 1 } }],
    ['alias target empty', { aliases: { 'example.com': '' } }],
    ['alias target in upper case', { aliases: { 'example.com': 'Example.com' } }],
    ['alias source not host-style', { aliases: { 'Example Com': 'example.com' } }],
    ['alias source "__proto__"', '{ "aliases": { "__proto__": "example.com" } }'],
    ['path-traversal: alias target with "/"', { aliases: { 'example.com': 'other/site' } }],
    ['path-traversal: alias target absolute', { aliases: { 'example.com': '/etc' } }],
    ['path-traversal: alias target ".."', { aliases: { 'example.com': '..' } }],
    ['path-traversal: alias target with ".." inside', { aliases: { 'example.com': 'a..b' } }],
    ['path-traversal: alias target "../x"', { aliases: { 'example.com': '../x' } }],
    ['path-traversal: alias target "all" (shared modules folder)', { aliases: { 'example.com': 'all' } }],
    ['path-traversal: alias target with a backslash', { aliases: { 'example.com': '..\\x' } }],
  ];
  for (const [label, content] of invalid) {
    it(`${label} is ERR_SITES_JSON_INVALID naming the file`, async () => {
      const path = write(content);
      const e = await expectCode(() => readSitesJson(root), 'ERR_SITES_JSON_INVALID');
      expect(e.facts.path).to.equal(path);
    });
  }

  it('a sites.json that cannot be read (a folder) is ERR_SITES_JSON_INVALID', async () => {
    mkdirSync(join(root, 'sites', 'sites.json'));
    await expectCode(() => readSitesJson(root), 'ERR_SITES_JSON_INVALID');
  });

  describe('isSiteDirName', () => {
    it('accepts folder names like host names', () => {
      for (const n of ['default', 'example.com', '8080.www.example.com.a.b', 'my-site', 'site_1', 'a', 'x'.repeat(254)]) expect(isSiteDirName(n), n).to.equal(true);
    });
    it('path-traversal: rejects "..", slashes, "all" and other odd names', () => {
      for (const n of ['', '.', '..', 'a..b', '../x', 'a/b', '/abs', 'all', 'All', '.hidden', 'trailing.', '-lead', 'a b', 'a\\b', 'x'.repeat(256)]) {
        expect(isSiteDirName(n), n).to.equal(false);
      }
    });
  });
});
