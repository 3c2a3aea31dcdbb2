import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { defineCommand } from '../../core/cli/command.js';
import { parseCommand, type SecretSources } from '../../core/cli/options.js';
import { expectCode } from '../harness/expect.js';

const noSources: SecretSources = { env: {}, readStdin: async () => { throw new Error('standard input must not be read'); } };

const deploy = defineCommand({
  name: 'deploy',
  description: 'A hand-made command for the parser.',
  bootstrap: 'root',
  arguments: [
    { name: 'target', description: 'Where to', required: true },
    { name: 'note', description: 'Optional note' },
  ],
  options: {
    force: { type: 'boolean', description: 'Do it anyway' },
    'db-url': { type: 'string', description: 'Database', default: 'sqlite:' },
    mode: { type: 'string', description: 'Mode', choices: ['fast', 'safe'] },
    label: { type: 'string', description: 'Label', validate: (v: string) => (v.startsWith('x') ? 'it must not start with x' : undefined) },
    workers: { type: 'integer', description: 'Workers', min: 1, max: 8, default: 2 },
    offset: { type: 'integer', description: 'Offset' },
  },
  async run() { return {}; },
});

const needy = defineCommand({
  name: 'needy',
  description: 'Has a required option.',
  bootstrap: 'root',
  options: {
    name: { type: 'string', description: 'Name', required: true },
    count: { type: 'integer', description: 'Count', required: true },
  },
  async run() { return {}; },
});

const bulk = defineCommand({
  name: 'bulk',
  description: 'A variadic argument.',
  bootstrap: 'root',
  arguments: [{ name: 'first', description: 'First', required: true }, { name: 'more', description: 'More', required: true, variadic: true }],
  async run() { return {}; },
});

const optionalBulk = defineCommand({
  name: 'optional-bulk',
  description: 'An optional variadic argument.',
  bootstrap: 'root',
  arguments: [{ name: 'items', description: 'Items', variadic: true }],
  async run() { return {}; },
});

const bare = defineCommand({ name: 'bare', description: 'No options, no arguments.', bootstrap: 'root', async run() { return {}; } });

const login = defineCommand({
  name: 'login',
  description: 'Secret options.',
  bootstrap: 'root',
  options: {
    pass: { type: 'string', description: 'Password', secret: true, envVar: 'TEST_PASS' },
    token: { type: 'string', description: 'Token', secret: true },
    user: { type: 'string', description: 'User (not secret)' },
  },
  async run() { return {}; },
});

describe('parseCommand: options', () => {
  it('reads --opt=value and --opt value, and applies defaults', async () => {
    const p = await parseCommand(deploy, ['prod', '--mode=fast', '--label', 'hello', '--workers', '4'], noSources);
    expect(p.options).to.deep.equal({ force: false, 'db-url': 'sqlite:', mode: 'fast', label: 'hello', workers: 4, offset: undefined });
    expect(p.args).to.deep.equal({ target: 'prod', note: undefined });
    expect(p.secrets).to.deep.equal([]);
    expect(p.secretsOnArgv).to.deep.equal([]);
  });

  it('keeps everything after the first "=" of --opt=value', async () => {
    const p = await parseCommand(deploy, ['prod', '--db-url=mysql://u:a=b@h/d'], noSources);
    expect(p.options['db-url']).to.equal('mysql://u:a=b@h/d');
  });

  it('takes a value that starts with a single dash after --opt', async () => {
    const p = await parseCommand(deploy, ['prod', '--offset', '-3', '--label', '-'], noSources);
    expect(p.options.offset).to.equal(-3);
    expect(p.options.label).to.equal('-');
  });

  it('reads boolean --flag, --no-flag, --flag=false and --flag=yes', async () => {
    expect((await parseCommand(deploy, ['prod', '--force'], noSources)).options.force).to.equal(true);
    expect((await parseCommand(deploy, ['prod', '--no-force'], noSources)).options.force).to.equal(false);
    expect((await parseCommand(deploy, ['prod', '--force=false'], noSources)).options.force).to.equal(false);
    expect((await parseCommand(deploy, ['prod', '--force=0'], noSources)).options.force).to.equal(false);
    expect((await parseCommand(deploy, ['prod', '--force=yes'], noSources)).options.force).to.equal(true);
    expect((await parseCommand(deploy, ['prod', '--force=ON'], noSources)).options.force).to.equal(true);
    expect((await parseCommand(deploy, ['prod'], noSources)).options.force).to.equal(false);
  });

  it('does not take the next word as the value of a boolean flag', async () => {
    const p = await parseCommand(deploy, ['--force', 'prod'], noSources);
    expect(p.options.force).to.equal(true);
    expect(p.args.target).to.equal('prod');
  });

  it('rejects a boolean value that is not true or false', async () => {
    const e = await expectCode(parseCommand(deploy, ['prod', '--force=maybe'], noSources), 'ERR_CLI_OPTION_VALUE');
    expect(e.facts).to.include({ option: 'force', command: 'deploy' });
  });

  it('does not accept --no- for a non-boolean option, nor --no-flag=value', async () => {
    await expectCode(parseCommand(deploy, ['prod', '--no-mode'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    await expectCode(parseCommand(deploy, ['prod', '--no-force=1'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
  });

  it('parses integers and checks min and max', async () => {
    expect((await parseCommand(deploy, ['prod', '--workers=1'], noSources)).options.workers).to.equal(1);
    expect((await parseCommand(deploy, ['prod', '--workers=8'], noSources)).options.workers).to.equal(8);
    for (const bad of ['0', '9', '-1', '2.5', 'two', '', '1e3', '0x4', '99999999999999999']) {
      const e = await expectCode(parseCommand(deploy, ['prod', `--workers=${bad}`], noSources), 'ERR_CLI_OPTION_VALUE');
      expect(e.facts.option).to.equal('workers');
    }
  });

  it('checks choices', async () => {
    expect((await parseCommand(deploy, ['prod', '--mode=safe'], noSources)).options.mode).to.equal('safe');
    const e = await expectCode(parseCommand(deploy, ['prod', '--mode=reckless'], noSources), 'ERR_CLI_OPTION_VALUE');
    expect(e.facts.option).to.equal('mode');
    await expectCode(parseCommand(deploy, ['prod', '--mode=FAST'], noSources), 'ERR_CLI_OPTION_VALUE');
  });

  it('runs the validate callback and reports its problem', async () => {
    expect((await parseCommand(deploy, ['prod', '--label=ok'], noSources)).options.label).to.equal('ok');
    const e = await expectCode(parseCommand(deploy, ['prod', '--label=xyz'], noSources), 'ERR_CLI_OPTION_VALUE');
    expect(e.facts).to.include({ option: 'label', problem: 'it must not start with x' });
  });

  it('reports a missing required option with ERR_CLI_OPTION_MISSING', async () => {
    const e = await expectCode(parseCommand(needy, ['--count=1'], noSources), 'ERR_CLI_OPTION_MISSING');
    expect(e.facts).to.include({ option: 'name', command: 'needy' });
    const f = await expectCode(parseCommand(needy, ['--name=a'], noSources), 'ERR_CLI_OPTION_MISSING');
    expect(f.facts.option).to.equal('count');
    expect((await parseCommand(needy, ['--name=a', '--count=3'], noSources)).options).to.deep.equal({ name: 'a', count: 3 });
  });

  it('reports an unknown option with ERR_CLI_OPTION_UNKNOWN and suggests the option meant', async () => {
    const e = await expectCode(parseCommand(deploy, ['prod', '--db-ulr=sqlite:'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    expect(e.facts).to.include({ option: 'db-ulr', command: 'deploy', suggestion: 'db-url' });
    const f = await expectCode(parseCommand(deploy, ['prod', '--froce'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    expect(f.facts.suggestion).to.equal('force');
    const g = await expectCode(parseCommand(deploy, ['prod', '--completely-different'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    expect(g.facts.suggestion).to.equal(undefined);
  });

  it('reports short options and malformed long options as unknown', async () => {
    await expectCode(parseCommand(deploy, ['prod', '-f'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    await expectCode(parseCommand(deploy, ['prod', '--Force'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    await expectCode(parseCommand(bare, ['--anything'], noSources), 'ERR_CLI_OPTION_UNKNOWN');
  });

  it('rejects an option given twice', async () => {
    const e = await expectCode(parseCommand(deploy, ['prod', '--mode=fast', '--mode=safe'], noSources), 'ERR_CLI_OPTION_VALUE');
    expect(e.facts.option).to.equal('mode');
    await expectCode(parseCommand(deploy, ['prod', '--force', '--force=false'], noSources), 'ERR_CLI_OPTION_VALUE');
    await expectCode(parseCommand(deploy, ['prod', '--workers', '2', '--workers=3'], noSources), 'ERR_CLI_OPTION_VALUE');
  });

  it('rejects a boolean given both as --flag and --no-flag, in either order', async () => {
    await expectCode(parseCommand(deploy, ['prod', '--no-force', '--force'], noSources), 'ERR_CLI_OPTION_VALUE');
    await expectCode(parseCommand(deploy, ['prod', '--force', '--no-force'], noSources), 'ERR_CLI_OPTION_VALUE');
  });

  it('needs a value for a string or integer option at the end of the line or before another option', async () => {
    await expectCode(parseCommand(deploy, ['prod', '--mode'], noSources), 'ERR_CLI_OPTION_VALUE');
    await expectCode(parseCommand(deploy, ['prod', '--workers', '--force'], noSources), 'ERR_CLI_OPTION_VALUE');
  });

  it('config-injection: rejects a string option value with a line break, carriage return or NUL', async () => {
    for (const bad of ['a\nb', 'a\rb', 'a\0b', 'ok\n']) {
      const e = await expectCode(parseCommand(deploy, ['prod', `--label=${bad}`], noSources), 'ERR_CLI_OPTION_VALUE');
      expect(e.facts.option).to.equal('label');
    }
    await expectCode(parseCommand(deploy, ['prod', '--db-url', 'sqlite:\n[config]'], noSources), 'ERR_CLI_OPTION_VALUE');
  });
});

describe('parseCommand: arguments', () => {
  it('assigns positionals in order, optional ones undefined', async () => {
    expect((await parseCommand(deploy, ['prod', 'hello'], noSources)).args).to.deep.equal({ target: 'prod', note: 'hello' });
    expect((await parseCommand(deploy, ['prod'], noSources)).args).to.deep.equal({ target: 'prod', note: undefined });
  });

  it('reports a missing required argument with ERR_CLI_ARGUMENT_MISSING', async () => {
    const e = await expectCode(parseCommand(deploy, ['--force'], noSources), 'ERR_CLI_ARGUMENT_MISSING');
    expect(e.facts).to.include({ command: 'deploy', argument: 'target' });
  });

  it('reports an extra argument with ERR_CLI_ARGUMENT_EXTRA', async () => {
    const e = await expectCode(parseCommand(deploy, ['prod', 'note', 'extra'], noSources), 'ERR_CLI_ARGUMENT_EXTRA');
    expect(e.facts).to.include({ command: 'deploy', max: 2, value: 'extra' });
    const f = await expectCode(parseCommand(bare, ['x'], noSources), 'ERR_CLI_ARGUMENT_EXTRA');
    expect(f.facts.max).to.equal(0);
  });

  it('gives a variadic argument every remaining word', async () => {
    const p = await parseCommand(bulk, ['a', 'b', 'c', 'd'], noSources);
    expect(p.args).to.deep.equal({ first: 'a', more: ['b', 'c', 'd'] });
    expect((await parseCommand(optionalBulk, [], noSources)).args).to.deep.equal({ items: [] });
  });

  it('reports a required variadic argument with no words with ERR_CLI_ARGUMENT_MISSING', async () => {
    const e = await expectCode(parseCommand(bulk, ['a'], noSources), 'ERR_CLI_ARGUMENT_MISSING');
    expect(e.facts.argument).to.equal('more');
  });

  it('takes words after "--" as arguments even when they start with a dash', async () => {
    const p = await parseCommand(deploy, ['--force', '--', '--not-an-option', '-x'], noSources);
    expect(p.args).to.deep.equal({ target: '--not-an-option', note: '-x' });
    expect(p.options.force).to.equal(true);
    // The "--" left in by parseLine reaches parseCommand the same way.
    expect((await parseCommand(bulk, ['--', '-a', '--b'], noSources)).args).to.deep.equal({ first: '-a', more: ['--b'] });
  });

  it('takes a lone "-" as an argument', async () => {
    expect((await parseCommand(deploy, ['-'], noSources)).args.target).to.equal('-');
  });

  it('config-injection: rejects an argument with a line break', async () => {
    const e = await expectCode(parseCommand(deploy, ['prod\n[x]'], noSources), 'ERR_CLI_ARGUMENT_INVALID');
    expect(e.facts.argument).to.equal('target');
    await expectCode(parseCommand(deploy, ['prod', 'a\rb'], noSources), 'ERR_CLI_ARGUMENT_INVALID');
  });

  it('config-injection: rejects a line break in a word of a variadic argument too', async () => {
    const e = await expectCode(parseCommand(bulk, ['a', 'b', 'c\nd'], noSources), 'ERR_CLI_ARGUMENT_INVALID');
    expect(e.facts.argument).to.equal('more');
  });
});

describe('parseCommand: secret options', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aegir-secret-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads --x-file=PATH and strips one trailing newline', async () => {
    const file = join(dir, 'pass');
    writeFileSync(file, 'hunter2-secret\n', { mode: 0o600 });
    const p = await parseCommand(login, [`--pass-file=${file}`], noSources);
    expect(p.options.pass).to.equal('hunter2-secret');
    expect(p.secrets).to.deep.equal(['hunter2-secret']);
    expect(p.secretsOnArgv).to.deep.equal([]);
    writeFileSync(file, 'crlf-secret\r\n');
    expect((await parseCommand(login, ['--pass-file', file], noSources)).options.pass).to.equal('crlf-secret');
    writeFileSync(file, 'no-newline');
    expect((await parseCommand(login, [`--pass-file=${file}`], noSources)).options.pass).to.equal('no-newline');
  });

  it('config-injection: rejects a secret file whose value keeps a line break after the trailing one is stripped', async () => {
    const file = join(dir, 'pass');
    writeFileSync(file, 'line-one\nline-two\n');
    const e = await expectCode(parseCommand(login, [`--pass-file=${file}`], noSources), 'ERR_CLI_OPTION_VALUE');
    expect(e.facts.option).to.equal('pass');
    expect(e.message).to.not.include('line-one');
  });

  it('reads --x-file=- from standard input', async () => {
    let reads = 0;
    const sources: SecretSources = { env: {}, readStdin: async () => { reads++; return 'from-stdin-secret\n'; } };
    const p = await parseCommand(login, ['--token-file=-'], sources);
    expect(p.options.token).to.equal('from-stdin-secret');
    expect(p.secrets).to.deep.equal(['from-stdin-secret']);
    expect(reads).to.equal(1);
  });

  it('falls back to the environment variable of the option', async () => {
    const p = await parseCommand(login, [], { env: { TEST_PASS: 'env-secret' }, readStdin: noSources.readStdin });
    expect(p.options.pass).to.equal('env-secret');
    expect(p.secrets).to.deep.equal(['env-secret']);
    expect(p.secretsOnArgv).to.deep.equal([]);
    expect(p.options.token).to.equal(undefined);
  });

  it('prefers a file over the environment', async () => {
    const file = join(dir, 'pass');
    writeFileSync(file, 'file-secret');
    const p = await parseCommand(login, [`--pass-file=${file}`], { env: { TEST_PASS: 'env-secret' }, readStdin: noSources.readStdin });
    expect(p.options.pass).to.equal('file-secret');
  });

  it('accepts a secret given directly on the command line but reports it in secretsOnArgv', async () => {
    const p = await parseCommand(login, ['--pass=argv-secret', '--user=bob'], noSources);
    expect(p.options.pass).to.equal('argv-secret');
    expect(p.secrets).to.deep.equal(['argv-secret']);
    expect(p.secretsOnArgv).to.deep.equal(['pass']);
    expect(p.options.user).to.equal('bob');
  });

  it('reports an unreadable secret file with ERR_SECRET_SOURCE, naming the option and file', async () => {
    const missing = join(dir, 'missing');
    const e = await expectCode(parseCommand(login, [`--pass-file=${missing}`], noSources), 'ERR_SECRET_SOURCE');
    expect(e.facts).to.include({ option: 'pass', source: missing });
    await expectCode(parseCommand(login, [`--pass-file=${dir}`], noSources), 'ERR_SECRET_SOURCE');
  });

  it('reports a failing standard input with ERR_SECRET_SOURCE', async () => {
    const e = await expectCode(parseCommand(login, ['--pass-file=-'], { env: {}, readStdin: async () => { throw new Error('closed'); } }), 'ERR_SECRET_SOURCE');
    expect(e.facts).to.include({ option: 'pass', source: 'standard input' });
  });

  it('offers --x-file only for secret options', async () => {
    await expectCode(parseCommand(login, [`--user-file=${join(dir, 'x')}`], noSources), 'ERR_CLI_OPTION_UNKNOWN');
    await expectCode(parseCommand(deploy, ['prod', `--label-file=${join(dir, 'x')}`], noSources), 'ERR_CLI_OPTION_UNKNOWN');
  });

  it('needs a path after --x-file', async () => {
    await expectCode(parseCommand(login, ['--pass-file'], noSources), 'ERR_CLI_OPTION_VALUE');
  });
});
