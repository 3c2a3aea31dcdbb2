import { expect } from 'chai';
import { candidateDirs, isHostName, parseSiteAddress, siteDirFor, type SiteAddress } from '../../../core/settings/uri.js';
import { expectCode } from '../../harness/expect.js';

describe('site addresses (--uri)', () => {
  describe('parseSiteAddress: accepted forms', () => {
    const table: [string, SiteAddress][] = [
      ['example.com', { host: 'example.com', port: undefined, path: [] }],
      ['localhost', { host: 'localhost', port: undefined, path: [] }],
      ['127.0.0.1', { host: '127.0.0.1', port: undefined, path: [] }],
      ['example.com:8080', { host: 'example.com', port: 8080, path: [] }],
      ['http://example.com', { host: 'example.com', port: undefined, path: [] }],
      ['https://example.com', { host: 'example.com', port: undefined, path: [] }],
      ['http://example.com:80', { host: 'example.com', port: undefined, path: [] }],
      ['https://example.com:443', { host: 'example.com', port: undefined, path: [] }],
      ['https://example.com:80', { host: 'example.com', port: 80, path: [] }],
      ['http://example.com:443', { host: 'example.com', port: 443, path: [] }],
      ['https://www.example.com:8443/a/b', { host: 'www.example.com', port: 8443, path: ['a', 'b'] }],
      ['http://example.com/sub', { host: 'example.com', port: undefined, path: ['sub'] }],
      ['example.com/shop/', { host: 'example.com', port: undefined, path: ['shop'] }],
      ['example.com//a///b', { host: 'example.com', port: undefined, path: ['a', 'b'] }],
      ['example.com/my-site_2', { host: 'example.com', port: undefined, path: ['my-site_2'] }],
      ['example.com.', { host: 'example.com', port: undefined, path: [] }],
      ['WWW.Example.COM', { host: 'www.example.com', port: undefined, path: [] }],
      ['HTTPS://Example.COM:443/', { host: 'example.com', port: undefined, path: [] }],
      ['xn--bcher-kva.example', { host: 'xn--bcher-kva.example', port: undefined, path: [] }],
    ];
    for (const [uri, expected] of table) {
      it(`${uri} -> ${JSON.stringify(expected)}`, () => {
        expect(parseSiteAddress(uri)).to.deep.equal(expected);
      });
    }
  });

  describe('parseSiteAddress: rejected as ERR_URI_INVALID', () => {
    const longLabel = 'a'.repeat(64);
    const longHost = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(62)].join('.'); // 254 characters, every label valid
    const table: [string, string][] = [
      ['path-traversal: ../etc', '../etc'],
      ['path-traversal: example.com/../x', 'example.com/../x'],
      ['path-traversal: example.com/a/../../x', 'example.com/a/../../x'],
      ['path-traversal: example.com/./x', 'example.com/./x'],
      ['path-traversal: percent-encoded dots', 'example.com/%2e%2e/x'],
      ['path-traversal: backslash', 'example.com\\..\\x'],
      ['config-injection: semicolon', 'example.com;rm'],
      ['config-injection: newline', 'example.com\nserver_name evil;'],
      ['config-injection: carriage return', 'example.com\r'],
      ['config-injection: tab', 'example.com\t'],
      ['config-injection: NUL', 'example.com\0'],
      ['config-injection: opening brace', 'example.com{'],
      ['config-injection: closing brace', 'example.com}'],
      ['config-injection: double quote', 'example.com"'],
      ['config-injection: single quote', "example.com'"],
      ['config-injection: backtick', 'example.com`id`'],
      ['config-injection: dollar', 'example.com$host'],
      ['config-injection: space', 'example .com'],
      ['config-injection: less-than', 'example.com<script>'],
      ['config-injection: greater-than', 'example.com>x'],
      ['config-injection: pipe', 'example.com|x'],
      ['user-info: user and password', 'user:pw@host.example'],
      ['user-info: user only', 'user@host.example'],
      ['user-info: in a URL', 'https://admin:secret@example.com/'],
      ['query', 'example.com?x=1'],
      ['query in a URL', 'http://example.com/a?b=c'],
      ['hash', 'example.com#top'],
      ['non-http scheme: ftp', 'ftp://example.com'],
      ['non-http scheme: file', 'file:///etc/passwd'],
      ['non-http scheme: javascript', 'javascript://example.com'],
      ['label longer than 63 characters', `${longLabel}.com`],
      ['host longer than 253 characters', longHost],
      ['empty', ''],
      ['longer than 300 characters', `example.com/${'a'.repeat(300)}`],
      ['empty label', 'example..com'],
      ['label starting with a hyphen', '-example.com'],
      ['underscore in the host', 'my_site.example.com'],
      ['IPv6 literal', '[::1]'],
      ['port out of range', 'example.com:99999'],
      ['port not a number', 'example.com:http'],
      ['path segment with a dot', 'example.com/a.b'],
      ['path segment longer than 64 characters', `example.com/${'a'.repeat(65)}`],
    ];
    for (const [label, uri] of table) {
      it(label, async () => {
        const e = await expectCode(() => parseSiteAddress(uri), 'ERR_URI_INVALID');
        expect(String(e.facts.uri).length).to.be.at.most(300);
      });
    }
  });

  describe('isHostName', () => {
    it('accepts RFC 1123 host names and IPv4 addresses, up to 253 characters', () => {
      const max = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
      expect(max).to.have.length(253);
      for (const h of ['a', 'example.com', 'a-b.c0', '10.0.0.1', max, 'x'.repeat(63)]) expect(isHostName(h), h).to.equal(true);
    });
    it('rejects the rest', () => {
      for (const h of ['', 'Example.com', 'a..b', '-a.com', 'a-.com', 'a_b.com', 'x'.repeat(64), `${'a'.repeat(250)}.com`]) expect(isHostName(h), h).to.equal(false);
    });
  });

  describe('candidateDirs (Drupal\'s conf_path order)', () => {
    it('host, port and path: most specific first, each path prefix with every host suffix', () => {
      expect(candidateDirs(parseSiteAddress('https://www.example.com:8080/a/b'))).to.deep.equal([
        '8080.www.example.com.a.b', 'www.example.com.a.b', 'example.com.a.b', 'com.a.b',
        '8080.www.example.com.a', 'www.example.com.a', 'example.com.a', 'com.a',
        '8080.www.example.com', 'www.example.com', 'example.com', 'com',
      ]);
    });

    it('host only', () => {
      expect(candidateDirs(parseSiteAddress('www.example.com'))).to.deep.equal(['www.example.com', 'example.com', 'com']);
      expect(candidateDirs(parseSiteAddress('localhost'))).to.deep.equal(['localhost']);
    });

    it('host and port', () => {
      expect(candidateDirs(parseSiteAddress('example.com:8080'))).to.deep.equal(['8080.example.com', 'example.com', 'com']);
    });

    it('a default port adds no port candidates', () => {
      expect(candidateDirs(parseSiteAddress('https://example.com:443/x'))).to.deep.equal(['example.com.x', 'com.x', 'example.com', 'com']);
    });

    it('siteDirFor is the most specific candidate', () => {
      expect(siteDirFor(parseSiteAddress('https://www.example.com:8080/a/b'))).to.equal('8080.www.example.com.a.b');
      expect(siteDirFor(parseSiteAddress('Example.com.'))).to.equal('example.com');
    });
  });
});
