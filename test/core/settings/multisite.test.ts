import { expect } from 'chai';
import { resolveSiteDir, type SitesView } from '../../../core/settings/multisite.js';
import { parseSiteAddress } from '../../../core/settings/uri.js';

/** A sites folder in memory: the folders that have settings and the aliases. */
function view(withSettings: string[], aliases: Record<string, string> = {}): SitesView & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    aliases,
    hasSettings: (dir) => {
      asked.push(dir);
      return withSettings.includes(dir);
    },
  };
}

describe('multisite resolution (resolveSiteDir)', () => {
  const table: { label: string; uri: string; folders: string[]; aliases?: Record<string, string>; expected: string }[] = [
    { label: 'the most specific folder wins', uri: 'www.example.com', folders: ['example.com', 'www.example.com', 'com'], expected: 'www.example.com' },
    { label: 'a shorter host suffix when the full host has no folder', uri: 'www.example.com', folders: ['example.com'], expected: 'example.com' },
    { label: 'the top-level domain alone, as Drupal does', uri: 'www.example.com', folders: ['com'], expected: 'com' },
    { label: 'a port-specific folder wins over the plain host', uri: 'example.com:8080', folders: ['example.com', '8080.example.com'], expected: '8080.example.com' },
    { label: 'a port-specific folder of another port is not used', uri: 'example.com:8081', folders: ['example.com', '8080.example.com'], expected: 'example.com' },
    { label: 'a default port ignores port folders', uri: 'https://example.com:443', folders: ['443.example.com', 'example.com'], expected: 'example.com' },
    { label: 'a path folder wins over the host folder', uri: 'example.com/shop', folders: ['example.com', 'example.com.shop'], expected: 'example.com.shop' },
    { label: 'another path falls back to the host folder', uri: 'example.com/blog', folders: ['example.com', 'example.com.shop'], expected: 'example.com' },
    { label: 'the longest path prefix wins', uri: 'example.com/a/b/c', folders: ['example.com.a', 'example.com.a.b', 'example.com'], expected: 'example.com.a.b' },
    { label: 'any host suffix with a longer path wins over the full host with a shorter path', uri: 'www.example.com/a', folders: ['www.example.com', 'example.com.a'], expected: 'example.com.a' },
    { label: 'port and path together', uri: 'http://www.example.com:8080/a', folders: ['8080.www.example.com', '8080.www.example.com.a', 'www.example.com.a'], expected: '8080.www.example.com.a' },
    { label: 'an alias wins over a less specific folder', uri: 'www.example.com', folders: ['example.com', 'shared'], aliases: { 'www.example.com': 'shared' }, expected: 'shared' },
    { label: 'an alias wins over a folder of the same candidate', uri: 'example.com', folders: ['example.com', 'shared'], aliases: { 'example.com': 'shared' }, expected: 'shared' },
    { label: 'a more specific folder wins over a less specific alias', uri: 'www.example.com:8080', folders: ['8080.www.example.com', 'shared'], aliases: { 'www.example.com': 'shared' }, expected: '8080.www.example.com' },
    { label: 'an alias with a port', uri: 'example.com:8080', folders: ['example.com', 'dev'], aliases: { '8080.example.com': 'dev' }, expected: 'dev' },
    { label: 'an alias to a folder without settings is ignored', uri: 'www.example.com', folders: ['example.com'], aliases: { 'www.example.com': 'ghost' }, expected: 'example.com' },
    { label: 'an alias to a folder without settings is ignored, falling back to default', uri: 'www.example.com', folders: [], aliases: { 'www.example.com': 'ghost' }, expected: 'default' },
    { label: 'an alias for another host is not used', uri: 'example.org', folders: ['shared'], aliases: { 'example.com': 'shared' }, expected: 'default' },
    { label: 'nothing matches: default', uri: 'example.com', folders: [], expected: 'default' },
    { label: 'nothing matches even with other sites: default', uri: 'example.com', folders: ['example.org', 'com.example'], expected: 'default' },
    { label: 'prototype keys are not aliases: constructor', uri: 'constructor', folders: [], aliases: {}, expected: 'default' },
    { label: 'prototype keys are not aliases: tostring', uri: 'toString', folders: [], aliases: {}, expected: 'default' },
  ];
  for (const c of table) {
    it(`${c.label}: ${c.uri} -> ${c.expected}`, () => {
      expect(resolveSiteDir(parseSiteAddress(c.uri), view(c.folders, c.aliases))).to.equal(c.expected);
    });
  }

  it('asks about candidates most specific first and stops at the first match', () => {
    const v = view(['example.com']);
    resolveSiteDir(parseSiteAddress('www.example.com:8080'), v);
    expect(v.asked).to.deep.equal(['8080.www.example.com', 'www.example.com', 'example.com']);
  });

  it('is pure: the same address and view give the same answer every time', () => {
    const v = view(['example.com', 'shared'], { 'www.example.com': 'shared' });
    const addr = parseSiteAddress('www.example.com');
    expect([resolveSiteDir(addr, v), resolveSiteDir(addr, v)]).to.deep.equal(['shared', 'shared']);
  });
});
