import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dumpDatabaseToFile } from '../../../core/database/dump.js';
import { runProgram } from '../../../core/util/exec.js';
import { writeOptionFile } from '../../../core/database/mysql-options.js';
import type { Site } from '../../../core/site/site.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { mariadb } from '../../harness/mariadb.js';

const tricky = ["it's", 'back\\slash', 'new\nline', 'Grüße 🌍', "'); DROP TABLE users; --"];

for (const driver of DRIVERS) {
  describe(`sql-dump on ${driver}`, () => {
    let tc: TestCodebase;
    let site: Site;
    before(async () => {
      tc = makeCodebase();
      site = await installTestSite(tc, driver);
      for (const label of tricky) await site.db('alpha_items').insert({ label });
    });
    after(async () => {
      await site.close();
      tc.cleanup();
    });

    it('writes a 0600 dump that restores into an empty database with identical rows', async () => {
      const file = join(tc.root, 'dump.sql');
      await dumpDatabaseToFile(site.db, site.settings.database, file);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const sql = readFileSync(file, 'utf8');
      expect(sql).to.match(/CREATE TABLE/i);
      const expected = (await site.db('alpha_items').orderBy('id').select('label')).map((r) => r.label);
      expect(expected).to.deep.equal(tricky);
      if (driver === 'sqlite') {
        const mem = new Database(':memory:');
        mem.exec(sql);
        expect(mem.prepare('SELECT label FROM alpha_items ORDER BY id').all().map((r) => (r as { label: string }).label)).to.deep.equal(tricky);
        expect(mem.prepare('SELECT count(*) AS n FROM users').get()).to.deep.equal({ n: 1 });
        mem.close();
      } else {
        const target = (await mariadb()).database('restore');
        const opt = writeOptionFile(target);
        try {
          await runProgram('mariadb', [`--defaults-extra-file=${opt.path}`, '-e', `CREATE DATABASE ${target.database}`]);
          await runProgram('mariadb', [`--defaults-extra-file=${opt.path}`, target.database], { input: sql });
          const { stdout } = await runProgram('mariadb', [`--defaults-extra-file=${opt.path}`, '--batch', '--raw', '--skip-column-names', target.database, '-e', 'SELECT HEX(label) FROM alpha_items ORDER BY id']);
          expect(stdout.trim().split('\n').map((h) => Buffer.from(h, 'hex').toString('utf8'))).to.deep.equal(tricky);
          await runProgram('mariadb', [`--defaults-extra-file=${opt.path}`, '-e', `DROP DATABASE ${target.database}`]);
        } finally {
          opt.remove();
        }
      }
    });

    if (driver === 'mysql') {
      it('keeps the password off the command line: the option file is 0600 and removed afterwards', async () => {
        const opt = writeOptionFile((await mariadb()).database());
        expect(statSync(opt.path).mode & 0o777).to.equal(0o600);
        expect(readFileSync(opt.path, 'utf8')).to.match(/^password="/m);
        opt.remove();
        expect(() => statSync(opt.path)).to.throw();
      });
    }
  });
}
