import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { bootSite } from '../../core/site/site.js';
import { DRIVERS, makeCodebase, type Driver, type TestCodebase } from '../harness/codebase.js';
import { mariadb } from '../harness/mariadb.js';
import { cli, json, show, type CliRun } from './run-helper.js';

const ACCOUNT_PASS = 'Correct-Horse-Battery-7';

/** The error code of a failed --backend run (its last line). */
function errorCode(run: CliRun): unknown {
  const last = run.lines.at(-1) as { type?: string; status?: string; error?: { code?: string } } | undefined;
  expect(last?.type, show(run)).to.equal('result');
  expect(last?.status, show(run)).to.equal('error');
  return last?.error?.code;
}

/** The output of a successful --backend run. */
function output<T>(run: CliRun): T {
  expect(run.code, show(run)).to.equal(0);
  const last = run.lines.at(-1) as { status?: string; output?: unknown };
  expect(last.status, show(run)).to.equal('success');
  return last.output as T;
}

interface PmRow { name: string; type: string; status: string; version: string; origin: string }

for (const driver of DRIVERS) {
  describe(`command line site flow on ${driver}`, () => {
    let tc: TestCodebase;
    let secrets: string;
    let accountPassFile: string;
    /** Every password a test gave the command line, to look for in its output. */
    let passwords: string[];

    /** --db-url (and --db-pass-file) for a new site database on this driver; MySQL's password never on argv. */
    async function dbArgs(d: Driver, opts: { passwordInUrl?: boolean } = {}): Promise<string[]> {
      if (d === 'sqlite') return [];
      const s = (await mariadb()).database();
      passwords.push(s.password);
      const user = encodeURIComponent(s.user);
      if (opts.passwordInUrl) return [`--db-url=mysql://${user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${s.database}`];
      const file = join(secrets, `db-pass-${s.database}`);
      writeFileSync(file, `${s.password}\n`, { mode: 0o600 });
      return [`--db-url=mysql://${user}@${s.host}:${s.port}/${s.database}`, `--db-pass-file=${file}`];
    }

    async function install(uri: string, extra: string[] = []): Promise<CliRun> {
      return cli(tc.root, ['site-install', 'testing', `--uri=${uri}`, `--account-pass-file=${accountPassFile}`, ...(await dbArgs(driver)), ...extra]);
    }

    /** Run a command against site.test. */
    const on = (...argv: string[]): Promise<CliRun> => cli(tc.root, ['--uri=site.test', ...argv]);

    function expectNoPasswords(run: CliRun): void {
      for (const p of passwords) {
        expect(run.stdout, 'a password reached stdout').to.not.include(p);
        expect(run.stderr, 'a password reached stderr').to.not.include(p);
      }
    }

    beforeEach(async () => {
      tc = makeCodebase();
      secrets = mkdtempSync(join(tmpdir(), 'aegir-secrets-'));
      accountPassFile = join(secrets, 'account-pass');
      writeFileSync(accountPassFile, `${ACCOUNT_PASS}\n`, { mode: 0o600 });
      passwords = [ACCOUNT_PASS];
      const r = await install('site.test');
      expect(r.code, show(r)).to.equal(0);
      expectNoPasswords(r);
    });
    afterEach(() => {
      tc.cleanup();
      rmSync(secrets, { recursive: true, force: true });
    });

    it('site-install installs the site; status then says installed with profile testing', async () => {
      expect(tc.codebase.hasSettings('site.test')).to.equal(true);
      const j = await on('status', '--format=json');
      expect(j.code, show(j)).to.equal(0);
      expect(json(j)).to.deep.include({ installed: true, profile: 'testing', site: 'sites/site.test', uri: 'site.test', databaseStatus: 'connected', siteName: 'site.test', modulesEnabled: 6 });
      expect(json<{ database: string }>(j).database).to.match(driver === 'sqlite' ? /^sqlite:/ : /^mysql:\/\//);
      const h = await on('status');
      expect(h.code, show(h)).to.equal(0);
      expect(h.stdout).to.match(/Install profile\s+: testing/);
      const alias = await cli(tc.root, ['@site.test', 'st', '--format=json']);
      expect(json(alias)).to.deep.include({ installed: true, profile: 'testing' });
    });

    it('secrets-in-logs: the admin and database passwords never reach stdout or stderr, even with --debug', async () => {
      expect(passwords.length).to.equal(driver === 'mysql' ? 2 : 1);
      const human = await install('two.test', ['-d']);
      expect(human.code, show(human)).to.equal(0);
      expect(human.stderr).to.not.equal('');
      expectNoPasswords(human);
      const backend = await install('three.test', ['--backend', '-d']);
      expect(output<{ passwordGenerated: boolean }>(backend).passwordGenerated).to.equal(false);
      expectNoPasswords(backend);
    });

    it('secrets-in-logs: an admin password given on the command line works, warns, and is not echoed', async () => {
      const pass = 'On-The-Command-Line-9';
      passwords.push(pass);
      const r = await cli(tc.root, ['--backend', 'site-install', 'testing', '--uri=two.test', `--account-pass=${pass}`, ...(await dbArgs(driver))]);
      expect(output<{ passwordGenerated: boolean }>(r).passwordGenerated).to.equal(false);
      const warnings = r.lines.filter((l) => l.type === 'log' && l.level === 'warning');
      expect(warnings.map((w) => w.message).join('\n')).to.include('--account-pass');
      expectNoPasswords(r);
    });

    it('site-install without a password generates one and prints it once, on stdout only', async () => {
      const r = await cli(tc.root, ['site-install', 'testing', '--uri=two.test', ...(await dbArgs(driver))]);
      expect(r.code, show(r)).to.equal(0);
      const m = /^Admin password \(shown once\): (\S+)$/m.exec(r.stdout);
      expect(m, show(r)).to.not.equal(null);
      expect(m![1]!.length).to.be.at.least(8);
      expect(r.stderr).to.not.include(m![1]!);
    });

    it('site-install again without --force exits 1 with ERR_SITE_EXISTS and the site still works', async () => {
      expect((await on('config-set', 'alpha.keep', 'me')).code).to.equal(0);
      const again = await cli(tc.root, ['--backend', '--uri=site.test', 'site-install', 'testing', `--account-pass-file=${accountPassFile}`, ...(driver === 'mysql' ? await sameDatabaseArgs() : [])]);
      expect(again.code, show(again)).to.equal(1);
      expect(errorCode(again)).to.equal('ERR_SITE_EXISTS');
      const get = await on('config-get', 'alpha.keep', '--format=json');
      expect(get.code, show(get)).to.equal(0);
      expect(json(get)).to.equal('me');
      expect(json(await on('status', '--format=json'))).to.deep.include({ installed: true, profile: 'testing' });
    });

    it('site-install over an installed site with another database still needs --force', async () => {
      expect((await on('config-set', 'alpha.keep', 'me')).code).to.equal(0);
      const other = driver === 'sqlite' ? ['--db-url=sqlite:other.sqlite'] : await dbArgs('mysql');
      const again = await cli(tc.root, ['--backend', '--uri=site.test', 'site-install', 'testing', `--account-pass-file=${accountPassFile}`, ...other]);
      expect(again.code, show(again)).to.equal(1);
      expect(errorCode(again)).to.equal('ERR_SITE_EXISTS');
      const get = await on('config-get', 'alpha.keep', '--format=json');
      expect(get.code, show(get)).to.equal(0);
      expect(json(get)).to.equal('me');
    });

    it('site-install --force replaces the installed site', async () => {
      expect((await on('config-set', 'alpha.keep', 'me')).code).to.equal(0);
      const again = await cli(tc.root, ['--uri=site.test', 'site-install', 'testing', '--force', `--account-pass-file=${accountPassFile}`, ...(driver === 'mysql' ? await sameDatabaseArgs() : [])]);
      expect(again.code, show(again)).to.equal(0);
      const get = await cli(tc.root, ['--backend', '--uri=site.test', 'config-get', 'alpha.keep']);
      expect(get.code).to.not.equal(0);
      expect(errorCode(get)).to.equal('ERR_CLI_ARGUMENT_INVALID');
    });

    /** --db-url and --db-pass-file of site.test's own database, from its settings. */
    async function sameDatabaseArgs(): Promise<string[]> {
      const site = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        const d = site.settings.database;
        if (d.driver !== 'mysql') throw new Error('not mysql');
        const file = join(secrets, 'same-db-pass');
        writeFileSync(file, d.password, { mode: 0o600 });
        return [`--db-url=mysql://${encodeURIComponent(d.user)}@${d.host}:${d.port}/${d.database}`, `--db-pass-file=${file}`];
      } finally {
        await site.close();
      }
    }

    it('pm-list --format=json gives status, version and origin; shadowed comes from the site folder', async () => {
      const r = await on('pm-list', '--format=json');
      expect(r.code, show(r)).to.equal(0);
      const rows = new Map(json<PmRow[]>(r).map((row) => [row.name, row]));
      for (const m of ['system', 'nunjucks', 'user', 'alpha', 'node', 'testing']) expect(rows.get(m)?.status, m).to.equal('enabled');
      for (const m of ['beta', 'gamma', 'delta', 'minimal', 'standard']) expect(rows.get(m)?.status, m).to.equal('not-installed');
      expect(rows.get('shadowed')).to.include({ origin: 'site', version: '4.0.0', status: 'not-installed' });
      expect(rows.get('profile_only')).to.include({ origin: 'profile' });
      expect(rows.get('alpha')).to.include({ origin: 'core', version: '1.2.0', type: 'module' });
      expect(rows.get('testing')).to.include({ type: 'profile' });
      const profiles = await on('pm-list', '--type=profile', '--format=json');
      expect(json<PmRow[]>(profiles).map((p) => p.name).sort()).to.deep.equal(['failing', 'hostmaster', 'minimal', 'standard', 'testing']);
      const human = await on('pml');
      expect(human.stdout).to.match(/^Fixtures\s+shadowed\s+module\s+not-installed\s+4\.0\.0\s+manifest\s+site$/m);
    });

    it('pm-list of another site takes shadowed from sites/all', async () => {
      const r = await install('other.test');
      expect(r.code, show(r)).to.equal(0);
      const rows = json<PmRow[]>(await cli(tc.root, ['--uri=other.test', 'pm-list', '--format=json']));
      expect(rows.find((row) => row.name === 'shadowed')).to.include({ origin: 'sites/all', version: '3.0.0' });
    });

    it('pm-list rejects a status it does not know with exit 2', async () => {
      const r = await on('--backend', 'pm-list', '--status=broken');
      expect(r.code).to.equal(2);
      expect(errorCode(r)).to.equal('ERR_CLI_OPTION_VALUE');
    });

    it('pm-enable, pm-disable and pm-uninstall change what pm-list reports', async () => {
      const en = await on('--backend', 'pm-enable', 'delta');
      expect(output(en)).to.deep.equal({ installed: ['gamma', 'beta', 'delta'], enabled: [] });
      const enabled = json<PmRow[]>(await on('pm-list', '--status=enabled', '--format=json')).map((r) => r.name);
      expect(enabled).to.include.members(['alpha', 'beta', 'gamma', 'delta', 'system', 'user', 'testing']);
      expect(enabled).to.not.include('updater');
      expect(json(await on('status', '--format=json'))).to.deep.include({ modulesEnabled: 9 });

      const again = await on('pm-enable', 'delta');
      expect(again.code, show(again)).to.equal(0);
      expect(again.stderr).to.include('[notice]');

      const dis = await on('--backend', 'pm-disable', 'delta');
      expect(output(dis)).to.deep.equal({ disabled: ['delta'] });
      expect(json<PmRow[]>(await on('pm-list', '--status=disabled', '--format=json')).map((r) => r.name)).to.deep.equal(['delta']);

      const un = await on('--backend', 'pmu', 'delta');
      expect(output(un)).to.deep.equal({ uninstalled: ['delta'] });
      const rows = json<PmRow[]>(await on('pm-list', '--format=json'));
      expect(rows.find((r) => r.name === 'delta')?.status).to.equal('not-installed');
      expect(rows.find((r) => r.name === 'beta')?.status).to.equal('enabled');
    });

    it('pm-enable, pm-disable and pm-uninstall report module errors by code with exit 1', async () => {
      const unknown = await on('--backend', 'pm-enable', 'no_such_module');
      expect(unknown.code).to.equal(1);
      expect(errorCode(unknown)).to.equal('ERR_MODULE_UNKNOWN');
      const required = await on('--backend', 'pm-disable', 'system');
      expect(required.code).to.equal(1);
      expect(errorCode(required)).to.equal('ERR_MODULE_REQUIRED');
      const none = await on('--backend', 'pm-enable');
      expect(none.code).to.equal(2);
      expect(errorCode(none)).to.equal('ERR_CLI_ARGUMENT_MISSING');
    });

    it('a module that declares a command another module has makes the site\'s commands exit 1 with ERR_COMMAND_DUPLICATE naming both', async () => {
      expect((await on('pm-enable', 'command_clash')).code).to.equal(0);
      const r = await on('--backend', 'status');
      expect(r.code, show(r)).to.equal(1);
      expect(errorCode(r)).to.equal('ERR_COMMAND_DUPLICATE');
      const last = r.lines.at(-1) as { error?: { message?: string } };
      expect(last.error?.message).to.include('"status"').and.include('system').and.include('command_clash');
    });

    it('config-set, config-get, config-list and config-delete', async () => {
      const set = await on('config-set', 'system.site_name', 'My site');
      expect(set.code, show(set)).to.equal(0);
      expect(set.stderr).to.include('[success]');
      const get = await on('config-get', 'system.site_name');
      expect(get.stdout).to.equal('My site\n');
      expect(json(await on('cget', 'system.site_name', '--format=json'))).to.equal('My site');

      const list = json<{ key: string; value: unknown; overridden: boolean }[]>(await on('config-list', 'system.', '--format=json'));
      expect(list.find((r) => r.key === 'system.site_name')).to.deep.equal({ key: 'system.site_name', value: 'My site', overridden: false });
      expect(list.every((r) => r.key.startsWith('system.'))).to.equal(true);
      const all = json<{ key: string }[]>(await on('config-list', '--format=json')).map((r) => r.key);
      expect(all).to.include.members(['alpha.installed', 'system.site_name', 'testing.step_ran']);

      const del = await on('--backend', 'config-delete', 'system.site_name');
      expect(output(del)).to.deep.equal({ key: 'system.site_name', removed: true });
      const del2 = await on('--backend', 'config-delete', 'system.site_name');
      expect(output(del2)).to.deep.equal({ key: 'system.site_name', removed: false });
      const gone = await on('--backend', 'config-get', 'system.site_name');
      expect(gone.code).to.not.equal(0);
      expect(errorCode(gone)).to.equal('ERR_CLI_ARGUMENT_INVALID');
    });

    it('config-set --input-format=json stores JSON; invalid JSON exits 1 with ERR_CONFIG_VALUE_INVALID', async () => {
      const set = await on('config-set', 'alpha.limits', '{"max": 3, "names": ["a", "b"]}', '--input-format=json');
      expect(set.code, show(set)).to.equal(0);
      expect(json(await on('config-get', 'alpha.limits', '--format=json'))).to.deep.equal({ max: 3, names: ['a', 'b'] });
      expect((await on('config-set', 'alpha.count', '42', '--input-format', 'json')).code).to.equal(0);
      expect(json(await on('config-get', 'alpha.count', '--format=json'))).to.equal(42);
      // Without --input-format=json the same text is a string.
      expect((await on('config-set', 'alpha.text', '42')).code).to.equal(0);
      expect(json(await on('config-get', 'alpha.text', '--format=json'))).to.equal('42');

      const bad = await on('--backend', 'config-set', 'alpha.count', '{not json', '--input-format=json');
      expect(bad.code).to.equal(1);
      expect(errorCode(bad)).to.equal('ERR_CONFIG_VALUE_INVALID');
      expect(json(await on('config-get', 'alpha.count', '--format=json'))).to.equal(42);
      const format = await on('--backend', 'config-set', 'alpha.count', '1', '--input-format=yaml');
      expect(format.code).to.equal(2);
      expect(errorCode(format)).to.equal('ERR_CLI_OPTION_VALUE');
    });

    it('config commands reject an invalid key with exit 1 and ERR_CONFIG_KEY_INVALID', async () => {
      for (const argv of [['config-set', 'Bad Key', 'x'], ['config-set', 'nodot', 'x'], ['config-get', 'UPPER.case'], ['config-delete', 'a..b']]) {
        const r = await on('--backend', ...argv);
        expect(r.code, show(r)).to.equal(1);
        expect(errorCode(r)).to.equal('ERR_CONFIG_KEY_INVALID');
      }
    });

    it('config-injection: a value with a line break is refused before it reaches the site', async () => {
      const r = await on('--backend', 'config-set', 'alpha.name', 'ok\n[config]\nsystem.admin = 1');
      expect(r.code).to.equal(2);
      expect(errorCode(r)).to.equal('ERR_CLI_ARGUMENT_INVALID');
      const get = await on('--backend', 'config-get', 'alpha.name');
      expect(errorCode(get)).to.equal('ERR_CLI_ARGUMENT_INVALID');
    });

    it('cache-clear empties the cache', async () => {
      const site = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        await site.cache.set('alpha:one', { a: 1 });
        await site.cache.set('alpha:two', 2);
      } finally {
        await site.close();
      }
      const r = await on('--backend', 'cache-clear');
      expect(output<{ removed: number }>(r).removed).to.be.at.least(2);
      const again = await on('--backend', 'cc');
      expect(output(again)).to.deep.equal({ removed: 0 });
      const check = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        expect(await check.cache.get('alpha:one')).to.equal(undefined);
      } finally {
        await check.close();
      }
    });

    it('cron runs the cron hook of the modules (alpha records it) and the last run time', async () => {
      expect((await on('--backend', 'config-get', 'alpha.cron_ran')).code).to.not.equal(0);
      const r = await on('--backend', 'cron');
      expect(output<{ modules: string[] }>(r).modules).to.include('alpha');
      expect(json(await on('config-get', 'alpha.cron_ran', '--format=json'))).to.equal(true);
      expect(json(await on('config-get', 'system.cron_last', '--format=json'))).to.be.a('number');
    });

    it('updatedb-status lists pending updates and updatedb runs them in order', async () => {
      expect((await on('pm-enable', 'updater')).code).to.equal(0);
      expect(json(await on('updatedb-status', '--format=json'))).to.deep.equal([]);
      const none = await on('updatedb-status');
      expect(none.stdout).to.equal('No pending updates.\n');
      expect(json(await on('updatedb', '--format=json'))).to.deep.equal([]);

      const site = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        await site.modulesState.setSchemaVersion('updater', 1, '0.9.0');
      } finally {
        await site.close();
      }
      const pending = json<{ module: string; number: number }[]>(await on('updbst', '--format=json'));
      expect(pending.map((u) => [u.module, u.number])).to.deep.equal([['updater', 2], ['updater', 3]]);
      const run = await on('updatedb');
      expect(run.code, show(run)).to.equal(0);
      expect(run.stderr).to.match(/\[1\/2\] updater #2/);
      expect(run.stderr).to.match(/\[2\/2\] updater #3/);
      expect(json(await on('updatedb-status', '--format=json'))).to.deep.equal([]);
      const check = await bootSite(tc.codebase, 'site.test', tc.logger);
      try {
        expect((await check.db('updater_log').orderBy('id').select('step')).map((r: { step: string }) => r.step)).to.deep.equal(['two', 'three']);
      } finally {
        await check.close();
      }
    });

    it('sql-dump --result-file writes a 0600 dump with the schema and the admin account', async () => {
      const file = join(secrets, 'dump.sql');
      const r = await on('--backend', 'sql-dump', `--result-file=${file}`);
      const out = output<{ file: string; bytes: number }>(r);
      expect(out.file).to.equal(file);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(out.bytes).to.equal(statSync(file).size);
      const sql = readFileSync(file, 'utf8');
      expect(sql).to.match(/CREATE TABLE [`"]users[`"]/);
      expect(sql).to.match(/CREATE TABLE [`"]alpha_items[`"]/);
      expect(sql).to.match(/INSERT INTO [`"]users[`"] VALUES\s*\(1,'admin','admin@site\.test'/);
      expect(sql).to.not.include(ACCOUNT_PASS);
      if (driver === 'sqlite') {
        const site = new Database(join(tc.root, 'sites', 'site.test', 'private', 'site.sqlite'), { readonly: true, fileMustExist: true });
        const copy = new Database(':memory:');
        try {
          copy.exec(sql);
          const tables = (site.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
          const copied = (copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
          expect(copied).to.deep.equal(tables);
          expect(tables).to.include.members(['users', 'core_config', 'core_modules', 'alpha_items']);
          for (const t of tables) {
            const count = (db: Database.Database): number => (db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n;
            expect(count(copy), t).to.equal(count(site));
          }
          expect((copy.prepare('SELECT name FROM users WHERE uid = 1').get() as { name: string }).name).to.equal('admin');
        } finally {
          site.close();
          copy.close();
        }
      }
    });

    it('sql-dump without --result-file prints the dump on stdout', async () => {
      const r = await on('sql-dump');
      expect(r.code, show(r)).to.equal(0);
      expect(r.stdout).to.match(/CREATE TABLE [`"]core_config[`"]/);
      expect(r.stdout).to.match(/INSERT INTO [`"]users[`"]/);
    });

    it('sql-dump into a folder that does not exist exits 2 with ERR_CLI_OPTION_VALUE', async () => {
      const r = await on('--backend', 'sql-dump', `--result-file=${join(secrets, 'missing', 'dump.sql')}`);
      expect(r.code).to.equal(2);
      expect(errorCode(r)).to.equal('ERR_CLI_OPTION_VALUE');
    });

    it('information-disclosure: sql-dump over an existing world-readable file leaves it readable by the owner only', async () => {
      const file = join(secrets, 'old.sql');
      writeFileSync(file, 'old dump\n', { mode: 0o644 });
      const r = await on('sql-dump', `--result-file=${file}`);
      expect(r.code, show(r)).to.equal(0);
      expect(readFileSync(file, 'utf8')).to.include('CREATE TABLE');
      expect(statSync(file).mode & 0o777).to.equal(0o600);
    });

    it('sql-dump resolves a relative --result-file against the current folder of the command', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'aegir-dump-cwd-'));
      const name = `dump-${process.pid}-${Date.now()}.sql`;
      try {
        const r = await cli(tc.root, ['--uri=site.test', 'sql-dump', `--result-file=${name}`], { cwd, defaultRoot: tc.root });
        expect(r.code, show(r)).to.equal(0);
        expect(existsSync(join(cwd, name)), 'the dump is in the current folder of the command').to.equal(true);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
        // Where a wrong resolution would put it: the test process's folder.
        rmSync(resolve(process.cwd(), name), { force: true });
      }
    });

    if (driver === 'mysql') {
      it('secrets-in-logs: a database password in --db-url works but warns, and is hidden in the output', async () => {
        const args = await dbArgs('mysql', { passwordInUrl: true });
        const r = await cli(tc.root, ['--backend', 'site-install', 'testing', '--uri=two.test', `--account-pass-file=${accountPassFile}`, ...args]);
        expect(r.code, show(r)).to.equal(0);
        const warnings = r.lines.filter((l) => l.type === 'log' && l.level === 'warning').map((l) => String(l.message));
        expect(warnings.some((w) => w.includes('--db-url')), show(r)).to.equal(true);
        expectNoPasswords(r);
        const human = await cli(tc.root, ['--uri=two.test', 'status']);
        expect(human.code).to.equal(0);
        expect(human.stdout).to.match(/Database\s+: mysql:\/\/[^ ]*:\*\*\*@/);
        expectNoPasswords(human);
      });

      it('does not warn about argv when the database password comes from a file', async () => {
        const r = await cli(tc.root, ['--backend', 'site-install', 'testing', '--uri=two.test', `--account-pass-file=${accountPassFile}`, ...(await dbArgs('mysql'))]);
        expect(r.code, show(r)).to.equal(0);
        expect(r.lines.filter((l) => l.type === 'log' && l.level === 'warning')).to.deep.equal([]);
      });
    }
  });
}
