import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runProgram } from '../../core/util/exec.js';
import type { ServerContext } from '../../modules/provision/context/types.js';
import { freePort } from './ports.js';
export { freePort } from './ports.js';

const SSHD = '/usr/sbin/sshd';

/** A host key type the test server can present. */
export type HostKeyType = 'ed25519' | 'ecdsa';

/** An OpenSSH server for tests, on a loopback port, with its own config, keys and log. */
export interface TestSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The user the tests log in as (the user running the tests). */
  readonly user: string;
  /** Folder of config, host keys, authorized_keys, pid and log; removed by stop(). */
  readonly dir: string;
  /** An Aegir home whose `keys/id_ed25519` (made by ssh-keygen) is authorized on this server. */
  readonly home: string;
  /** SHA256 fingerprint of the host key the server presents now (ssh-keygen -l). */
  hostKeyFingerprint(): Promise<string>;
  /** A server context for this server. */
  server(name?: string, overrides?: { port?: number; user?: string }): ServerContext;
  /** Authorize another public key line. */
  authorize(publicKeyLine: string): void;
  /** Successful logins so far (sshd logs one "Accepted publickey" per connection). */
  logins(): number;
  /** TCP connections accepted so far, logins or not. */
  connections(): number;
  /** The sshd log. */
  log(): string;
  /** Stop (dropping every open connection) and start again on the same port, optionally with a new host key. */
  restart(opts?: { hostKey?: 'keep' | HostKeyType }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start sshd on 127.0.0.1 and a free port: a fresh folder under /tmp with a
 * config (public key authentication only, no PAM, StrictModes off,
 * internal-sftp), an ed25519 host key and an authorized_keys that holds a
 * client key the harness generates in a fresh Aegir home. Never touches
 * /etc/ssh. Fails with what to install when sshd is missing: SSH tests never
 * skip silently.
 */
export async function startSshd(): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error('OpenSSH server is not installed: apt-get install openssh-server openssh-client (see .ci/run).');
  const dir = mkdtempSync(join(tmpdir(), 'aegir-sshd-'));
  const home = join(dir, 'aegir-home');
  mkdirSync(join(home, 'keys'), { recursive: true, mode: 0o700 });
  await keygen('ed25519', join(home, 'keys', 'id_ed25519'), 'aegir-test-client');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(join(home, 'keys', 'id_ed25519.pub')), { mode: 0o600 });
  // As root, sshd needs its privilege separation folder.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const user = userInfo().username;
  const log = join(dir, 'sshd.log');
  writeFileSync(log, '');
  let hostKey = await newHostKey(dir, 'ed25519');
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const conf = join(dir, 'sshd_config');
    writeFileSync(conf, [
      'ListenAddress 127.0.0.1', `Port ${port}`, `HostKey ${hostKey}`, `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, 'sshd.pid')}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password',
      'UseDNS no', 'PrintMotd no', 'LogLevel VERBOSE', 'MaxStartups 100', 'MaxSessions 10',
      // bash, started by sshd for every command, reads the user's ~/.bashrc when
      // SHLVL says it is the first shell; this machine's root runs `pyenv init`
      // there (0.5 s a command). The back end needs nothing from a login shell.
      'SetEnv SHLVL=2',
      'Subsystem sftp internal-sftp', '',
    ].join('\n'));
    await runProgram(SSHD, ['-t', '-f', conf], { timeoutMs: 10_000 });
    const c = spawn(SSHD, ['-D', '-f', conf, '-E', log], { stdio: 'ignore' });
    child = c;
    const deadline = Date.now() + 15_000;
    while (!(await speaksSsh(port))) {
      if (c.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start on port ${port}; log:\n${readFileSync(log, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const halt = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c?.pid || c.exitCode !== null) return;
    // The per-connection processes are children of this sshd, started by this run: end them by pid,
    // parents first, so that clients see their connection drop rather than their commands die.
    for (const pid of descendants(c.pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    c.kill('SIGTERM');
    await new Promise((r) => (c.exitCode !== null ? r(undefined) : c.once('exit', r)));
  };

  await start();
  const count = (re: RegExp): number => (readFileSync(log, 'utf8').match(re) ?? []).length;
  return {
    host: '127.0.0.1', port, user, dir, home,
    hostKeyFingerprint: async () => (await runProgram('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])).stdout.split(' ')[1]!,
    server: (name = 'server_remote', o = {}) => ({
      type: 'server', name, host: '127.0.0.1', ssh: { port: o.port ?? port, user: o.user ?? user }, services: {},
    }),
    authorize: (line) => appendFileSync(authorized, `${line.trim()}\n`),
    logins: () => count(/Accepted publickey for /g),
    connections: () => count(/Connection from 127\.0\.0\.1 port \d+/g),
    log: () => readFileSync(log, 'utf8'),
    restart: async (opts = {}) => {
      await halt();
      if (opts.hostKey && opts.hostKey !== 'keep') hostKey = await newHostKey(dir, opts.hostKey);
      await start();
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function keygen(type: HostKeyType, path: string, comment: string): Promise<void> {
  await runProgram('ssh-keygen', ['-q', '-t', type, ...(type === 'ecdsa' ? ['-b', '256'] : []), '-N', '', '-C', comment, '-f', path], { timeoutMs: 30_000 });
}

let keyCount = 0;
async function newHostKey(dir: string, type: HostKeyType): Promise<string> {
  const path = join(dir, `host_${type}_${++keyCount}`);
  await keygen(type, path, 'aegir-test-host');
  return path;
}

/** Every process below `pid`, parents before children, from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(e), ppid);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) if (pp === p) { out.push(child); walk(child); }
  };
  walk(pid);
  return out;
}

/** Whether something on the port answers with an SSH banner. */
function speaksSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-')));
    s.once('error', () => done(false));
  });
}

