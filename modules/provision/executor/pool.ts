import type { ServerContext } from '../context/types.js';
import { backendKey } from './keys.js';
import { LocalExecutor } from './local.js';
import { SshExecutor, type SshExecutorOptions } from './ssh.js';
import type { Executor } from './types.js';

/** Settings for remote executors; pinning is left to verifyServerConnection. */
export type PoolOptions = Omit<SshExecutorOptions, 'home' | 'pin'>;

const cache = new Map<string, SshExecutor>();

/**
 * The executor of a server: the local one for `localhost`, else an
 * SshExecutor, one per server (and home, host, port and user) in this
 * process, so that all tasks of a run share its connection. Options apply
 * when the executor is first made.
 */
export function executorFor(server: ServerContext, home: string, opts: PoolOptions = {}): Executor {
  if (server.host === 'localhost') return new LocalExecutor(server.name);
  const key = JSON.stringify([home, server.name, server.host, server.ssh?.port, server.ssh?.user]);
  let ex = cache.get(key);
  if (!ex) {
    ex = new SshExecutor(server, { ...opts, home });
    cache.set(key, ex);
  }
  return ex;
}

/** Close every cached remote executor (at the end of a run); later calls make new ones. */
export async function closeAll(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map((ex) => ex.close()));
}

/** What verifying a server found. */
export interface VerifyReport {
  readonly server: string;
  /** `localhost`, or `user@host:port`. */
  readonly target: string;
  readonly local: boolean;
  /** `uname -s` of the server (`Linux`). */
  readonly system: string;
  /** SHA256 fingerprint of the server's host key (remote only). */
  readonly hostKey?: string | undefined;
  /** Whether this verify pinned the host key (first verify in pin mode). */
  readonly pinnedNow: boolean;
  /** The back end's public key, for the server's authorized_keys. */
  readonly publicKey: string;
  /** One line for humans. */
  readonly summary: string;
}

/**
 * Check that a server can be worked on: connect (generating the back end's
 * key if missing), pin the host key on first verify when `pin` is set or
 * check it against the pinned one, and run `uname -s`. Fails with
 * ERR_SERVER_UNREACHABLE, ERR_HOST_KEY_UNKNOWN or ERR_HOST_KEY_MISMATCH.
 */
export async function verifyServerConnection(
  server: ServerContext,
  home: string,
  opts: { pin?: boolean; connectTimeoutMs?: number; timeoutMs?: number } = {},
): Promise<VerifyReport> {
  const publicKey = backendKey(home).publicKey;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (server.host === 'localhost') {
    const { stdout } = await new LocalExecutor(server.name).run(['uname', '-s'], { timeoutMs });
    const system = stdout.trim();
    return { server: server.name, target: 'localhost', local: true, system, pinnedNow: false, publicKey, summary: `@${server.name} is this machine (${system})` };
  }
  const ex = new SshExecutor(server, {
    home, pin: opts.pin === true, ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
  });
  try {
    const { stdout } = await ex.run(['uname', '-s'], { timeoutMs });
    const system = stdout.trim();
    const hostKey = ex.connection.hostKey;
    const pinnedNow = hostKey?.pinnedNow === true;
    return {
      server: server.name, target: ex.connection.target, local: false, system, hostKey: hostKey?.fingerprint, pinnedNow, publicKey,
      summary: `@${server.name} (${ex.connection.target}, ${system}): host key ${hostKey?.fingerprint ?? '?'} ${pinnedNow ? 'pinned now' : 'matches the pinned key'}`,
    };
  } finally {
    await ex.close();
  }
}
