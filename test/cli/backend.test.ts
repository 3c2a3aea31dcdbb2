import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DRIVERS, makeCodebase, type TestCodebase } from '../harness/codebase.js';
import { mariadb } from '../harness/mariadb.js';
import { cli, show, type CliRun } from './run-helper.js';

const LEVELS = ['debug', 'info', 'notice', 'success', 'warning', 'error'];

/** Check the shape every --backend run has: JSON lines, logs first, one result line last. */
function backendShape(run: CliRun): { logs: Record<string, unknown>[]; result: Record<string, unknown> } {
  expect(run.stdout.endsWith('\n'), show(run)).to.equal(true);
  const lines = run.lines;
  expect(lines.length, show(run)).to.be.at.least(1);
  const result = lines.at(-1)!;
  const logs = lines.slice(0, -1);
  for (const l of logs) {
    expect(l.type, JSON.stringify(l)).to.equal('log');
    expect(LEVELS, JSON.stringify(l)).to.include(l.level);
    expect(l.message).to.be.a('string');
    expect(l.time).to.be.a('number');
  }
  expect(result.type).to.equal('result');
  expect(result).to.have.all.keys('type', 'status', 'command', 'output', 'text', 'context', 'error', 'elapsedMs');
  expect(result.elapsedMs).to.be.a('number');
  expect(run.stderr, 'nothing on stderr with --backend').to.equal('');
  return { logs, result };
}

describe('--backend output without a site', () => {
  let tc: TestCodebase;
  beforeEach(() => { tc = makeCodebase(); });
  afterEach(() => tc.cleanup());

  it('status prints one result line with the status as output', async () => {
    const r = await cli(tc.root, ['--backend', 'status']);
    expect(r.code).to.equal(0);
    const { result } = backendShape(r);
    expect(result).to.deep.include({ status: 'success', command: 'status', error: null, context: {} });
    expect(result.output).to.deep.include({ installed: false, site: 'sites/default' });
    expect(result.text).to.be.a('string');
  });

  it('wins over --format=json', async () => {
    const r = await cli(tc.root, ['status', '--format=json', '--backend']);
    const { result } = backendShape(r);
    expect(result.status).to.equal('success');
  });

  it('help gives the command names as output and the list as text', async () => {
    const { result } = backendShape(await cli(tc.root, ['--backend', 'help']));
    expect(result.output).to.include.members(['status', 'site-install']);
    expect(String(result.text)).to.include('Usage: aegir');
  });

  it('a failure is a result line with status error, the error code and no output', async () => {
    const r = await cli(tc.root, ['--backend', '--uri=nowhere.test', 'cron']);
    expect(r.code).to.equal(1);
    const { result } = backendShape(r);
    expect(result).to.deep.include({ status: 'error', command: 'cron', output: null, text: null, context: {} });
    expect((result.error as { code: string }).code).to.equal('ERR_SITE_NOT_INSTALLED');
    expect((result.error as { message: string }).message).to.be.a('string');
  });

  it('a usage error is a result line too, with exit 2', async () => {
    const r = await cli(tc.root, ['--backend', 'status', '--nope']);
    expect(r.code).to.equal(2);
    const { result } = backendShape(r);
    expect((result.error as { code: string }).code).to.equal('ERR_CLI_OPTION_UNKNOWN');
  });

  it('a bad global option after --backend is reported as a JSON result line as well', async () => {
    const r = await cli(tc.root, ['--backend', '--format=xml', 'status']);
    expect(r.code).to.equal(2);
    const { result } = backendShape(r);
    expect((result.error as { code: string }).code).to.equal('ERR_CLI_OPTION_VALUE');
  });

  it('without --backend, results go to stdout and messages to stderr', async () => {
    const r = await cli(tc.root, ['hook-list', '--format=json']);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal([]);
    expect(r.stderr).to.match(/^\[warning\] /m);
  });
});

for (const driver of DRIVERS) {
  describe(`--backend output on ${driver}`, () => {
    let tc: TestCodebase;
    let secrets: string;
    let dbArgs: string[];
    const PASS = 'Backend-Secret-Pass-5';

    beforeEach(async () => {
      tc = makeCodebase();
      secrets = mkdtempSync(join(tmpdir(), 'aegir-backend-'));
      writeFileSync(join(secrets, 'account'), PASS, { mode: 0o600 });
      dbArgs = [];
      if (driver === 'mysql') {
        const s = (await mariadb()).database();
        writeFileSync(join(secrets, 'db'), s.password, { mode: 0o600 });
        dbArgs = [`--db-url=mysql://${encodeURIComponent(s.user)}@${s.host}:${s.port}/${s.database}`, `--db-pass-file=${join(secrets, 'db')}`];
      }
    });
    afterEach(() => {
      tc.cleanup();
      rmSync(secrets, { recursive: true, force: true });
    });

    const install = (...extra: string[]): Promise<CliRun> =>
      cli(tc.root, ['--backend', '--uri=site.test', 'site-install', 'testing', `--account-pass-file=${join(secrets, 'account')}`, ...dbArgs, ...extra]);

    it('site-install streams its log entries as JSON lines, then the result line', async () => {
      const r = await install();
      expect(r.code, show(r)).to.equal(0);
      const { logs, result } = backendShape(r);
      expect(logs.length).to.be.at.least(3);
      expect(logs.some((l) => l.level === 'info')).to.equal(true);
      expect(logs.at(-1)).to.include({ level: 'success' });
      expect(result).to.deep.include({ status: 'success', command: 'site-install', error: null });
      const { modules, ...rest } = result.output as { modules: { name: string; type: string; status: string }[] };
      expect(rest).to.deep.equal({ site: 'site.test', profile: 'testing', account: 'admin', passwordGenerated: false });
      // The new site's enabled modules, as pm-list --status=enabled lists them: the profile among them.
      expect(modules.every((m) => m.status === 'enabled')).to.equal(true);
      expect(modules.map((m) => `${m.type}:${m.name}`)).to.include('profile:testing').and.include('module:system');
      expect(r.stdout).to.not.include(PASS);
    });

    it('cron, config-set and pm-enable print JSON lines only', async () => {
      expect((await install()).code).to.equal(0);
      for (const argv of [['cron'], ['config-set', 'alpha.x', '1'], ['pm-enable', 'beta'], ['pm-list'], ['updatedb'], ['cache-clear']]) {
        const r = await cli(tc.root, ['--backend', '--uri=site.test', ...argv]);
        expect(r.code, show(r)).to.equal(0);
        const { result } = backendShape(r);
        expect(result).to.deep.include({ status: 'success', command: argv[0] });
      }
    });

    it('the result is the last line even when the command logs a warning', async () => {
      expect((await install()).code).to.equal(0);
      const r = await cli(tc.root, ['--backend', 'hook-list']);
      const { logs, result } = backendShape(r);
      expect(logs.map((l) => l.level)).to.deep.equal(['warning']);
      expect(result.status).to.equal('success');
    });

    it('-q keeps only warnings and errors among the log lines', async () => {
      const r = await install('-q');
      expect(r.code, show(r)).to.equal(0);
      const { logs } = backendShape(r);
      for (const l of logs) expect(['warning', 'error']).to.include(l.level);
    });

    it('a failing command on an installed site ends with status error and its code', async () => {
      expect((await install()).code).to.equal(0);
      const r = await cli(tc.root, ['--backend', '--uri=site.test', 'config-set', 'Bad.Key', 'x']);
      expect(r.code).to.equal(1);
      const { result } = backendShape(r);
      expect(result).to.deep.include({ status: 'error', command: 'config-set', output: null });
      expect((result.error as { code: string }).code).to.equal('ERR_CONFIG_KEY_INVALID');
      const exists = await install();
      expect(exists.code).to.equal(1);
      expect((backendShape(exists).result.error as { code: string }).code).to.equal('ERR_SITE_EXISTS');
      expect(exists.stdout).to.not.include(PASS);
    });
  });
}
