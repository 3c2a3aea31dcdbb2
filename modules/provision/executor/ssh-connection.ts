import { connect as netConnect, type Socket } from 'node:net';
import type { Client, ClientChannel, ServerHostKeyAlgorithm, SFTPWrapper } from 'ssh2';
import { ssh2 } from './ssh2-lazy.js';
import { AegirError, isAegirError } from '../../../core/errors/aegir-error.js';
import type { ServerContext } from '../context/types.js';
import { backendKey, keyPaths } from './keys.js';
import { algorithmsFor, KnownHosts } from './known-hosts.js';

/** How to connect to a server. */
export interface SshConnectOptions {
  /** The Aegir home: the back end's key pair (`keys/`) and `known_hosts.json`. */
  readonly home: string;
  /** Pin the host key when none is pinned yet; only an explicit verify sets this. */
  readonly pin?: boolean;
  /** Give up on TCP connect, handshake and authentication after this long; default 15 s. */
  readonly connectTimeoutMs?: number;
}

const closedSessions = new WeakSet<SFTPWrapper>();

/**
 * Whether an SFTP session still takes requests. ssh2 drops a request made
 * after the session closed without ever calling back, so every request
 * checks this first.
 */
export function sftpOpen(s: SFTPWrapper): boolean {
  return !closedSessions.has(s);
}

/** Why a server could not be reached, as the `reason` fact of ERR_SERVER_UNREACHABLE. */
export type UnreachableReason = 'refused' | 'timeout' | 'auth' | 'dns' | 'network' | 'lost' | 'session';

interface Live {
  readonly client: Client;
  readonly sock: Socket;
  dead: boolean;
  sftp?: Promise<SFTPWrapper> | undefined;
}

/**
 * One SSH connection to a server, opened on first use and shared by every
 * operation of its executor; opened again (once per operation) when it
 * dropped. The host key is checked against the pinned one in the handshake,
 * before authentication, so nothing is sent to a server that fails it. While
 * no operation runs, the socket does not keep the process alive.
 */
export class SshConnection {
  readonly server: string;
  /** `user@host:port`, for messages. */
  readonly target: string;
  /** The host key of the last connection, and whether that connection pinned it. */
  hostKey: { readonly fingerprint: string; readonly pinnedNow: boolean } | undefined;
  /** Connections opened so far (reuse means this stays at 1). */
  opened = 0;
  private readonly host: string;
  private readonly port: number;
  private readonly user: string;
  private live: Live | undefined;
  private connecting: Promise<Live> | undefined;
  private active = 0;

  constructor(context: ServerContext, private readonly opts: SshConnectOptions) {
    if (!context.ssh) throw new AegirError('ERR_CONTEXT_INVALID', { name: context.name, problem: 'a server other than localhost needs "ssh" settings' });
    this.server = context.name;
    this.host = context.host;
    this.port = context.ssh.port;
    this.user = context.ssh.user;
    this.target = `${this.user}@${this.host}:${this.port}`;
  }

  /** Run an operation; the socket is referenced only while some operation runs. */
  async busy<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active++ === 0) this.live?.sock.ref();
    try {
      return await fn();
    } finally {
      if (--this.active === 0) this.live?.sock.unref();
    }
  }

  /** Start a command (already a quoted string) in a new session channel. */
  exec(command: string): Promise<ClientChannel> {
    return this.withRetry((l) => new Promise<ClientChannel>((resolve, reject) => {
      l.client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel)));
    }));
  }

  /** The SFTP session of the connection, started on first use. */
  sftp(): Promise<SFTPWrapper> {
    return this.withRetry(async (l) => {
      const prev = l.sftp;
      if (prev) {
        const cur = await prev.catch(() => undefined);
        if (cur && sftpOpen(cur)) return cur;
        if (l.sftp === prev) l.sftp = undefined;
        if (l.sftp) return l.sftp;
      }
      const opening = new Promise<SFTPWrapper>((resolve, reject) => {
        l.client.sftp((err, s) => {
          if (err) return reject(err);
          s.on('error', () => undefined);
          const ended = (): void => this.endSftp(s, false);
          s.on('end', ended);
          s.on('close', ended);
          resolve(s);
        });
      });
      l.sftp = opening;
      opening.catch(() => { if (l.sftp === opening) l.sftp = undefined; });
      return opening;
    });
  }

  /**
   * Stop using an SFTP session (one that hangs: ending it fails its pending
   * requests); the next file operation starts a new one.
   */
  endSftp(s: SFTPWrapper, end = true): void {
    // sftp() sees the mark and opens a new session.
    closedSessions.add(s);
    if (end) s.end();
  }

  /** Close the connection; the next operation opens a new one. */
  async close(): Promise<void> {
    const l = this.live ?? (await this.connecting?.catch(() => undefined));
    if (this.live === l) this.live = undefined;
    if (!l || l.dead) return;
    await new Promise<void>((resolve) => {
      l.sock.once('close', () => resolve());
      // Referenced while it closes: an idle connection's socket is unreferenced, and a process
      // with nothing else to do would end here without finishing the await (exit 13).
      l.sock.ref();
      l.client.end();
      setTimeout(() => l.sock.destroy(), 2000).unref();
    });
  }

  /** ERR_SERVER_UNREACHABLE for a connection-level failure, with a `reason` fact and what to do. */
  unreachable(e: Error & { code?: unknown; level?: unknown }, reason?: UnreachableReason): AegirError {
    if (isAegirError(e)) return e;
    const why: UnreachableReason = reason ?? (
      e.level === 'client-authentication' ? 'auth'
        : e.level === 'client-timeout' ? 'timeout'
          : e.code === 'ECONNREFUSED' ? 'refused'
            : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? 'dns'
              : e.level === 'client-socket' ? 'network' : 'lost');
    const problem: Record<UnreachableReason, string> = {
      auth: `the server refused the back end's key for user "${this.user}"; add the line of ${keyPaths(this.opts.home).publicPath} to ~${this.user}/.ssh/authorized_keys on the server`,
      timeout: `no SSH handshake within ${(this.opts.connectTimeoutMs ?? 15_000) / 1000} s (${e.message})`,
      refused: 'connection refused; is sshd running on that port?',
      dns: `the host name does not resolve (${e.message})`,
      network: e.message,
      lost: e.message,
      session: `the server refused a new session (${e.message})`,
    };
    return new AegirError('ERR_SERVER_UNREACHABLE', { server: this.server, target: this.target, problem: problem[why], reason: why }, { cause: e });
  }

  /**
   * Open a channel on the connection; when that fails because the
   * connection had dropped, connect again and try once more. Nothing had
   * started on the server then, so the retry cannot run anything twice.
   */
  private async withRetry<T>(open: (l: Live) => Promise<T>): Promise<T> {
    const first = await this.connect();
    try {
      return await open(first);
    } catch (e) {
      if (!first.dead) throw this.unreachable(e as Error, 'session');
      this.drop(first);
    }
    const second = await this.connect();
    try {
      return await open(second);
    } catch (e) {
      throw this.unreachable(e as Error, second.dead ? 'lost' : 'session');
    }
  }

  private connect(): Promise<Live> {
    if (this.live && !this.live.dead) return Promise.resolve(this.live);
    this.connecting ??= this.open().then(
      (l) => { this.live = l; this.connecting = undefined; return l; },
      (e: unknown) => { this.connecting = undefined; throw e; },
    );
    return this.connecting;
  }

  private drop(l: Live): void {
    if (this.live === l) this.live = undefined;
    l.sock.destroy();
  }

  private open(): Promise<Live> {
    const key = backendKey(this.opts.home);
    const knownHosts = new KnownHosts(this.opts.home);
    const pinnedType = knownHosts.get(this.server)?.key.split(' ')[0];
    return new Promise((resolve, reject) => {
      const client = new (ssh2().Client)();
      const sock = netConnect({ host: this.host, port: this.port });
      sock.setKeepAlive(true, 15_000);
      const live: Live = { client, sock, dead: false };
      let hostKeyError: unknown;
      let unpinned: Buffer | undefined;
      let settled = false;
      const fail = (e: Error & { level?: unknown }): void => {
        live.dead = true;
        if (settled) return;
        settled = true;
        sock.destroy();
        if (hostKeyError) return reject(hostKeyError);
        // Only keys of the pinned type are accepted: a server without one fails to negotiate.
        if (pinnedType && e.level === 'handshake' && /host key/i.test(e.message)) {
          const pinned = knownHosts.get(this.server);
          return reject(new AegirError('ERR_HOST_KEY_MISMATCH', {
            server: this.server, target: `${this.host}:${this.port}`, expected: pinned?.fingerprint ?? pinnedType,
            actual: `a key of another type (no ${pinnedType} key offered)`, file: knownHosts.path,
          }));
        }
        reject(this.unreachable(e));
      };
      sock.on('close', () => { live.dead = true; });
      client.on('error', (e: Error) => fail(e));
      client.on('end', () => fail(new Error('the server closed the connection')));
      client.on('close', () => fail(new Error('the server closed the connection')));
      client.on('ready', () => {
        // A new key is pinned only once the server also accepted the back end's key.
        if (unpinned) {
          try {
            knownHosts.pin(this.server, `${this.host}:${this.port}`, unpinned);
            this.hostKey = { fingerprint: this.hostKey!.fingerprint, pinnedNow: true };
          } catch (e) {
            hostKeyError = e;
            return fail(e as Error);
          }
        }
        settled = true;
        this.opened++;
        if (this.active === 0) sock.unref();
        resolve(live);
      });
      client.connect({
        sock,
        host: this.host,
        port: this.port,
        username: this.user,
        privateKey: key.privateKey,
        readyTimeout: this.opts.connectTimeoutMs ?? 15_000,
        tryKeyboard: false,
        ...(pinnedType ? { algorithms: { serverHostKey: algorithmsFor(pinnedType) as ServerHostKeyAlgorithm[] } } : {}),
        hostVerifier: (blob: Buffer): boolean => {
          try {
            const found = knownHosts.check(this.server, `${this.host}:${this.port}`, blob, { pin: this.opts.pin === true });
            this.hostKey = { fingerprint: found.fingerprint, pinnedNow: false };
            if (found.isNew) unpinned = blob;
            return true;
          } catch (e) {
            hostKeyError = e;
            return false;
          }
        },
      });
    });
  }
}
