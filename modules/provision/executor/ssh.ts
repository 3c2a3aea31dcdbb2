import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { AegirError, isAegirError } from '../../../core/errors/aegir-error.js';
import type { ServerContext } from '../context/types.js';
import { SshConnection, type SshConnectOptions } from './ssh-connection.js';
import { abortable, extension, req, sendSignal, Slots, statusOf, StderrWithPid } from './ssh-util.js';
import { remoteCommand } from './quote.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** Settings of a remote executor beyond the server context. */
export interface SshExecutorOptions extends SshConnectOptions {
  /** Timeout of a command that sets none, and of each file operation; default 10 minutes. */
  readonly commandTimeoutMs?: number;
  /** Commands at once over the one connection (sshd's MaxSessions is 10 by default; SFTP takes one); default 8. */
  readonly maxChannels?: number;
  /** How long a stopped command gets after SIGTERM before SIGKILL; default 2 s. */
  readonly killGraceMs?: number;
}

const SFTP_ERRNO: Record<number, string> = { 2: 'ENOENT', 3: 'EACCES', 4: 'EFAILURE', 8: 'ENOTSUP' };
const CHUNK = 64 * 1024;
const WRITES_IN_FLIGHT = 8;

/**
 * The executor of a server reached over SSH (ssh2): key authentication with
 * the back end's key, the host key pinned and checked on every connection,
 * one connection for all operations (reconnected once when it dropped),
 * commands as single-quoted argument arrays with a timeout and cancellation
 * that signal the remote process, and files over SFTP. Every error names the
 * server.
 */
export class SshExecutor implements Executor {
  readonly local = false;
  readonly server: string;
  /** The connection (exposed for reports and tests: host key, connection count). */
  readonly connection: SshConnection;
  private readonly commandTimeoutMs: number;
  private readonly killGraceMs: number;
  private readonly slots: Slots;

  constructor(context: ServerContext, opts: SshExecutorOptions) {
    this.server = context.name;
    this.connection = new SshConnection(context, opts);
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 600_000;
    this.killGraceMs = opts.killGraceMs ?? 2000;
    this.slots = new Slots(opts.maxChannels ?? 8);
  }

  async run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = remoteCommand(argv, { cwd: opts.cwd, env: opts.env, announcePid: true });
    const what = `"${argv.join(' ').slice(0, 80)}" on "@${this.server}"`;
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new AegirError('ERR_TIMEOUT', { what, seconds: timeoutMs / 1000, server: this.server })), timeoutMs);
    const onAbort = (): void => {
      const r: unknown = opts.signal?.reason;
      stop.abort(new AegirError('ERR_ABORTED', { what, reason: typeof r === 'string' ? r : undefined, server: this.server }));
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.connection.busy(async () => {
        const release = await this.slots.acquire(stop.signal);
        try {
          // A channel that opens after giving up is still driven, which stops its command at once.
          const channel = await abortable(this.connection.exec(command), stop.signal, (late) => {
            this.drive(late, argv[0]!, what, {}, stop.signal).catch(() => undefined);
          });
          return await this.drive(channel, argv[0]!, what, opts, stop.signal);
        } finally {
          release();
        }
      });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Feed, collect and wait for one command. On `stop` (timeout or
   * cancellation) stop its process group and wait until the channel closed,
   * so that nothing of it runs on when this rejects; give up waiting only if
   * the server does not answer at all.
   */
  private drive(channel: ClientChannel, program: string, what: string, opts: ExecOptions, stop: AbortSignal): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err = new StderrWithPid();
      let exit: { code: number | null; signal?: string } | undefined;
      let stopping: (() => void) | undefined;
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        stop.removeEventListener('abort', onStop);
        fn();
      };
      if (opts.stdout) channel.pipe(opts.stdout, { end: false });
      else channel.on('data', (c: Buffer) => out.push(c));
      channel.stderr.on('data', (c: Buffer) => err.push(c, () => stopping?.()));
      channel.on('error', () => undefined);
      channel.on('exit', (code: number | null, signal?: string) => { exit = { code, ...(signal ? { signal } : {}) }; });
      const onStop = (): void => {
        if (exit || stopping) return;
        stopping = this.stopper(channel, () => err.pid, () => settle(() => reject(stop.reason)));
      };
      stop.addEventListener('abort', onStop, { once: true });
      channel.on('close', () => settle(() => {
        const stderr = err.text();
        if (stopping) return reject(stop.reason);
        if (!exit) return reject(this.connection.unreachable(new Error(`the connection was lost while running ${what}`), 'lost'));
        if (exit.code === 0) return resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr });
        // The shell's own "exec: x: not found", as spawn's ENOENT locally.
        if (exit.code === 127 && /not found/.test(stderr)) {
          return reject(new AegirError('ERR_TOOL_MISSING', { tool: `${program} (on "@${this.server}")`, purpose: 'this operation', package: `the package that provides ${program} on that server`, server: this.server }));
        }
        reject(new AegirError('ERR_TOOL_FAILED', {
          tool: `${program} on "@${this.server}"`,
          code: exit.code ?? `signal ${exit.signal ?? '?'}`,
          problem: stderr.trim().split('\n').slice(-3).join(' ') || 'no error output',
          server: this.server,
        }));
      }));
      if (opts.input instanceof Readable) opts.input.pipe(channel);
      else channel.end(opts.input ?? '');
      if (stop.aborted) onStop();
    });
  }

  /**
   * Stop a command: SIGTERM to its process group (kill(1) over another
   * channel, as soon as its pid is known, plus a "signal" request for servers
   * that take one), SIGKILL after the grace time, then close the channel;
   * `giveUp` if even that brings no answer. Returns what to call when the pid
   * arrives late.
   */
  private stopper(channel: ClientChannel, pid: () => number | undefined, giveUp: () => void): () => void {
    const signal = (name: 'TERM' | 'KILL'): void => {
      try { sendSignal(channel, name); } catch { /* channel already gone */ }
      const p = pid();
      if (p !== undefined) this.killGroup(p, name);
    };
    signal('TERM');
    const timers = [
      setTimeout(() => signal('KILL'), this.killGraceMs),
      setTimeout(() => channel.close(), this.killGraceMs + 1000),
      setTimeout(giveUp, this.killGraceMs + 5000),
    ];
    channel.once('close', () => timers.forEach(clearTimeout));
    let sent = pid() !== undefined;
    return () => {
      if (sent) return;
      sent = true;
      signal('TERM');
    };
  }

  /** `kill -<signal> -- -<pgid>` on the server, outside the channel limit; failures are ignored. */
  private killGroup(pid: number, signal: 'TERM' | 'KILL'): void {
    this.connection.exec(remoteCommand(['kill', `-${signal}`, '--', `-${pid}`])).then((ch) => {
      ch.on('error', () => undefined);
      ch.resume();
      ch.stderr.resume();
      ch.end();
    }, () => undefined);
  }

  readFile(path: string): Promise<Buffer> {
    return this.file('read', path, (s) => req<Buffer>(s, (cb) => s.readFile(path, cb)));
  }

  writeFile(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    return this.file('write', path, async (s) => {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const tmp = posix.join(posix.dirname(path), `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await req<Buffer>(s, (cb) => s.open(tmp, 'wx', { mode }, cb));
      try {
        try {
          let next = 0;
          let failed = false;
          const writer = async (): Promise<void> => {
            while (next < buf.length && !failed) {
              const at = next;
              next += CHUNK;
              await req(s, (cb) => s.write(handle, buf, at, Math.min(CHUNK, buf.length - at), at, cb)).catch((e: unknown) => { failed = true; throw e; });
            }
          };
          await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, writer));
          await req(s, (cb) => s.fchmod(handle, mode, cb));
          await extension(() => req(s, (cb) => s.ext_openssh_fsync(handle, cb)));
        } finally {
          await req(s, (cb) => s.close(handle, cb));
        }
        await this.renameOver(s, tmp, path);
      } catch (e) {
        await req(s, (cb) => s.unlink(tmp, cb)).catch(() => undefined);
        throw e;
      }
    });
  }

  mkdir(path: string, mode = 0o755): Promise<void> {
    const mkdirp = async (s: SFTPWrapper, dir: string): Promise<void> => {
      try {
        await req(s, (cb) => s.mkdir(dir, { mode }, cb));
      } catch (e) {
        if (statusOf(e) === 2 && dir !== '/') {
          await mkdirp(s, posix.dirname(dir));
          return mkdirp(s, dir);
        }
        // OpenSSH answers a plain "failure" when it exists.
        const st = await req<{ isDirectory(): boolean }>(s, (cb) => s.stat(dir, cb)).catch(() => undefined);
        if (!st?.isDirectory()) throw e;
      }
    };
    return this.file('mkdir', path, (s) => mkdirp(s, posix.normalize(path)));
  }

  async remove(path: string): Promise<boolean> {
    checkPath(path);
    if (posix.normalize(path) === '/') throw new AegirError('ERR_PATH_INVALID', { path, problem: 'the root folder is never removed' });
    // lstat: a symlink is there even when what it points to is not.
    const present = await this.file('lstat', path, (s) => req<unknown>(s, (cb) => s.lstat(path, cb)).then(() => true, (e: unknown) => {
      if (statusOf(e) !== undefined) return false;
      throw e;
    }));
    if (present) await this.run(['rm', '-rf', '--', path]);
    return present;
  }

  exists(path: string): Promise<boolean> {
    return this.file('stat', path, (s) => req<unknown>(s, (cb) => s.stat(path, cb)).then(() => true, (e: unknown) => {
      if (statusOf(e) !== undefined) return false;
      throw e;
    }));
  }

  async rename(from: string, to: string): Promise<void> {
    checkPath(to);
    return this.file('rename', from, (s) => this.renameOver(s, from, to));
  }

  list(path: string): Promise<string[]> {
    return this.file('list', path, (s) => req<{ filename: string }[]>(s, (cb) => s.readdir(path, cb)).then(
      (entries) => entries.map((e) => e.filename).filter((n) => n !== '.' && n !== '..').sort(),
      (e: unknown) => {
        // Missing or not a folder: empty, like the local executor; refused access is an error.
        if (statusOf(e) !== undefined && statusOf(e) !== 3) return [];
        throw e;
      },
    ));
  }

  async freeBytes(path: string): Promise<number> {
    checkPath(path);
    const { stdout } = await this.run(['df', '-P', '-B1', '--', path], { timeoutMs: 60_000 });
    const free = parseDfAvailable(stdout);
    if (free === undefined) throw new AegirError('ERR_TOOL_FAILED', { tool: `df on "@${this.server}"`, code: 0, problem: `unexpected output: ${stdout.slice(0, 200)}`, server: this.server });
    return free;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** Rename over an existing target atomically: OpenSSH's posix-rename, else mv on the server. */
  private async renameOver(s: SFTPWrapper, from: string, to: string): Promise<void> {
    const done = await extension(() => req(s, (cb) => s.ext_openssh_rename(from, to, cb)));
    if (!done) await this.run(['mv', '-f', '--', from, to], { timeoutMs: 60_000 });
  }

  /** One SFTP operation on an absolute path, with the command timeout and errors naming the server. */
  private async file<T>(op: string, path: string, fn: (s: SFTPWrapper) => Promise<T>): Promise<T> {
    checkPath(path);
    return this.connection.busy(async () => {
      let session: SFTPWrapper | undefined;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new AegirError('ERR_TIMEOUT', { what: `SFTP ${op} of ${path} on "@${this.server}"`, seconds: this.commandTimeoutMs / 1000, server: this.server }));
          // A stuck session is ended, which fails its pending requests; the next operation starts a new one.
          if (session) this.connection.endSftp(session);
        }, this.commandTimeoutMs);
      });
      const work = this.connection.sftp().then((s) => { session = s; return fn(s); });
      try {
        return await Promise.race([work, timeout]);
      } catch (e) {
        if (isAegirError(e)) throw e;
        const status = statusOf(e);
        if (status === undefined) throw this.connection.unreachable(e as Error);
        throw new AegirError('ERR_TOOL_FAILED', {
          tool: `SFTP on "@${this.server}"`, code: SFTP_ERRNO[status] ?? `status ${status}`,
          problem: `${op} ${path}: ${(e as Error).message}`, server: this.server, path,
        });
      } finally {
        clearTimeout(timer);
      }
    });
  }
}

/** Available bytes from `df -P -B1` output (the last line; file system names may hold spaces). */
export function parseDfAvailable(out: string): number | undefined {
  const line = out.trim().split('\n').at(-1) ?? '';
  const m = /\s(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+\S/.exec(line);
  return m ? Number(m[3]) : undefined;
}

/** Remote paths are absolute: SFTP would take relative ones from the login folder. */
function checkPath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0')) {
    throw new AegirError('ERR_PATH_INVALID', { path: String(path).replace(/\0/g, '\\0').slice(0, 200), problem: 'paths on a remote server must be absolute and without NUL bytes' });
  }
}
