import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, json, show, type CliRun } from '../../cli/run-helper.js';
import { parseContextSaves } from '../../../modules/provision/commands/save-contexts.js';
import { installedModules } from '../../../modules/provision/tasks/site-install.js';
import { provisionEnv, type ProvisionEnv } from './env.js';

/** provision-save's options for a site on the test platform. */
const site = (domain: string, extra: Record<string, string | boolean> = {}) => ({
  name: domain, options: { 'context-type': 'site', platform: '@platform_test', 'db-server': '@server_master', profile: 'minimal', ...extra },
});

describe('provision tasks write their contexts first (--save-contexts), and an install lists modules without pm-list', function () {
  this.timeout(120_000);
  let pe: ProvisionEnv;
  before(async () => { pe = await provisionEnv('sqlite'); });
  after(async () => { await pe?.stop(); });

  const run = (argv: readonly string[], stdin?: string): Promise<CliRun> =>
    cli(pe.backend.root, argv, { env: { ...process.env, AEGIR_HOME: pe.home }, ...(stdin === undefined ? {} : { stdin }) });
  const contextFile = (name: string): string => join(pe.home, 'contexts', `${name}.json`);
  const untouched = (domain: string): void => {
    expect(existsSync(contextFile(domain)), 'context').to.equal(false);
    expect(existsSync(join(pe.platform.root, 'sites', domain)), 'site folder').to.equal(false);
    expect(existsSync(join(pe.home, 'tasks', `${domain}.json`)), 'journal').to.equal(false);
  };

  it('an install given its site context on standard input writes it, installs, and reports the modules site-install listed', async () => {
    const r = await run(['@saved.test', 'provision-install', '--save-contexts=-', '--verbose', '--backend'], JSON.stringify([site('saved.test', { aliases: 'www.saved.test' })]));
    expect(r.code, show(r)).to.equal(0);
    const messages = r.lines.filter((l) => l.type === 'log').map((l) => String(l.message));
    expect(messages).to.include('Created context @saved.test.');
    expect(messages.some((m) => /^site-install reported \d+ enabled modules and profiles: no pm-list needed\.$/.test(m)), messages.join('\n')).to.equal(true);
    expect(existsSync(contextFile('saved.test'))).to.equal(true);
    expect(await pe.status('www.saved.test')).to.equal(200);
    // The same modules, versions and origins as the site's own pm-list gives.
    const result = r.lines.at(-1) as { output: { modules: { name: string; version: string | null; origin: string }[] } };
    const listed = json<{ name: string; version: string; origin: string }[]>(await cli(pe.platform.root, ['--uri=saved.test', 'pm-list', '--status=enabled', '--format=json'], { env: { ...process.env, AEGIR_HOME: pe.home } }));
    expect(result.output.modules.map((m) => [m.name, m.version ?? 'unknown', m.origin])).to.deep.equal(listed.map((m) => [m.name, m.version, m.origin]));
    expect(listed.length).to.be.greaterThan(1);
  });

  it('saves from a file too, updates what changed, and an unchanged context again changes nothing', async () => {
    const file = join(pe.home, 'saves.json');
    writeFileSync(file, JSON.stringify([site('saved.test', { aliases: 'www.saved.test,other.saved.test' })]));
    let r = await run(['@saved.test', 'provision-verify', `--save-contexts=${file}`, '--backend']);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.include('Updated context @saved.test.');
    expect(await pe.status('other.saved.test')).to.equal(200);
    r = await run(['@saved.test', 'provision-verify', `--save-contexts=${file}`, '--backend']);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.include('Unchanged context @saved.test.');
  });

  it('refuses a list that is not JSON, not a list, too long, or carries a secret, before anything is written or run', async () => {
    const cases: [string, RegExp][] = [
      ['{not json', /save-contexts.*it is not JSON/],
      ['{"name":"x"}', /it must be a JSON list/],
      [JSON.stringify([{ name: 'bad.test' }]), /entry 1 must be \{"name"/],
      [JSON.stringify([{ name: 'bad.test', options: { profile: ['a'] } }]), /entry 1: option "profile" must be text/],
      [JSON.stringify([{ name: 'server_master', options: { 'context-type': 'server', 'db-admin-pass': 'secret' } }]), /db admin password is not taken here/],
      [JSON.stringify(Array.from({ length: 17 }, (_, i) => site(`n${i}.test`))), /lists 17 contexts; at most 16/],
    ];
    for (const [text, message] of cases) {
      const r = await run(['@bad.test', 'provision-install', '--save-contexts=-'], text);
      expect(r.code, show(r)).to.equal(2);
      expect(r.stderr).to.include('ERR_CLI_OPTION_VALUE').and.to.match(message);
      expect(r.stderr).to.not.include('secret"');
      untouched('bad.test');
    }
    const missing = await run(['@bad.test', 'provision-install', `--save-contexts=${join(pe.home, 'no-such-file.json')}`]);
    expect(missing.code, show(missing)).to.equal(2);
    expect(missing.stderr).to.match(/no-such-file\.json could not be read/);
    untouched('bad.test');
  });

  it('an entry provision-save refuses ends the command with its error: no task runs on a context it could not write', async () => {
    const cases: [object[], string, RegExp][] = [
      [[site('bad.test', { profile: 'Not A Profile' })], 'ERR_CONTEXT_INVALID', /"profile" must be/],
      [[site('bad.test', { platform: '@platform_nowhere' })], 'ERR_CONTEXT_UNKNOWN', /platform_nowhere/],
      [[{ name: 'bad.test', options: { 'context-type': 'site', colour: 'red' } }], 'ERR_CLI_OPTION_UNKNOWN', /colour/],
      [[site('bad.test', { aliases: 'www.saved.test' })], 'ERR_CONTEXT_INVALID', /www\.saved\.test is already an alias of @saved\.test/],
      [[{ name: 'bad test', options: site('x.test').options }], 'ERR_CONTEXT_INVALID', /a context name is/],
    ];
    for (const [list, code, message] of cases) {
      const r = await run(['@bad.test', 'provision-install', '--save-contexts=-'], JSON.stringify(list));
      expect(r.code, show(r)).to.not.equal(0);
      expect(r.stderr, show(r)).to.include(code).and.to.match(message);
      untouched('bad.test');
    }
  });

  it('a context a running task holds is not changed beneath it', async () => {
    const holder = pe.spawn(['@saved.test', 'provision-backup', '--backend'], { AEGIR_FAULT: 'backup:2:kill' });
    const ended = await holder.done;
    expect(ended.signal ?? ended.code, ended.stdout).to.not.equal(0);
    // The killed backup left its journal: the site is claimed until a task recovers it.
    expect(existsSync(join(pe.home, 'tasks', 'saved.test.json'))).to.equal(true);
    const r = await run(['@saved.test', 'provision-verify', '--save-contexts=-', '--backend'], JSON.stringify([site('saved.test', { aliases: '' })]));
    expect(r.code, show(r)).to.equal(1);
    expect(r.stdout).to.include('ERR_TASK_BUSY');
    expect(JSON.parse(readFileSync(contextFile('saved.test'), 'utf8')).aliases).to.have.length(2);
  });
});

describe('reading what site-install reports', () => {
  it('takes its list of enabled modules, and nothing from output it cannot read', () => {
    const row = { name: 'system', package: 'Core', type: 'module', status: 'enabled', version: '1.2.3', versionOrigin: 'manifest', origin: 'core', path: '/x' };
    expect(installedModules(JSON.stringify({ site: 'a.test', modules: [row] }))).to.deep.equal([{ name: 'system', type: 'module', version: '1.2.3', versionOrigin: 'manifest', origin: 'core' }]);
    expect(installedModules(JSON.stringify({ site: 'a.test' })), 'an older platform').to.equal(undefined);
    expect(installedModules('Installed sites/a.test'), 'not JSON').to.equal(undefined);
    expect(installedModules(JSON.stringify({ modules: [{ ...row, version: 'not;a version' }] })), 'a bad row').to.equal(undefined);
    expect(installedModules('null')).to.equal(undefined);
  });

  it('parseContextSaves keeps entries in order with their options', () => {
    const list = parseContextSaves(JSON.stringify([site('a.test'), { name: 'server_x', options: { 'context-type': 'server', 'ssh-port': 2222, redirection: false } }]), 'provision-install');
    expect(list.map((s) => s.name)).to.deep.equal(['a.test', 'server_x']);
    expect(list[1]!.options['ssh-port']).to.equal(2222);
  });
});
