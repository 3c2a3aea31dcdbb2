import { expect } from 'chai';
import { parseLine } from '../../core/cli/argv.js';
import { expectCode } from '../harness/expect.js';

describe('parseLine', () => {
  it('defaults every global option when none is given', () => {
    const line = parseLine(['status']);
    expect(line.command).to.equal('status');
    expect(line.rest).to.deep.equal([]);
    expect(line.global).to.deep.equal({
      backend: false, format: 'human', yes: false, verbose: false, debug: false, quiet: false, help: false,
    });
  });

  it('has no command for an empty line', () => {
    const line = parseLine([]);
    expect(line.command).to.equal(undefined);
    expect(line.rest).to.deep.equal([]);
  });

  it('takes --uri=x, --uri x and -l x', () => {
    expect(parseLine(['--uri=a.test', 'status']).global.uri).to.equal('a.test');
    expect(parseLine(['--uri', 'b.test', 'status']).global.uri).to.equal('b.test');
    expect(parseLine(['-l', 'c.test', 'status']).global.uri).to.equal('c.test');
    const after = parseLine(['status', '-l', 'd.test']);
    expect(after.global.uri).to.equal('d.test');
    expect(after.command).to.equal('status');
    expect(after.rest).to.deep.equal([]);
  });

  it('takes --root=x, --root x and -r x', () => {
    expect(parseLine(['--root=/srv/a', 'status']).global.root).to.equal('/srv/a');
    expect(parseLine(['--root', '/srv/b', 'status']).global.root).to.equal('/srv/b');
    expect(parseLine(['status', '-r', '/srv/c']).global.root).to.equal('/srv/c');
  });

  it('keeps a value with "=" in it whole', () => {
    expect(parseLine(['--uri=a.test:8080/x=y', 'status']).global.uri).to.equal('a.test:8080/x=y');
  });

  it('takes global flags anywhere on the line, short and long', () => {
    const line = parseLine(['-y', 'pm-enable', '--backend', 'delta', '-v', '-d', '-q', '-h', '--format=json']);
    expect(line.command).to.equal('pm-enable');
    expect(line.rest).to.deep.equal(['delta']);
    expect(line.global).to.include({ backend: true, yes: true, verbose: true, debug: true, quiet: true, help: true, format: 'json' });
    const long = parseLine(['status', '--yes', '--verbose', '--debug', '--quiet', '--help', '--format', 'human']);
    expect(long.global).to.include({ yes: true, verbose: true, debug: true, quiet: true, help: true, format: 'human' });
  });

  it('leaves a flag with an inline value to the command (--backend=1 is not --backend)', () => {
    const line = parseLine(['status', '--backend=1']);
    expect(line.global.backend).to.equal(false);
    expect(line.rest).to.deep.equal(['--backend=1']);
  });

  it('takes the command as the first word that is not an option and leaves the rest to it', () => {
    const line = parseLine(['--uri=a.test', 'config-set', 'system.site_name', '--input-format=json', '"x"', '-l', 'b.test']);
    expect(line.command).to.equal('config-set');
    expect(line.rest).to.deep.equal(['system.site_name', '--input-format=json', '"x"']);
    expect(line.global.uri).to.equal('b.test');
  });

  it('leaves options it does not know to the command, before the command name too', () => {
    const line = parseLine(['--force', 'site-install', 'minimal']);
    expect(line.command).to.equal('site-install');
    expect(line.rest).to.deep.equal(['--force', 'minimal']);
  });

  it('passes everything after "--" through untouched, globals included', () => {
    const line = parseLine(['config-set', '--', '--uri=x', '-y', '@a', '--format=xml']);
    expect(line.command).to.equal('config-set');
    expect(line.rest).to.deep.equal(['--', '--uri=x', '-y', '@a', '--format=xml']);
    expect(line.global.uri).to.equal(undefined);
    expect(line.global.yes).to.equal(false);
    expect(line.global.format).to.equal('human');
  });

  it('with --uri, an @name after the command is the command\'s first argument (a hosting object), before it the site', () => {
    for (const argv of [['--uri=hostmaster.test', 'hosting-task', '@shop.test', 'backup'], ['hosting-task', '@shop.test', 'backup', '--uri=hostmaster.test']]) {
      const line = parseLine(argv);
      expect(line.global.alias, argv.join(' ')).to.equal(undefined);
      expect(line.global.uri).to.equal('hostmaster.test');
      expect(line.rest).to.deep.equal(['@shop.test', 'backup']);
    }
    expect(parseLine(['provision-save', '@shop.test', '--platform=@p']).global.alias).to.equal('shop.test');
    expect(parseLine(['@hostmaster.test', 'hosting-task', '@shop.test', 'backup']).rest).to.deep.equal(['@shop.test', 'backup']);
  });

  it('takes @alias as the first word (after global options at most)', () => {
    const line = parseLine(['@example.test', 'status']);
    expect(line.global.alias).to.equal('example.test');
    expect(line.command).to.equal('status');
    expect(parseLine(['-y', '@site_1', 'status']).global.alias).to.equal('site_1');
  });

  it('takes @alias right after the command too (aegir provision-save @name ...), but not later', () => {
    const line = parseLine(['provision-save', '@example.test', '--context-type=site']);
    expect(line.global.alias).to.equal('example.test');
    expect(line.command).to.equal('provision-save');
    expect(line.rest).to.deep.equal(['--context-type=site']);
    const later = parseLine(['config-set', 'system.site_mail', '@example.test']);
    expect(later.global.alias).to.equal(undefined);
    expect(later.rest).to.deep.equal(['system.site_mail', '@example.test']);
  });

  it('does not take a second @word as another alias', () => {
    const line = parseLine(['@a.test', '@b.test']);
    expect(line.global.alias).to.equal('a.test');
    expect(line.command).to.equal('@b.test');
  });

  it('rejects a bad alias name with ERR_CLI_ARGUMENT_INVALID', async () => {
    for (const bad of ['@', '@-x', '@a/b', '@../etc', '@a b', `@${'a'.repeat(300)}`]) {
      const e = await expectCode(() => parseLine([bad, 'status']), 'ERR_CLI_ARGUMENT_INVALID');
      expect(e.facts.argument).to.equal('alias');
    }
  });

  it('rejects --format other than human or json with ERR_CLI_OPTION_VALUE', async () => {
    const e = await expectCode(() => parseLine(['status', '--format=xml']), 'ERR_CLI_OPTION_VALUE');
    expect(e.facts.option).to.equal('format');
    expect(e.facts.command).to.equal('status');
    await expectCode(() => parseLine(['--format', 'yaml']), 'ERR_CLI_OPTION_VALUE');
  });

  it('needs a value for --uri, -l, --root and --format', async () => {
    for (const argv of [['status', '--uri'], ['-l'], ['status', '-r'], ['--format'], ['--uri', '--backend', 'status'], ['-l', '-y']]) {
      const e = await expectCode(() => parseLine(argv), 'ERR_CLI_OPTION_VALUE');
      expect(e.facts.problem).to.be.a('string');
    }
  });

  it('accepts an empty --uri= as given (the default site)', () => {
    expect(parseLine(['--uri=', 'status']).global.uri).to.equal('');
  });
});
