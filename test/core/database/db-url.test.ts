import { expect } from 'chai';
import { DEFAULT_SQLITE_FILE, describeDatabase, formatDbUrl, isSafeDatabaseName, parseDbUrl, redactUrl, type DatabaseSettings } from '../../../core/database/db-url.js';
import { expectCode } from '../../harness/expect.js';

describe('database URLs', () => {
  describe('parseDbUrl: accepted forms', () => {
    const table: [string, DatabaseSettings][] = [
      ['sqlite:', { driver: 'sqlite', file: DEFAULT_SQLITE_FILE }],
      ['sqlite://', { driver: 'sqlite', file: DEFAULT_SQLITE_FILE }],
      ['sqlite:private/site.sqlite', { driver: 'sqlite', file: 'private/site.sqlite' }],
      ['sqlite:data.db', { driver: 'sqlite', file: 'data.db' }],
      ['sqlite:private/x.sqlite3', { driver: 'sqlite', file: 'private/x.sqlite3' }],
      ['sqlite:/var/lib/aegir/site.sqlite', { driver: 'sqlite', file: '/var/lib/aegir/site.sqlite' }],
      ['sqlite:///var/lib/aegir/site.sqlite', { driver: 'sqlite', file: '/var/lib/aegir/site.sqlite' }],
      ['sqlite:/srv/../var/site.db', { driver: 'sqlite', file: '/srv/../var/site.db' }],
      ['mysql://site:secret@db.example.com:3307/site_db', { driver: 'mysql', host: 'db.example.com', port: 3307, user: 'site', password: 'secret', database: 'site_db', socket: undefined }],
      ['mysql://site@localhost/site_db', { driver: 'mysql', host: 'localhost', port: 3306, user: 'site', password: '', database: 'site_db', socket: undefined }],
      ['mysql://site:@localhost/site_db', { driver: 'mysql', host: 'localhost', port: 3306, user: 'site', password: '', database: 'site_db', socket: undefined }],
      ['mysql://site:p%40ss%2Fw%3Ard%20%23%3F@db/site_db', { driver: 'mysql', host: 'db', port: 3306, user: 'site', password: 'p@ss/w:rd #?', database: 'site_db', socket: undefined }],
      ['mysql://site.user-1:x@10.0.0.5/d', { driver: 'mysql', host: '10.0.0.5', port: 3306, user: 'site.user-1', password: 'x', database: 'd', socket: undefined }],
      ['mysql://u@[::1]:3308/d', { driver: 'mysql', host: '[::1]', port: 3308, user: 'u', password: '', database: 'd', socket: undefined }],
      ['mariadb://u:p@maria.local/shop', { driver: 'mysql', host: 'maria.local', port: 3306, user: 'u', password: 'p', database: 'shop', socket: undefined }],
      ['mysql://u:p@localhost/d?socket=/run/mysqld/mysqld.sock', { driver: 'mysql', host: 'localhost', port: 3306, user: 'u', password: 'p', database: 'd', socket: '/run/mysqld/mysqld.sock' }],
      ['mysql://u@localhost/d?socket=%2Frun%2Fmysqld.sock', { driver: 'mysql', host: 'localhost', port: 3306, user: 'u', password: '', database: 'd', socket: '/run/mysqld.sock' }],
    ];
    for (const [url, expected] of table) {
      it(`${url} -> ${JSON.stringify(expected)}`, () => {
        expect(parseDbUrl(url)).to.deep.equal(expected);
      });
    }
  });

  describe('parseDbUrl: rejected as ERR_DB_URL_INVALID', () => {
    const table: [string, string][] = [
      ['unknown scheme: postgres', 'postgres://u:p@h/db'],
      ['unknown scheme: http', 'http://u@h/db'],
      ['no scheme', 'localhost/db'],
      ['empty', ''],
      ['upper-case scheme', 'MYSQL://u@h/db'],
      ['missing user', 'mysql://h/db'],
      ['missing user, password only', 'mysql://:p@h/db'],
      ['missing host', 'mysql://u@/db'],
      ['missing database', 'mysql://u@h'],
      ['missing database after a slash', 'mysql://u:p@h:3306/'],
      ['sql-injection: database "db;drop"', 'mysql://u@h/db;drop'],
      ['sql-injection: database "db`x"', 'mysql://u@h/db`x'],
      ['sql-injection: database with a quote', "mysql://u@h/db'x"],
      ['sql-injection: percent-encoded semicolon in the database', 'mysql://u@h/db%3Bdrop%20table'],
      ['sql-injection: database with a nested path', 'mysql://u@h/db/other'],
      ['database name longer than 64 characters', `mysql://u@h/${'d'.repeat(65)}`],
      ['user with odd characters', 'mysql://u%24er@h/db'],
      ['host with an underscore', 'mysql://u@db_host/db'],
      ['port out of range', 'mysql://u@h:70000/db'],
      ['port not a number', 'mysql://u@h:abc/db'],
      ['broken percent-encoding in the password', 'mysql://u:%zz@h/db'],
      ['path-traversal: relative sqlite path with ".."', 'sqlite:../x.sqlite'],
      ['path-traversal: relative sqlite path with ".." inside', 'sqlite:private/../../other/site.sqlite'],
      ['path-traversal: sqlite "//" form with a relative ".." path', 'sqlite://../x.db'],
      ['sqlite without a .sqlite or .db extension', 'sqlite:private/site'],
      ['sqlite with another extension', 'sqlite:/etc/passwd'],
      ['sqlite with a .sqlite.bak extension', 'sqlite:site.sqlite.bak'],
      ['unknown query parameter', 'mysql://u@h/db?ssl=true'],
      ['unknown query parameter after socket', 'mysql://u@h/db?socket=/s.sock&init=x'],
      ['socket not absolute', 'mysql://u@h/db?socket=mysqld.sock'],
      ['spaces in a mysql URL', 'mysql://u@h/my db'],
      ['spaces in a sqlite path', 'sqlite:my site.sqlite'],
      ['leading space', ' sqlite:'],
      ['newline', 'mysql://u@h/db\n'],
      ['tab', 'sqlite:a\t.db'],
      ['NUL', 'sqlite:a\0.db'],
    ];
    for (const [label, url] of table) {
      it(label, async () => {
        await expectCode(() => parseDbUrl(url), 'ERR_DB_URL_INVALID');
      });
    }
  });

  describe('redaction: a password never shows in an error', () => {
    const SECRET = 'Tr0ub4dor-and-3';
    const table: [string, string][] = [
      ['bad database name', `mysql://u:${SECRET}@h/db;drop`],
      ['unknown parameter', `mysql://u:${SECRET}@h/db?ssl=1`],
      ['bad host', `mysql://u:${SECRET}@bad_host/db`],
      ['missing database', `mysql://u:${SECRET}@h/`],
      ['spaces elsewhere', `mysql://u:${SECRET}@h/my db`],
      ['a space in the password', `mysql://u:${SECRET} x@h/db;`],
      ['mariadb scheme', `mariadb://u:${SECRET}@h/db;drop`],
      ['relative socket', `mysql://u:${SECRET}@h/db?socket=x`],
      ['bad port', `mysql://u:${SECRET}@h:99999/db`],
      ['a "#" in the password (not a well-formed URL)', `mysql://u:${SECRET}#x@h/db`],
      ['a "/" in the password (not a well-formed URL)', `mysql://u:ab/${SECRET}@h/db`],
      ['an unencoded "@" in the password', `mysql://u:ab@${SECRET}@h/db;drop`],
    ];
    for (const [label, url] of table) {
      it(`secret-leak: ${label}`, async () => {
        const e = await expectCode(() => parseDbUrl(url), 'ERR_DB_URL_INVALID');
        expect(e.message).to.not.contain(SECRET);
        expect(String(e.facts.url)).to.not.contain(SECRET);
        expect(JSON.stringify(e.facts)).to.not.contain(SECRET);
      });
    }
  });

  describe('redactUrl', () => {
    it('replaces the password with asterisks', () => {
      expect(redactUrl('mysql://u:secret@h:3306/db')).to.equal('mysql://u:***@h:3306/db');
      expect(redactUrl('mariadb://user.name:p%40ss@h/db?socket=/s')).to.equal('mariadb://user.name:***@h/db?socket=/s');
    });
    it('leaves URLs without a password alone', () => {
      for (const u of ['mysql://u@h/db', 'sqlite:private/site.sqlite', 'sqlite:///var/x.db', 'mysql://h/db']) expect(redactUrl(u)).to.equal(u);
    });
  });

  describe('describeDatabase', () => {
    it('shows where the database is without the password', () => {
      const db: DatabaseSettings = { driver: 'mysql', host: 'db.example.com', port: 3307, user: 'site', password: 'hunter2', database: 'shop' };
      expect(describeDatabase(db)).to.equal('mysql://site:***@db.example.com:3307/shop');
      expect(describeDatabase(db)).to.not.contain('hunter2');
    });
    it('no password, no asterisks', () => {
      expect(describeDatabase({ driver: 'mysql', host: 'h', port: 3306, user: 'u', password: '', database: 'd' })).to.equal('mysql://u@h:3306/d');
    });
    it('a socket', () => {
      const s = describeDatabase({ driver: 'mysql', host: 'ignored', port: 3306, user: 'u', password: 'hunter2', database: 'd', socket: '/run/mysqld.sock' });
      expect(s).to.equal('mysql://u:***@localhost/d?socket=/run/mysqld.sock');
      expect(s).to.not.contain('hunter2');
    });
    it('sqlite', () => {
      expect(describeDatabase({ driver: 'sqlite', file: 'private/site.sqlite' })).to.equal('sqlite:private/site.sqlite');
    });
    it('a password that looks like part of the URL still never shows', () => {
      for (const password of ['@h:3306/d', 'u', '***x', 'p@ss/w:rd']) {
        const s = describeDatabase({ driver: 'mysql', host: 'db.example.com', port: 3306, user: 'site', password, database: 'shop' });
        expect(s).to.equal('mysql://site:***@db.example.com:3306/shop');
      }
    });
  });

  describe('formatDbUrl round-trips through parseDbUrl', () => {
    const table: DatabaseSettings[] = [
      { driver: 'sqlite', file: DEFAULT_SQLITE_FILE },
      { driver: 'sqlite', file: 'data.db' },
      { driver: 'sqlite', file: '/var/lib/aegir/site.sqlite3' },
      { driver: 'mysql', host: 'db.example.com', port: 3306, user: 'site', password: 'secret', database: 'site_db', socket: undefined },
      { driver: 'mysql', host: 'localhost', port: 3310, user: 'u', password: '', database: 'd', socket: undefined },
      { driver: 'mysql', host: '10.1.2.3', port: 3306, user: 'site.user-1', password: 'p@ss w/rd:#?%&=+', database: 'D_1', socket: undefined },
      { driver: 'mysql', host: '[::1]', port: 3307, user: 'u', password: 'x', database: 'd', socket: undefined },
      { driver: 'mysql', host: 'localhost', port: 3306, user: 'u', password: 'pw', database: 'd', socket: '/run/mysqld/mysqld.sock' },
    ];
    for (const db of table) {
      it(JSON.stringify(db), () => {
        expect(parseDbUrl(formatDbUrl(db))).to.deep.equal(db);
      });
    }
  });

  describe('isSafeDatabaseName', () => {
    it('accepts letters, digits and "_" up to 64 characters only', () => {
      for (const n of ['site', 'Site_1', 'd'.repeat(64)]) expect(isSafeDatabaseName(n), n).to.equal(true);
      for (const n of ['', 'a-b', 'a.b', 'a;b', 'a`b', "a'b", 'a b', 'd'.repeat(65)]) expect(isSafeDatabaseName(n), n).to.equal(false);
    });
  });
});
