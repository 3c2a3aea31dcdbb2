import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Site } from '../../../core/site/site.js';
import { loadUserByName, passwordHash } from '../../../modules/user/accounts.js';
import { verifyPassword } from '../../../modules/user/password.js';
import { createRole, userRoles } from '../../../modules/user/roles.js';
import { cli, show, type CliRun } from '../../cli/run-helper.js';
import { installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { account } from './helpers.js';

/** The error code of a failed --backend run. */
function errorCode(run: CliRun): unknown {
  return (run.lines.at(-1) as { error?: { code?: string } }).error?.code;
}

describe('user commands (sqlite)', () => {
  let tc: TestCodebase;
  let site: Site;
  let secrets: string;
  const on = (...argv: string[]): Promise<CliRun> => cli(tc.root, ['--uri=site.test', ...argv]);
  const secretFile = (name: string, value: string): string => {
    const f = join(secrets, name);
    writeFileSync(f, `${value}\n`, { mode: 0o600 });
    return f;
  };

  before(async () => {
    tc = makeCodebase();
    site = await installTestSite(tc, 'sqlite');
    await createRole(site, { rid: 'editor', label: 'Editor' });
    secrets = mkdtempSync(join(tmpdir(), 'aegir-user-cli-'));
  });
  after(async () => {
    await site.close();
    tc.cleanup();
    rmSync(secrets, { recursive: true, force: true });
  });

  it('user-create makes an active account with the password from a file; names and mails stay unique', async () => {
    const run = await on('user-create', 'carol', '--mail=carol@site.test', `--password-file=${secretFile('carol', 'Carol-Pass-123')}`);
    expect(run.code, show(run)).to.equal(0);
    const carol = (await loadUserByName(site, 'carol'))!;
    expect(carol).to.deep.include({ mail: 'carol@site.test', status: 1 });
    expect(await verifyPassword('Carol-Pass-123', await passwordHash(site, carol.uid))).to.equal(true);
    expect(run.stdout + run.stderr).to.not.include('Carol-Pass-123');
    for (const argv of [['carol', '--mail=c2@site.test'], ['CAROL', '--mail=c3@site.test'], ['carol2', '--mail=carol@site.test'], ['bad<name>', '--mail=b@site.test'], ['nomail']]) {
      const r = await on('--backend', 'user-create', ...argv);
      expect(r.code, show(r)).to.equal(2);
      expect(['ERR_CLI_ARGUMENT_INVALID', 'ERR_CLI_OPTION_VALUE', 'ERR_CLI_OPTION_MISSING']).to.include(errorCode(r));
    }
  });

  it('user-password sets the password and ends the user\'s sessions; short passwords are refused', async () => {
    const uid = await account(site, 'dora');
    await site.db('core_sessions').insert({ sid: 'dora-session', uid, data: '{}', created: 1, accessed: 1, expires: Date.now() + 1e6 });
    const run = await on('user-password', 'dora', `--password-file=${secretFile('dora', 'Dora-New-Pass-1')}`);
    expect(run.code, show(run)).to.equal(0);
    expect(await verifyPassword('Dora-New-Pass-1', await passwordHash(site, uid))).to.equal(true);
    expect(await site.db('core_sessions').where({ uid })).to.have.length(0);
    const short = await on('--backend', 'user-password', 'dora', `--password-file=${secretFile('short', 'short')}`);
    expect(errorCode(short)).to.equal('ERR_CLI_OPTION_VALUE');
    const unknown = await on('--backend', 'user-password', 'nobody', `--password-file=${secretFile('x', 'Long-Enough-1')}`);
    expect(errorCode(unknown)).to.equal('ERR_CLI_ARGUMENT_INVALID');
  });

  it('user-block and user-unblock switch the status; blocking ends the user\'s sessions', async () => {
    const uid = await account(site, 'erin');
    await site.db('core_sessions').insert({ sid: 'erin-session', uid, data: '{}', created: 1, accessed: 1, expires: Date.now() + 1e6 });
    expect((await on('user-block', 'erin')).code).to.equal(0);
    expect((await loadUserByName(site, 'erin'))!.status).to.equal(0);
    expect(await site.db('core_sessions').where({ uid }), 'blocking ends the sessions').to.have.length(0);
    expect((await on('user-unblock', 'erin')).code).to.equal(0);
    expect((await loadUserByName(site, 'erin'))!.status).to.equal(1);
    expect(errorCode(await on('--backend', 'user-block', 'nobody'))).to.equal('ERR_CLI_ARGUMENT_INVALID');
    // User 1 is never blocked, not even from the console (the same rule as the account form).
    expect(errorCode(await on('--backend', 'user-block', 'admin'))).to.equal('ERR_USER_PROTECTED');
    expect((await loadUserByName(site, 'admin'))!.status).to.equal(1);
  });

  it('user-add-role and user-remove-role take a role and several names; unknown roles and users are refused', async () => {
    const a = await account(site, 'finn');
    const b = await account(site, 'gwen');
    const add = await on('user-add-role', 'editor', 'finn', 'gwen');
    expect(add.code, show(add)).to.equal(0);
    expect(await userRoles(site, a)).to.deep.equal(['editor']);
    expect(await userRoles(site, b)).to.deep.equal(['editor']);
    expect((await on('user-remove-role', 'editor', 'gwen')).code).to.equal(0);
    expect(await userRoles(site, b)).to.deep.equal([]);
    expect(errorCode(await on('--backend', 'user-add-role', 'no_role', 'finn'))).to.equal('ERR_CLI_ARGUMENT_INVALID');
    expect(errorCode(await on('--backend', 'user-add-role', 'authenticated', 'finn'))).to.equal('ERR_CLI_ARGUMENT_INVALID');
    // One unknown name changes nobody.
    expect(errorCode(await on('--backend', 'user-add-role', 'editor', 'gwen', 'ghost'))).to.equal('ERR_CLI_ARGUMENT_INVALID');
    expect(await userRoles(site, b)).to.deep.equal([]);
  });

  it('user-login prints a link for user 1, a named user or --uid, on the address given with --uri', async () => {
    const uid = await account(site, 'hank');
    expect((await on('user-login')).stdout).to.match(/^http:\/\/site\.test\/user\/reset\/1\/\d+\/[\w-]{43}\n$/);
    expect((await on('user-login', 'hank')).stdout).to.match(new RegExp(`^http://site\\.test/user/reset/${uid}/`));
    expect((await on('user-login', `--uid=${uid}`)).stdout).to.match(new RegExp(`/user/reset/${uid}/`));
    const https = await cli(tc.root, ['--uri=https://site.test/', 'user-login']);
    expect(https.stdout, show(https)).to.match(/^https:\/\/site\.test\/user\/reset\/1\//);
    const backend = await on('--backend', 'user-login', 'hank');
    expect((backend.lines.at(-1) as { output: { uid: number; url: string } }).output).to.deep.include({ uid });
  });

  it('user-login refuses unknown and blocked users, and a name with --uid', async () => {
    await account(site, 'ivy', [], 0);
    for (const argv of [['nobody'], ['--uid=99999'], ['ivy'], ['hank', '--uid=1']]) {
      const r = await on('--backend', 'user-login', ...argv);
      expect(r.code, show(r)).to.equal(2);
      expect(errorCode(r)).to.equal('ERR_CLI_ARGUMENT_INVALID');
    }
  });
});
