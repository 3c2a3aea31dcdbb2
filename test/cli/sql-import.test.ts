import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServer } from '../../core/database/connect.js';
import type { Site } from '../../core/site/site.js';
import { checkMysqlDump } from '../../modules/system/commands/sql-import-mysql.js';
import { checkSqliteDump, sqliteStatements } from '../../modules/system/commands/sql-import-sqlite.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../harness/codebase.js';
import { mariadb } from '../harness/mariadb.js';
import { cli, show, type CliRun } from './run-helper.js';

const tricky = ["it's", 'back\\slash', 'new\nline', 'Grüße 🌍', "'); DROP TABLE users; --", 'USE other; CREATE DATABASE x;'];

function errorCode(run: CliRun): unknown {
  const last = run.lines.at(-1) as { type?: string; status?: string; error?: { code?: string } } | undefined;
  expect(last?.status, show(run)).to.equal('error');
  return last?.error?.code;
}

describe('sql-import dump checks', () => {
  it('splits SQLite SQL where SQLite would, keeping a trigger body with its semicolons whole', () => {
    const sql = "CREATE TABLE t (a TEXT);\nINSERT INTO t VALUES('x;y'), (\"q\"\";\");\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO t VALUES('a'); DELETE FROM t WHERE a = 'b'; END;\n-- done;\n";
    const parts = [...sqliteStatements(sql)].map((s) => s.trim()).filter((s) => s !== ';' && !s.startsWith('--'));
    expect(parts).to.have.length(3);
    expect(parts[2]).to.match(/^CREATE TRIGGER[\s\S]*END;$/);
  });

  it('refuses ATTACH, PRAGMA and ROLLBACK in an SQLite dump and skips its own BEGIN/COMMIT', () => {
    expect(checkSqliteDump("ATTACH DATABASE '/tmp/x.sqlite' AS x;").refusal?.problem).to.match(/ATTACH/);
    expect(checkSqliteDump('PRAGMA writable_schema = 1;').refusal).to.not.equal(undefined);
    expect(checkSqliteDump('ROLLBACK;').refusal).to.not.equal(undefined);
    const ok = checkSqliteDump('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t (a);\nCOMMIT;\n');
    expect(ok.refusal).to.equal(undefined);
    expect(ok.statements.map((s) => s.trim())).to.deep.equal(['CREATE TABLE t (a);']);
  });

  it('finds no fault in SQL whose strings only look like forbidden statements', () => {
    const sql = "INSERT INTO `t` VALUES ('USE other; CREATE DATABASE x; \\\\! rm', 'other.t', \"system ls\");\n-- USE other;\n/* DROP DATABASE x; */\n";
    expect(checkMysqlDump(sql, 'own', ['own', 'other'])).to.equal(undefined);
  });

  it('follows DELIMITER changes of routine and trigger dumps', () => {
    const sql = 'DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END */;;\nDELIMITER ;\nINSERT INTO t VALUES (1);\n';
    expect(checkMysqlDump(sql, 'own', ['own'])).to.equal(undefined);
    expect(checkMysqlDump('DELIMITER //\nUSE other//\n', 'own', ['own', 'other'])?.problem).to.match(/USE/);
  });

  for (const [name, sql] of [
    ['CREATE DATABASE', 'CREATE DATABASE evil;'],
    ['CREATE SCHEMA IF NOT EXISTS', 'CREATE SCHEMA IF NOT EXISTS evil;'],
    ['USE', 'USE other;'],
    ['USE in an executable comment', '/*!40000 USE other */;'],
    ['a qualified name', 'INSERT INTO other.t VALUES (1);'],
    ['a quoted qualified name', 'INSERT INTO `Other` . `t` VALUES (1);'],
    ['an ANSI-quoted qualified name', 'INSERT INTO "other"."t" VALUES (1);'],
    ['GRANT', 'GRANT ALL ON *.* TO x;'],
    ['SET GLOBAL', 'SET GLOBAL general_log = 1;'],
    ['@@global', 'SET @@global.general_log = 1;'],
    ['INTO OUTFILE', "SELECT 1 INTO OUTFILE '/tmp/x';"],
    ['a shell escape', 'SELECT 1;\n\\! touch /tmp/x\n'],
    ['the system command', 'system touch /tmp/x\n'],
  ] as const) {
    it(`cross-database-write: refuses ${name} in a MySQL dump`, () => {
      expect(checkMysqlDump(sql, 'own', ['own', 'other', 'information_schema'])).to.not.equal(undefined);
    });
  }
});

for (const driver of DRIVERS) {
  describe(`sql-import on ${driver}`, () => {
    let tc: TestCodebase;
    let site: Site;
    let dump: string;
    const labels = async (): Promise<string[]> => (await site.db('alpha_items').orderBy('id').select('label')).map((r) => r.label as string);
    const tables = async (): Promise<string[]> => (driver === 'sqlite'
      ? (await site.db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r: { name: string }) => r.name)
      : (await site.db.raw('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME'))[0].map((r: { name: string }) => r.name));
    const run = (argv: readonly string[], stdin?: string): Promise<CliRun> => cli(tc.root, ['--backend', '--uri=site.test', 'sql-import', ...argv], stdin === undefined ? {} : { stdin });
    const scramble = async (): Promise<void> => {
      await site.db('alpha_items').where('label', tricky[0]!).delete();
      await site.db('alpha_items').insert({ label: 'added later' });
      await site.db.schema.createTable('extra_table', (t) => { t.integer('n'); });
    };

    before(async () => {
      tc = makeCodebase();
      site = await installTestSite(tc, driver);
      for (const label of tricky) await site.db('alpha_items').insert({ label });
      dump = join(tc.root, 'dump.sql');
      const r = await cli(tc.root, ['--uri=site.test', 'sql-dump', `--result-file=${dump}`]);
      expect(r.code, show(r)).to.equal(0);
    });
    after(async () => {
      await site.close();
      tc.cleanup();
    });
    afterEach(async () => {
      await site.db.schema.dropTableIfExists('extra_table');
    });

    it('replaces the site\'s tables with the dump: the dumped rows come back and later tables are gone', async () => {
      const before = await tables();
      await scramble();
      const r = await run([`--file=${dump}`]);
      expect(r.code, show(r)).to.equal(0);
      expect(await labels()).to.deep.equal(tricky);
      expect(await tables()).to.deep.equal(before);
      expect(await site.db('users').count({ n: '*' })).to.deep.equal([{ n: 1 }]);
    });

    it('reads the dump from standard input with --file=-', async () => {
      await scramble();
      const r = await run(['--file=-'], readFileSync(dump, 'utf8'));
      expect(r.code, show(r)).to.equal(0);
      expect(await labels()).to.deep.equal(tricky);
    });

    it('sql-dump --portable writes JSON lines that sql-import reads back, from a file and from standard input', async () => {
      const portable = join(tc.root, 'dump.jsonl');
      const d = await cli(tc.root, ['--uri=site.test', 'sql-dump', '--portable', `--result-file=${portable}`]);
      expect(d.code, show(d)).to.equal(0);
      expect(JSON.parse(readFileSync(portable, 'utf8').split('\n')[0]!)).to.deep.include({ format: 'aegir-portable-dump', from: driver });
      const before = await tables();
      for (const stdin of [undefined, readFileSync(portable, 'utf8')]) {
        await scramble();
        const r = await run([`--file=${stdin === undefined ? portable : '-'}`], stdin);
        expect(r.code, show(r)).to.equal(0);
        expect(await labels()).to.deep.equal(tricky);
        expect(await tables()).to.deep.equal(before);
      }
      // A portable dump cut short is refused whole: nothing is dropped.
      writeFileSync(portable, readFileSync(portable, 'utf8').split('\n').slice(0, -3).join('\n'));
      await scramble();
      const r = await run([`--file=${portable}`]);
      expect(errorCode(r)).to.equal('ERR_DUMP_INVALID');
      expect(await labels()).to.include('added later');
      expect(await tables()).to.include('extra_table');
    });

    it('refuses a file that does not exist', async () => {
      const r = await run([`--file=${join(tc.root, 'nope.sql')}`]);
      expect(r.code, show(r)).to.equal(2);
      expect(errorCode(r)).to.equal('ERR_CLI_OPTION_VALUE');
    });

    if (driver === 'sqlite') {
      it('a dump that fails half way changes nothing: one transaction', async () => {
        await scramble();
        const was = await labels();
        const bad = join(tc.root, 'bad.sql');
        writeFileSync(bad, `${readFileSync(dump, 'utf8')}\nINSERT INTO no_such_table VALUES (1);\n`);
        const r = await run([`--file=${bad}`]);
        expect(r.code, show(r)).to.equal(1);
        expect(errorCode(r)).to.equal('ERR_DB_QUERY');
        expect(await labels()).to.deep.equal(was);
        expect(await tables()).to.include('extra_table');
      });

      it('a COMMIT inside the dump cannot end the import\'s transaction early', async () => {
        const was = await labels();
        const bad = join(tc.root, 'commit.sql');
        writeFileSync(bad, 'DELETE FROM alpha_items;\nCOMMIT;\nINSERT INTO no_such_table VALUES (1);\n');
        const r = await run([`--file=${bad}`]);
        expect(r.code, show(r)).to.equal(1);
        expect(await labels()).to.deep.equal(was);
      });

      it('cross-database-write: ATTACH of another database file is refused before anything runs', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'aegir-evil-'));
        try {
          const evil = join(dir, 'evil.sqlite');
          const was = await labels();
          const bad = join(tc.root, 'attach.sql');
          writeFileSync(bad, `DELETE FROM alpha_items;\nATTACH DATABASE '${evil}' AS evil;\nCREATE TABLE evil.t (a);\n`);
          const r = await run([`--file=${bad}`]);
          expect(r.code, show(r)).to.equal(2);
          expect(errorCode(r)).to.equal('ERR_CLI_OPTION_VALUE');
          expect(existsSync(evil)).to.equal(false);
          expect(await labels()).to.deep.equal(was);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    } else {
      describe('against another database on the same server', () => {
        let victim: string;
        const victimRows = async (): Promise<number[]> => {
          const s = await openServer({ ...(await mariadb()).admin, database: '' });
          try {
            return (await s.raw(`SELECT a FROM \`${victim}\`.t ORDER BY a`))[0].map((r: { a: number }) => r.a);
          } finally {
            await s.destroy();
          }
        };
        before(async () => {
          const m = await mariadb();
          victim = m.database('victim').database;
          const s = await openServer({ ...m.admin, database: '' });
          try {
            await s.raw(`CREATE DATABASE \`${victim}\``);
            await s.raw(`CREATE TABLE \`${victim}\`.t (a INT)`);
            await s.raw(`INSERT INTO \`${victim}\`.t VALUES (1), (2)`);
          } finally {
            await s.destroy();
          }
        });

        it('cross-database-write: a dump that creates, uses or writes into another database is refused and changes nothing', async () => {
          const m = await mariadb();
          const evil = m.database('evil').database;
          const original = readFileSync(dump, 'utf8');
          const hostile = [
            `CREATE DATABASE ${evil};\nUSE ${evil};\nCREATE TABLE t (a INT);\n`,
            `${original}\nUSE ${victim};\nDROP TABLE t;\n`,
            `${original}\nINSERT INTO ${victim}.t VALUES (666);\n`,
            `${original}\n/*!50000 INSERT INTO \`${victim}\`.\`t\` VALUES (667) */;\n`,
            `SET sql_mode = 'ANSI_QUOTES';\nINSERT INTO "${victim}"."t" VALUES (668);\n`,
          ];
          await scramble();
          const was = await labels();
          for (const [i, sql] of hostile.entries()) {
            const file = join(tc.root, `hostile-${i}.sql`);
            writeFileSync(file, sql);
            const r = await run([`--file=${file}`]);
            expect(r.code, `dump ${i}: ${show(r)}`).to.equal(2);
            expect(errorCode(r)).to.equal('ERR_CLI_OPTION_VALUE');
          }
          expect(await victimRows()).to.deep.equal([1, 2]);
          expect(await m.databases()).to.not.include(evil);
          expect(await labels()).to.deep.equal(was);
          expect(await tables()).to.include('extra_table');
        });

        it('shell-injection: client commands in a dump (\\!, system) are refused and never run', async () => {
          const marker = join(tc.root, 'pwned');
          const was = await labels();
          for (const [i, sql] of [`SELECT 1;\n\\! touch ${marker}\n`, `system touch ${marker}\n`, `SELECT 1;\nsource /etc/passwd\n`].entries()) {
            const file = join(tc.root, `shell-${i}.sql`);
            writeFileSync(file, sql);
            const r = await run([`--file=${file}`]);
            expect(r.code, show(r)).to.equal(2);
            expect(errorCode(r)).to.equal('ERR_CLI_OPTION_VALUE');
          }
          expect(existsSync(marker)).to.equal(false);
          expect(await labels()).to.deep.equal(was);
        });
      });
    }
  });
}
