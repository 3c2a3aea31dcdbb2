import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SQLITE_FILE } from '../../../core/database/db-url.js';
import { newHashSalt, parseSettings, readSettings, settingsPath, writeSettings, type Settings } from '../../../core/settings/settings.js';
import { expectCode } from '../../harness/expect.js';

const SALT = 's'.repeat(32);
const PATH = '/sites/example.com/settings.json';

describe('site settings (settings.json)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aegir-settings-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('readSettings', () => {
    it('a missing file is undefined', () => {
      expect(readSettings(dir)).to.equal(undefined);
      expect(readSettings(join(dir, 'no-such-site'))).to.equal(undefined);
    });

    it('reads and validates a file', () => {
      writeFileSync(settingsPath(dir), JSON.stringify({ database: 'sqlite:', hashSalt: SALT, config: { 'system.site_name': 'Mine' } }));
      expect(readSettings(dir)).to.deep.equal({ database: { driver: 'sqlite', file: DEFAULT_SQLITE_FILE }, hashSalt: SALT, config: { 'system.site_name': 'Mine' } });
    });

    it('a file that is not JSON is ERR_SETTINGS_INVALID naming it', async () => {
      writeFileSync(settingsPath(dir), '{ "database": ');
      const e = await expectCode(() => readSettings(dir), 'ERR_SETTINGS_INVALID');
      expect(e.facts.path).to.equal(settingsPath(dir));
    });

    it('an invalid file is ERR_SETTINGS_INVALID naming it', async () => {
      writeFileSync(settingsPath(dir), JSON.stringify({ database: 'sqlite:', hashSalt: 'short' }));
      const e = await expectCode(() => readSettings(dir), 'ERR_SETTINGS_INVALID');
      expect(e.facts.path).to.equal(settingsPath(dir));
    });
  });

  describe('parseSettings: valid settings', () => {
    it('sqlite as a URL', () => {
      const s = parseSettings({ database: 'sqlite:private/db.sqlite', hashSalt: SALT }, PATH);
      expect(s).to.deep.equal({ database: { driver: 'sqlite', file: 'private/db.sqlite' }, hashSalt: SALT, config: {} });
    });

    it('sqlite as an object', () => {
      const s = parseSettings({ database: { driver: 'sqlite', file: '/var/lib/site.db' }, hashSalt: SALT }, PATH);
      expect(s.database).to.deep.equal({ driver: 'sqlite', file: '/var/lib/site.db' });
    });

    it('mysql as a URL', () => {
      const s = parseSettings({ database: 'mysql://site_user:p%40ss@db.example.com:3307/site_db', hashSalt: SALT }, PATH);
      expect(s.database).to.deep.equal({ driver: 'mysql', host: 'db.example.com', port: 3307, user: 'site_user', password: 'p@ss', database: 'site_db', socket: undefined });
    });

    it('mysql as an object, with the default port', () => {
      const s = parseSettings({ database: { driver: 'mysql', host: 'localhost', user: 'site.user', password: 'p@ss w/rd:#?', database: 'site_db' }, hashSalt: SALT }, PATH);
      expect(s.database).to.deep.equal({ driver: 'mysql', host: 'localhost', port: 3306, user: 'site.user', password: 'p@ss w/rd:#?', database: 'site_db', socket: undefined });
    });

    it('mysql as an object with port and socket, and no password', () => {
      const s = parseSettings({ database: { driver: 'mysql', host: 'localhost', port: 3310, user: 'u', database: 'd', socket: '/run/mysqld/mysqld.sock' }, hashSalt: SALT }, PATH);
      expect(s.database).to.deep.equal({ driver: 'mysql', host: 'localhost', port: 3310, user: 'u', password: '', database: 'd', socket: '/run/mysqld/mysqld.sock' });
    });

    it('config overrides with module.name keys', () => {
      const s = parseSettings({ database: 'sqlite:', hashSalt: SALT, config: { 'system.site_name': 'X', 'alpha.deep.key': { a: [1, null] } } }, PATH);
      expect(s.config).to.deep.equal({ 'system.site_name': 'X', 'alpha.deep.key': { a: [1, null] } });
    });

    it('returns frozen settings', () => {
      const s = parseSettings({ database: 'sqlite:', hashSalt: SALT }, PATH);
      expect(Object.isFrozen(s)).to.equal(true);
      expect(Object.isFrozen(s.config)).to.equal(true);
    });

    it('newHashSalt is long enough to pass validation, and differs each time', () => {
      const a = newHashSalt();
      expect(a.length).to.be.at.least(32);
      expect(newHashSalt()).to.not.equal(a);
      expect(parseSettings({ database: 'sqlite:', hashSalt: a }, PATH).hashSalt).to.equal(a);
    });
  });

  describe('parseSettings: every problem is ERR_SETTINGS_INVALID naming the file', () => {
    const mysql = (over: Record<string, unknown>): Record<string, unknown> => ({ driver: 'mysql', host: 'localhost', user: 'u', password: 'p', database: 'site', ...over });
    const cases: [string, unknown][] = [
      ['not an object: array', []],
      ['not an object: null', null],
      ['not an object: string', 'sqlite:'],
      ['unknown key', { database: 'sqlite:', hashSalt: SALT, debug: true }],
      ['missing database', { hashSalt: SALT }],
      ['missing hashSalt', { database: 'sqlite:' }],
      ['short hashSalt (31 characters)', { database: 'sqlite:', hashSalt: 's'.repeat(31) }],
      ['hashSalt not a string', { database: 'sqlite:', hashSalt: 12345678901234567890123456789012345 }],
      ['bad config key: no dot', { database: 'sqlite:', hashSalt: SALT, config: { sitename: 'x' } }],
      ['bad config key: upper case', { database: 'sqlite:', hashSalt: SALT, config: { 'System.name': 'x' } }],
      ['config as an array', { database: 'sqlite:', hashSalt: SALT, config: [['a.b', 1]] }],
      ['config as null', { database: 'sqlite:', hashSalt: SALT, config: null }],
      ['database URL invalid', { database: 'postgres://u@h/db', hashSalt: SALT }],
      ['database a number', { database: 3306, hashSalt: SALT }],
      ['database null', { database: null, hashSalt: SALT }],
      ['bad driver', { database: { driver: 'postgres', host: 'h' }, hashSalt: SALT }],
      ['missing driver', { database: { file: 'x.sqlite' }, hashSalt: SALT }],
      ['sqlite object with an unknown key', { database: { driver: 'sqlite', file: 'x.sqlite', host: 'h' }, hashSalt: SALT }],
      ['sqlite object without a file', { database: { driver: 'sqlite' }, hashSalt: SALT }],
      ['sqlite object with a file that is not .sqlite or .db', { database: { driver: 'sqlite', file: 'private/site.txt' }, hashSalt: SALT }],
      ['path-traversal: sqlite object with ".." in a relative file', { database: { driver: 'sqlite', file: '../../other-site/private/site.sqlite' }, hashSalt: SALT }],
      ['path-traversal: sqlite URL with ".."', { database: 'sqlite:../x.sqlite', hashSalt: SALT }],
      ['mysql object with an unknown key', { database: mysql({ ssl: true }), hashSalt: SALT }],
      ['mysql object without host', { database: mysql({ host: undefined }), hashSalt: SALT }],
      ['mysql object with user not a string', { database: mysql({ user: 1 }), hashSalt: SALT }],
      ['mysql object without database', { database: mysql({ database: undefined }), hashSalt: SALT }],
      ['mysql object with password not a string', { database: mysql({ password: 123 }), hashSalt: SALT }],
      ['bad port: 0', { database: mysql({ port: 0 }), hashSalt: SALT }],
      ['bad port: 65536', { database: mysql({ port: 65536 }), hashSalt: SALT }],
      ['bad port: string', { database: mysql({ port: '3306' }), hashSalt: SALT }],
      ['bad port: fraction', { database: mysql({ port: 3306.5 }), hashSalt: SALT }],
      ['socket not absolute', { database: mysql({ socket: 'mysqld.sock' }), hashSalt: SALT }],
      ['sql-injection: mysql object database name', { database: mysql({ database: 'site;drop database x' }), hashSalt: SALT }],
      ['sql-injection: mysql object database name with a backtick', { database: mysql({ database: 'site`x' }), hashSalt: SALT }],
      ['mysql object host with a space', { database: mysql({ host: 'db host' }), hashSalt: SALT }],
      ['mysql object user with odd characters', { database: mysql({ user: 'u;x' }), hashSalt: SALT }],
      ['config-injection: mysql object host carrying a port and another database', { database: mysql({ host: 'db.example.com:1/other#' }), hashSalt: SALT }],
      ['config-injection: mysql object host carrying a path and a query', { database: mysql({ host: 'localhost/other?socket=/tmp/evil.sock#' }), hashSalt: SALT }],
      ['config-injection: mysql object database with a "#" suffix', { database: mysql({ database: 'site#other' }), hashSalt: SALT }],
      ['config-injection: mysql object database with a query', { database: mysql({ database: 'site?socket=/tmp/evil.sock' }), hashSalt: SALT }],
    ];
    for (const [label, raw] of cases) {
      it(label, async () => {
        const e = await expectCode(() => parseSettings(raw, PATH), 'ERR_SETTINGS_INVALID');
        expect(e.facts.path).to.equal(PATH);
      });
    }

    it('a database password never appears in the error', async () => {
      const e = await expectCode(() => parseSettings({ database: 'mysql://u:hunter2-secret@h/db;drop', hashSalt: SALT }, PATH), 'ERR_SETTINGS_INVALID');
      expect(e.message).to.not.contain('hunter2-secret');
    });
  });

  describe('writeSettings', () => {
    const round = (s: Settings): Settings | undefined => {
      writeSettings(dir, s);
      return readSettings(dir);
    };

    it('writes mode 0640 and round-trips sqlite settings', () => {
      const s: Settings = { database: { driver: 'sqlite', file: 'private/site.sqlite' }, hashSalt: SALT, config: {} };
      expect(round(s)).to.deep.equal(s);
      expect(statSync(settingsPath(dir)).mode & 0o777).to.equal(0o640);
    });

    it('round-trips mysql settings with an awkward password and config', () => {
      const s: Settings = {
        database: { driver: 'mysql', host: 'db.example.com', port: 3307, user: 'site.user', password: 'p@ss w/rd:#?%', database: 'site_db', socket: undefined },
        hashSalt: newHashSalt(),
        config: { 'system.site_name': 'Shop "one"', 'alpha.list': [1, 2, { x: null }] },
      };
      expect(round(s)).to.deep.equal(s);
      expect(statSync(settingsPath(dir)).mode & 0o777).to.equal(0o640);
    });

    it('round-trips mysql settings with a socket', () => {
      const s: Settings = { database: { driver: 'mysql', host: 'localhost', port: 3306, user: 'u', password: '', database: 'd', socket: '/run/mysqld/mysqld.sock' }, hashSalt: SALT, config: {} };
      expect(round(s)).to.deep.equal(s);
    });

    it('replaces an existing, more open file and makes it 0640', () => {
      writeFileSync(settingsPath(dir), '{}', { mode: 0o666 });
      const s: Settings = { database: { driver: 'sqlite', file: 'x.db' }, hashSalt: SALT, config: {} };
      expect(round(s)).to.deep.equal(s);
      expect(statSync(settingsPath(dir)).mode & 0o777).to.equal(0o640);
    });

    it('writes no config section when there are no overrides, and a readable JSON file', () => {
      writeSettings(dir, { database: { driver: 'sqlite', file: 'x.db' }, hashSalt: SALT, config: {} });
      const raw = JSON.parse(readFileSync(settingsPath(dir), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(raw).sort()).to.deep.equal(['database', 'hashSalt']);
      expect(raw.database).to.deep.equal({ driver: 'sqlite', file: 'x.db' });
    });
  });
});
