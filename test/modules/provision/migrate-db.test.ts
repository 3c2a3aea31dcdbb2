import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, json, show } from '../../cli/run-helper.js';
import { mariadb, type TestMariaDb } from '../../harness/mariadb.js';
import { provisionEnv, type ProvisionEnv } from './env.js';
import { moveSteps } from '../../../modules/provision/tasks/site-migrate.js';

/** Steps of a migrate before its purge (the last step, its point of no return). */
const BEFORE_PURGE = moveSteps(false).length - 1;

/**
 * A migrate that moves only the database: the site stays in its folder on
 * its platform, under its name, and its database goes from the embedded
 * SQLite to a MariaDB server and back.
 */
describe('provision migrate to another database server (same platform and name)', function () {
  this.timeout(300_000);
  let pe: ProvisionEnv;
  let m: TestMariaDb;
  before(async () => {
    pe = await provisionEnv('sqlite');
    m = await mariadb();
    const passFile = join(pe.home, 'db-admin-pass');
    writeFileSync(passFile, m.admin.password ?? '', { mode: 0o600 });
    const r = await pe.aegir(['provision-save', '@server_db', '--context-type=server', '--host=localhost',
      '--db=mysql', `--db-settings=host=${m.admin.host},port=${m.admin.port},adminUser=${m.admin.user}`, `--db-admin-pass-file=${passFile}`]);
    expect(r.code, show(r)).to.equal(0);
    const v = await pe.aegir(['@server_db', 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
  });
  after(async () => { await pe?.stop(); });

  const site = (domain: string, ...args: string[]) => cli(pe.platform.root, [`--uri=${domain}`, ...args], { env: { ...process.env, AEGIR_HOME: pe.home } });
  const slogan = async (domain: string): Promise<string> => json<string>(await site(domain, 'config-get', 'system.slogan', '--format=json'));
  const settingsOf = (domain: string): { database: { driver: string; database?: string } } =>
    JSON.parse(readFileSync(join(pe.platform.root, 'sites', domain, 'settings.json'), 'utf8'));
  const sqliteFiles = (domain: string): string[] => readdirSync(join(pe.platform.root, 'sites', domain, 'private')).filter((f) => f.includes('.sqlite'));
  const dbServerOf = (domain: string): string => JSON.parse(readFileSync(join(pe.home, 'contexts', `${domain}.json`), 'utf8')).dbServer;
  const install = async (domain: string, dbServer: string): Promise<void> => {
    expect((await pe.aegir(['provision-save', `@${domain}`, '--context-type=site', '--platform=@platform_test', `--db-server=@${dbServer}`, '--profile=standard'])).code).to.equal(0);
    const r = await pe.aegir([`@${domain}`, 'provision-install']);
    expect(r.code, show(r)).to.equal(0);
    expect((await site(domain, 'config-set', 'system.slogan', `data of ${domain}`)).code).to.equal(0);
  };

  it('moves a site from SQLite to MariaDB and back with its data, served all along its own folder', async () => {
    await install('dbmove.test', 'server_master');
    const before = await m.databases();
    let r = await pe.aegir(['@dbmove.test', 'provision-migrate', '--db-server=@server_db', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    expect(json<{ unavailableMs: number }>(r).unavailableMs).to.be.a('number');
    expect(await pe.status('dbmove.test')).to.equal(200);
    expect(await slogan('dbmove.test')).to.equal('data of dbmove.test');
    const moved = settingsOf('dbmove.test').database;
    expect(moved.driver).to.equal('mysql');
    expect(await m.databases()).to.include(moved.database);
    expect(sqliteFiles('dbmove.test'), 'the old SQLite database is purged').to.deep.equal([]);
    expect(dbServerOf('dbmove.test')).to.equal('server_db');

    r = await pe.aegir(['@dbmove.test', 'provision-migrate', '--db-server=@server_master']);
    expect(r.code, show(r)).to.equal(0);
    expect(await pe.status('dbmove.test')).to.equal(200);
    expect(await slogan('dbmove.test')).to.equal('data of dbmove.test');
    expect(settingsOf('dbmove.test').database.driver).to.equal('sqlite');
    expect(await m.databases(), 'the MariaDB database is dropped').to.deep.equal(before);
    expect(dbServerOf('dbmove.test')).to.equal('server_master');
  });

  it('refuses a move between two SQLite servers: nothing would change', async () => {
    await install('lite.test', 'server_master');
    const r = await pe.aegir(['provision-save', '@server_lite', '--context-type=server', '--host=localhost', '--db=sqlite']);
    expect(r.code, show(r)).to.equal(0);
    const mv = await pe.aegir(['@lite.test', 'provision-migrate', '--db-server=@server_lite', '--backend']);
    expect(mv.code).to.equal(1);
    expect(mv.stdout).to.include('ERR_CONTEXT_INVALID');
    expect(dbServerOf('lite.test')).to.equal('server_master');
    expect(await pe.status('lite.test')).to.equal(200);
  });

  for (const [from, to] of [['server_master', 'server_db'], ['server_db', 'server_master']] as const) {
    for (let step = 1; step <= BEFORE_PURGE; step++) {
      it(`a failure at step ${step} of a move from @${from} to @${to} leaves the site on its database, served`, async () => {
        const domain = `db${step}${from === 'server_db' ? 'b' : 'a'}.test`;
        await install(domain, from);
        const settings = readFileSync(join(pe.platform.root, 'sites', domain, 'settings.json'), 'utf8');
        const lite = sqliteFiles(domain);
        const dbs = await m.databases();
        const r = await pe.aegir([`@${domain}`, 'provision-migrate', `--db-server=@${to}`], { AEGIR_FAULT: `migrate:${step}:fail` });
        expect(r.code, show(r)).to.equal(1);
        expect(await pe.status(domain)).to.equal(200);
        expect(readFileSync(join(pe.platform.root, 'sites', domain, 'settings.json'), 'utf8')).to.equal(settings);
        expect(sqliteFiles(domain)).to.deep.equal(lite);
        expect(await m.databases()).to.deep.equal(dbs);
        expect(dbServerOf(domain)).to.equal(from);
        expect(await slogan(domain)).to.equal(`data of ${domain}`);
        expect(existsSync(join(pe.home, 'secrets'))).to.equal(true);
      });
    }
  }
});
