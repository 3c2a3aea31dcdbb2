import { expect } from 'chai';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../core/database/connect.js';
import type { DatabaseSettings } from '../../../core/database/db-url.js';
import { installSite } from '../../../core/site/install.js';
import { bootSite } from '../../../core/site/site.js';
import { verifyPassword } from '../../../modules/user/password.js';
import { databaseFor, DRIVERS, installTestSite, makeCodebase, type Driver, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { mariadb } from '../../harness/mariadb.js';

const input = (profile: string) => ({
  profile,
  siteName: 'Install test',
  siteMail: 'site@install.test',
  account: { name: 'root admin', mail: 'admin@install.test', pass: 'a long enough secret' },
});

/** Whether the database of a site still exists (SQLite file, or MySQL schema). */
async function databaseExists(tc: TestCodebase, db: DatabaseSettings, siteDir: string): Promise<boolean> {
  if (db.driver === 'sqlite') return existsSync(join(tc.codebase.sitePath(siteDir), db.file));
  return (await (await mariadb()).databases()).includes(db.database);
}

for (const driver of DRIVERS) {
  describe(`site-install on ${driver}`, () => {
    let tc: TestCodebase;
    beforeEach(() => { tc = makeCodebase(); });
    afterEach(() => tc.cleanup());

    it('creates folder, private files, settings (0640), database, modules and the admin account', async () => {
      const database = await databaseFor(driver);
      const site = await installSite({ codebase: tc.codebase, siteDir: 'new.test', database, logger: tc.logger, input: input('minimal') });
      try {
        const dir = tc.codebase.sitePath('new.test');
        expect(statSync(join(dir, 'settings.json')).mode & 0o777).to.equal(0o640);
        expect(statSync(join(dir, 'private')).mode & 0o777).to.equal(0o700);
        expect(existsSync(join(dir, 'files'))).to.equal(true);
        expect(site.kernel.names).to.deep.equal(['system', 'nunjucks', 'user', 'node', 'minimal']);
        const admin = await site.db('users').where({ uid: 1 }).first();
        expect(admin.name).to.equal('root admin');
        expect(admin.pass).to.match(/^scrypt\$/);
        expect(await verifyPassword('a long enough secret', admin.pass)).to.equal(true);
        expect(await verifyPassword('wrong', admin.pass)).to.equal(false);
        expect(await site.config.get('system.site_name')).to.equal('Install test');
        // The progress of every step was logged.
        expect(tc.logs.some((l) => l.message.includes('Create the admin account'))).to.equal(true);
        // No password anywhere in the log.
        expect(tc.logs.some((l) => l.message.includes('a long enough secret'))).to.equal(false);
      } finally {
        await site.close();
      }
    });

    it('refuses to install over an installed site without force, and leaves it working', async () => {
      const site = await installTestSite(tc, driver);
      await site.db('alpha_items').insert({ label: 'precious' });
      const settings = readFileSync(join(tc.codebase.sitePath('site.test'), 'settings.json'), 'utf8');
      await site.close();
      await expectCode(installSite({ codebase: tc.codebase, siteDir: 'site.test', database: site.settings.database, logger: tc.logger, input: input('minimal') }), 'ERR_SITE_EXISTS');
      expect(readFileSync(join(tc.codebase.sitePath('site.test'), 'settings.json'), 'utf8')).to.equal(settings);
      const again = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        expect((await again.db('alpha_items').select('label')).map((r) => r.label)).to.deep.equal(['precious']);
      } finally {
        await again.close();
      }
    });

    it('replaces an installed site with force', async () => {
      const site = await installTestSite(tc, driver);
      await site.close();
      const fresh = await installSite({ codebase: tc.codebase, siteDir: 'site.test', database: site.settings.database, force: true, logger: tc.logger, input: input('minimal') });
      try {
        expect(fresh.kernel.names).to.deep.equal(['system', 'nunjucks', 'user', 'node', 'minimal']);
        expect(await fresh.db.schema.hasTable('alpha_items')).to.equal(false);
      } finally {
        await fresh.close();
      }
      if (driver === 'mysql') {
        const tables = await (await mariadb()).tables((site.settings.database as { database: string }).database);
        expect(tables.filter((t) => t.startsWith('zz')), 'replaced tables are dropped after success').to.deep.equal([]);
      } else {
        const files = (await import('node:fs')).readdirSync(join(tc.codebase.sitePath('site.test'), 'private'));
        expect(files.filter((f) => f.includes('replaced'))).to.deep.equal([]);
      }
    });

    it('leaves nothing behind when the last install step fails: no folder, settings, database or tables', async () => {
      const database = await databaseFor(driver);
      const err = await expectCode(installSite({ codebase: tc.codebase, siteDir: 'fail.test', database, logger: tc.logger, input: input('failing') }), 'ERR_INSTALL_FAILED');
      expect(err.facts.step).to.equal('Fail on purpose');
      expect(existsSync(tc.codebase.sitePath('fail.test'))).to.equal(false);
      expect(await databaseExists(tc, database, 'fail.test')).to.equal(false);
      expect(tc.logs.some((l) => l.message.startsWith('Undone:'))).to.equal(true);
    });

    it('puts a replaced site back when a forced install fails', async () => {
      const site = await installTestSite(tc, driver);
      await site.db('alpha_items').insert({ label: 'survivor' });
      await site.close();
      await expectCode(installSite({ codebase: tc.codebase, siteDir: 'site.test', database: site.settings.database, force: true, logger: tc.logger, input: input('failing') }), 'ERR_INSTALL_FAILED');
      const back = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        expect(back.kernel.names).to.deep.equal(['system', 'nunjucks', 'user', 'alpha', 'node', 'testing']);
        expect((await back.db('alpha_items').select('label')).map((r) => r.label)).to.deep.equal(['survivor']);
      } finally {
        await back.close();
      }
    });

    it('checks profile, dependencies and module entries before creating anything', async () => {
      const database = await databaseFor(driver);
      await expectCode(installSite({ codebase: tc.codebase, siteDir: 'x.test', database, logger: tc.logger, input: input('nope') }), 'ERR_PROFILE_UNKNOWN');
      // A module (not a profile) given as profile.
      await expectCode(installSite({ codebase: tc.codebase, siteDir: 'x.test', database, logger: tc.logger, input: input('alpha') }), 'ERR_PROFILE_UNKNOWN');
      await expectCode(installSite({ codebase: tc.codebase, siteDir: '../escape', database, logger: tc.logger, input: input('minimal') }), 'ERR_URI_INVALID');
      expect(existsSync(tc.codebase.sitePath('x.test'))).to.equal(false);
      expect(await databaseExists(tc, database, 'x.test')).to.equal(false);
    });
  });
}

describe('site-install database errors', () => {
  let tc: TestCodebase;
  beforeEach(() => { tc = makeCodebase(); });
  afterEach(() => tc.cleanup());

  it('reports an unreachable MySQL server before creating anything', async () => {
    const database: DatabaseSettings = { driver: 'mysql', host: '127.0.0.1', port: 1, user: 'nobody', password: 'pw-never-shown', database: 'nowhere' };
    const err = await expectCode(installSite({ codebase: tc.codebase, siteDir: 'down.test', database, logger: tc.logger, input: input('minimal') }), 'ERR_DB_UNREACHABLE');
    expect(err.message).to.not.contain('pw-never-shown');
    expect(existsSync(tc.codebase.sitePath('down.test'))).to.equal(false);
  });

  it('reports wrong MySQL credentials as unreachable, naming the server but not the password', async () => {
    const db = (await mariadb()).database();
    const err = await expectCode(installSite({ codebase: tc.codebase, siteDir: 'auth.test', database: { ...db, password: 'definitely-wrong' }, logger: tc.logger, input: input('minimal') }), 'ERR_DB_UNREACHABLE');
    expect(err.message).to.contain(`${db.host}:${db.port}`);
    expect(err.message).to.not.contain('definitely-wrong');
  });

  it('opening a missing SQLite file without create fails instead of creating it', async () => {
    const dir = tc.codebase.sitePath('nofile.test');
    await expectCode(openDatabase({ driver: 'sqlite', file: 'private/none.sqlite' }, dir), 'ERR_DB_UNREACHABLE');
    expect(existsSync(join(dir, 'private', 'none.sqlite'))).to.equal(false);
  });
});

/** Exported so the driver list stays typed here. */
export type { Driver };
