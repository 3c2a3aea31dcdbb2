import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeCodebase, REPO, type TestCodebase } from '../harness/codebase.js';

const AEGIR = join(REPO, 'bin', 'aegir');
/** The launcher rebuilds dist/ when sources changed; that can take a while on a slow machine. */
const TIMEOUT_MS = 180_000;

interface Spawned { code: number | null; stdout: string; stderr: string }

/** Environment of the spawned program: the test's, minus secrets, with its own Aegir home. */
function envFor(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, AEGIR_HOME: join(home, '.aegir'), NO_COLOR: '1' };
  delete env.AEGIR_DB_PASS;
  delete env.AEGIR_ACCOUNT_PASS;
  delete env.AEGIR_NO_BUILD;
  return env;
}

/** Run `node bin/aegir ...args` in `cwd` (an argument array: no shell). */
function aegir(cwd: string, args: readonly string[]): Promise<Spawned> {
  return new Promise((resolve) => {
    execFile(process.execPath, [AEGIR, ...args], { cwd, env: envFor(cwd), timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run bin/aegir with `input` on its standard input. */
function aegirWithStdin(cwd: string, args: readonly string[], input: string): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AEGIR, ...args], { cwd, env: envFor(cwd), stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const show = (r: Spawned): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('bin/aegir spawned end to end', function () {
  this.timeout(TIMEOUT_MS);
  let tc: TestCodebase;
  let secrets: string;
  const PASS = 'Spawned-Admin-Pass-3';

  before(async () => {
    tc = makeCodebase({ fixtures: false });
    secrets = mkdtempSync(join(tmpdir(), 'aegir-spawn-'));
    writeFileSync(join(secrets, 'pass'), `${PASS}\n`, { mode: 0o600 });
    const r = await aegir(tc.root, ['site-install', 'minimal', '--uri=example.test', `--account-pass-file=${join(secrets, 'pass')}`]);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.include('Installed sites/example.test with profile minimal.');
    expect(r.stdout + r.stderr).to.not.include(PASS);
  });
  after(() => {
    tc?.cleanup();
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  });

  it('--uri=example.test status shows the installed site and its profile', async () => {
    const r = await aegir(tc.root, ['--uri=example.test', 'status']);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.match(/Installed\s+: yes/);
    expect(r.stdout).to.match(/Install profile\s+: minimal/);
    expect(r.stdout).to.match(/Site folder\s+: sites\/example\.test/);
  });

  it('@example.test status works with the alias name as the address', async () => {
    const r = await aegir(tc.root, ['@example.test', 'status', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ installed: true, profile: 'minimal', uri: 'example.test', site: 'sites/example.test' });
  });

  it('--backend status prints JSON lines ending with the result', async () => {
    const r = await aegir(tc.root, ['--backend', '--uri=example.test', 'status']);
    expect(r.code, show(r)).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(last).to.deep.include({ type: 'result', status: 'success', command: 'status', error: null });
    expect(last.output).to.deep.include({ installed: true, profile: 'minimal' });
    for (const l of lines.slice(0, -1)) expect(l.type).to.equal('log');
  });

  it('an unknown command exits 2', async () => {
    const r = await aegir(tc.root, ['no-such-command']);
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr).to.include('[ERR_COMMAND_UNKNOWN]');
    const b = await aegir(tc.root, ['--backend', 'no-such-command']);
    expect(b.code).to.equal(2);
    const last = JSON.parse(b.stdout.trimEnd().split('\n').at(-1)!) as { status: string; error: { code: string } };
    expect(last.status).to.equal('error');
    expect(last.error.code).to.equal('ERR_COMMAND_UNKNOWN');
  });

  it('a command that needs an installed site exits 1 on an address without one', async () => {
    const r = await aegir(tc.root, ['--uri=nowhere.test', 'pm-list']);
    expect(r.code, show(r)).to.equal(1);
    expect(r.stderr).to.include('[ERR_SITE_NOT_INSTALLED]');
  });

  it('reads a secret from standard input with --account-pass-file=-', async () => {
    const pass = 'From-Standard-Input-8';
    const r = await aegirWithStdin(tc.root, ['--backend', 'site-install', 'minimal', '--uri=stdin.test', '--account-pass-file=-'], `${pass}\n`);
    expect(r.code, show(r)).to.equal(0);
    const last = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!) as { status: string; output: { passwordGenerated: boolean } };
    expect(last.status).to.equal('success');
    expect(last.output.passwordGenerated).to.equal(false);
    expect(r.stdout + r.stderr).to.not.include(pass);
    const st = await aegir(tc.root, ['--uri=stdin.test', 'status', '--format=json']);
    expect(JSON.parse(st.stdout)).to.deep.include({ installed: true, profile: 'minimal' });
  });

  it('shell-injection: arguments reach the command as words, never through a shell', async () => {
    const marker = join(secrets, 'pwned');
    const r = await aegir(tc.root, ['--uri=example.test', 'config-set', 'system.site_name', `$(touch ${marker}); \`touch ${marker}\``]);
    expect(r.code, show(r)).to.equal(0);
    const get = await aegir(tc.root, ['--uri=example.test', 'config-get', 'system.site_name', '--format=json']);
    expect(JSON.parse(get.stdout)).to.equal(`$(touch ${marker}); \`touch ${marker}\``);
    expect(existsSync(marker)).to.equal(false);
  });
});
