import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeCodebase, type TestCodebase } from '../harness/codebase.js';
import { cli, json, show, type CliRun } from './run-helper.js';

/** The error code of a failed --backend run (its last line). */
function errorCode(run: CliRun): unknown {
  const last = run.lines.at(-1) as { type?: string; status?: string; error?: { code?: string } } | undefined;
  expect(last?.type, show(run)).to.equal('result');
  expect(last?.status, show(run)).to.equal('error');
  return last?.error?.code;
}

const SYSTEM_COMMANDS = [
  'cache-clear', 'config-delete', 'config-get', 'config-list', 'config-set', 'cron', 'help', 'hook-list', 'pm-disable',
  'platform-info', 'pm-enable', 'pm-list', 'pm-uninstall', 'serve', 'site-install', 'sql-dump', 'status', 'updatedb', 'updatedb-status',
];
/** Commands of the user module, the other required module. */
const USER_COMMANDS = ['user-add-role', 'user-block', 'user-create', 'user-login', 'user-password', 'user-remove-role', 'user-unblock'];
/** Commands of the global fixture module backend_probe, there without any site. */
const GLOBAL_COMMANDS = ['probe-anywhere', 'probe-backend'];

describe('runCli without an installed site', () => {
  let tc: TestCodebase;
  beforeEach(() => { tc = makeCodebase(); });
  afterEach(() => tc.cleanup());

  it('help lists every command of the required modules with the global options', async () => {
    const r = await cli(tc.root, ['help']);
    expect(r.code, show(r)).to.equal(0);
    for (const c of SYSTEM_COMMANDS) expect(r.stdout).to.match(new RegExp(`^ {2}${c} +system `, 'm'));
    expect(r.stdout).to.include('--backend');
    expect(r.stderr).to.equal('');
  });

  it('help --format=json gives the command names once each, without aliases', async () => {
    const r = await cli(tc.root, ['help', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    const names = json<string[]>(r);
    expect(names).to.include.members([...SYSTEM_COMMANDS, ...USER_COMMANDS, ...GLOBAL_COMMANDS]);
    expect(new Set(names).size, 'each name once').to.equal(names.length);
    for (const alias of ['st', 'si', 'cc', 'pml', 'en', 'updb']) expect(names, alias).to.not.include(alias);
    expect(names.filter((n) => n.startsWith('provision-')), 'provision commands are there without a site').to.include.members(['provision-save', 'provision-install']);
  });

  it('runs help when no command is given', async () => {
    const none = await cli(tc.root, []);
    const help = await cli(tc.root, ['help']);
    expect(none.code).to.equal(0);
    expect(none.stdout).to.equal(help.stdout);
  });

  it('<command> --help and help <command> print the usage of the command', async () => {
    const a = await cli(tc.root, ['site-install', '--help']);
    expect(a.code, show(a)).to.equal(0);
    expect(a.stdout).to.match(/^Usage: aegir \[@alias\] site-install \[profile\] \[options\]$/m);
    expect(a.stdout).to.match(/^ {2}--db-url=URL /m);
    expect(a.stdout).to.match(/^ {2}--account-pass=VALUE .*--account-pass-file=PATH/m);
    expect(a.stdout).to.include('Aliases: si');
    const b = await cli(tc.root, ['help', 'site-install']);
    expect(b.code, show(b)).to.equal(0);
    expect(b.stdout).to.equal(a.stdout);
    const c = await cli(tc.root, ['-h', 'si']);
    expect(c.stdout).to.equal(a.stdout);
  });

  it('--help does not run the command', async () => {
    const r = await cli(tc.root, ['--uri=site.test', 'site-install', 'testing', '--help']);
    expect(r.code, show(r)).to.equal(0);
    expect(tc.codebase.hasSettings('site.test')).to.equal(false);
  });

  it('an unknown command exits 2 with ERR_COMMAND_UNKNOWN and suggests the command meant', async () => {
    const r = await cli(tc.root, ['stauts']);
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr).to.include('[ERR_COMMAND_UNKNOWN]');
    expect(r.stdout).to.equal('');
    const b = await cli(tc.root, ['--backend', 'stauts']);
    expect(b.code).to.equal(2);
    expect(errorCode(b)).to.equal('ERR_COMMAND_UNKNOWN');
    expect(b.lines.at(-1)?.command).to.equal('stauts');
    // The facts are not printed apart from the message; the suggestion is the one piece of text we check.
    expect(r.stderr).to.include('Did you mean "status"?');
  });

  it('help of an unknown command exits 2 with ERR_COMMAND_UNKNOWN', async () => {
    const r = await cli(tc.root, ['--backend', 'help', 'no-such-command']);
    expect(r.code).to.equal(2);
    expect(errorCode(r)).to.equal('ERR_COMMAND_UNKNOWN');
  });

  it('an unknown option exits 2 with ERR_CLI_OPTION_UNKNOWN and suggests the option meant', async () => {
    const r = await cli(tc.root, ['--uri=site.test', 'site-install', 'testing', '--acount-name=root']);
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr).to.include('[ERR_CLI_OPTION_UNKNOWN]');
    expect(r.stderr).to.include('--account-name');
    expect(tc.codebase.hasSettings('site.test')).to.equal(false);
    const b = await cli(tc.root, ['--backend', 'status', '--bogus']);
    expect(b.code).to.equal(2);
    expect(errorCode(b)).to.equal('ERR_CLI_OPTION_UNKNOWN');
  });

  it('an extra argument and a bad global option exit 2', async () => {
    const extra = await cli(tc.root, ['--backend', 'status', 'extra']);
    expect(extra.code).to.equal(2);
    expect(errorCode(extra)).to.equal('ERR_CLI_ARGUMENT_EXTRA');
    const format = await cli(tc.root, ['status', '--format=xml']);
    expect(format.code).to.equal(2);
    expect(format.stderr).to.include('[ERR_CLI_OPTION_VALUE]');
    const alias = await cli(tc.root, ['@-bad', 'status']);
    expect(alias.code).to.equal(2);
    expect(alias.stderr).to.include('[ERR_CLI_ARGUMENT_INVALID]');
  });

  it('status before install says the site is not installed and exits 0', async () => {
    const r = await cli(tc.root, ['status']);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.match(/Installed\s+: no/);
    const j = await cli(tc.root, ['--uri=site.test', 'status', '--format=json']);
    expect(j.code, show(j)).to.equal(0);
    expect(json(j)).to.deep.include({ installed: false, uri: 'site.test', database: null, root: tc.root });
    expect(json<{ problem: string }>(j).problem).to.be.a('string');
  });

  it('a command that needs an installed site exits 1 with ERR_SITE_NOT_INSTALLED', async () => {
    for (const argv of [['pm-list'], ['config-get', 'system.site_name'], ['cron'], ['sql-dump'], ['cache-clear'], ['updatedb']]) {
      const r = await cli(tc.root, ['--backend', '--uri=nowhere.test', ...argv]);
      expect(r.code, show(r)).to.equal(1);
      expect(errorCode(r)).to.equal('ERR_SITE_NOT_INSTALLED');
    }
    const human = await cli(tc.root, ['-l', 'nowhere.test', 'pm-list']);
    expect(human.code).to.equal(1);
    expect(human.stderr).to.include('[ERR_SITE_NOT_INSTALLED]');
  });

  it('an invalid site address exits 1 with ERR_URI_INVALID', async () => {
    const r = await cli(tc.root, ['--backend', '--uri=../../etc', 'status']);
    expect(r.code, show(r)).to.equal(1);
    expect(errorCode(r)).to.equal('ERR_URI_INVALID');
  });

  it('--root picks the codebase, wherever the current folder is', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'aegir-cwd-'));
    const other = makeCodebase({ fixtures: false });
    try {
      const r = await cli(tc.root, ['-r', tc.root, 'status', '--format=json'], { cwd: elsewhere, defaultRoot: other.root });
      expect(r.code, show(r)).to.equal(0);
      expect(json<{ root: string }>(r).root).to.equal(tc.root);
      const rel = await cli(tc.root, ['status', '--root', '.', '--format=json'], { cwd: tc.root, defaultRoot: other.root });
      expect(json<{ root: string }>(rel).root).to.equal(tc.root);
      // Without --root, a current folder outside any codebase falls back to the program's own.
      const fallback = await cli(tc.root, ['status', '--format=json'], { cwd: elsewhere, defaultRoot: other.root });
      expect(json<{ root: string }>(fallback).root).to.equal(other.root);
      // A folder inside a codebase finds it.
      const inside = await cli(tc.root, ['status', '--format=json'], { cwd: join(tc.root, 'sites'), defaultRoot: other.root });
      expect(json<{ root: string }>(inside).root).to.equal(tc.root);
    } finally {
      other.cleanup();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('--root that does not exist exits 1 with ERR_ROOT_INVALID', async () => {
    const r = await cli(tc.root, ['--backend', '--root', join(tc.root, 'missing'), 'status']);
    expect(r.code).to.equal(1);
    expect(errorCode(r)).to.equal('ERR_ROOT_INVALID');
  });

  it('@name without an alias file is the site address', async () => {
    const r = await cli(tc.root, ['@site.test', 'status', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    expect(json<{ uri: string }>(r).uri).to.equal('site.test');
  });

  it('@name reads <AEGIR_HOME>/aliases/<name>.json for root and address', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aegir-home-'));
    try {
      mkdirSync(join(home, 'aliases'));
      writeFileSync(join(home, 'aliases', 'prod.json'), JSON.stringify({ root: tc.root, uri: 'site.test' }));
      writeFileSync(join(home, 'aliases', 'broken.json'), '{"uri": "x", "shell": "rm -rf /"}');
      const elsewhere = makeCodebase({ fixtures: false });
      try {
        const r = await cli(elsewhere.root, ['@prod', 'status', '--format=json'], { env: { AEGIR_HOME: home } });
        expect(r.code, show(r)).to.equal(0);
        expect(json(r)).to.deep.include({ root: tc.root, uri: 'site.test' });
        const bad = await cli(elsewhere.root, ['--backend', '@broken', 'status'], { env: { AEGIR_HOME: home } });
        expect(bad.code).to.equal(1);
        expect(errorCode(bad)).to.equal('ERR_ALIAS_INVALID');
      } finally {
        elsewhere.cleanup();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('hook-list without a site warns and lists nothing', async () => {
    const r = await cli(tc.root, ['hook-list', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    expect(json(r)).to.deep.equal([]);
    expect(r.stderr).to.include('[warning]');
  });

  it('-q hides info and success messages but keeps warnings', async () => {
    const r = await cli(tc.root, ['-q', 'hook-list']);
    expect(r.stderr).to.include('[warning]');
    const pass = mkdtempSync(join(tmpdir(), 'aegir-pass-'));
    try {
      writeFileSync(join(pass, 'p'), 'quiet-password-1');
      const i = await cli(tc.root, ['-q', '--uri=site.test', 'site-install', 'testing', `--account-pass-file=${join(pass, 'p')}`]);
      expect(i.code, show(i)).to.equal(0);
      expect(i.stderr).to.equal('');
      expect(i.stdout).to.include('Installed sites/site.test');
    } finally {
      rmSync(pass, { recursive: true, force: true });
    }
  });
});
