import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { PID_MARKER } from './quote.js';
import { sftpOpen } from './ssh-connection.js';

// Helpers of the SSH executor: signals, standard error with the pid line, SFTP requests as promises, a cancellable semaphore.

/**
 * Send a signal request on a session channel. ssh2 1.17's `channel.signal()`
 * does nothing once standard input was ended (it checks the stream's
 * writable flag; see mscdex/ssh2 pull request 1510), and input is always
 * ended right away, so the request goes to its protocol directly while the
 * channel is open; the public method is the fallback.
 */
export function sendSignal(channel: ClientChannel, name: string): void {
  const c = channel as unknown as {
    outgoing?: { id?: unknown; state?: unknown };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  const protocol = c._client?._protocol;
  const { id, state } = c.outgoing ?? {};
  if (typeof id === 'number' && (state === 'open' || state === 'eof') && typeof protocol?.signal === 'function') protocol.signal(id, name);
  else channel.signal(name);
}

/**
 * Standard error of a command that starts with the PID_MARKER line: the
 * line is taken out, the rest kept (at most 64 KiB).
 */
export class StderrWithPid {
  pid: number | undefined;
  private head = '';
  private searching = true;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  push(chunk: Buffer, onPid: (pid: number) => void): void {
    if (this.searching) {
      this.head += chunk.toString('latin1');
      const m = new RegExp(`(^|\\n)${PID_MARKER}(\\d+)\\n`).exec(this.head);
      if (!m && this.head.length < 4096) return;
      this.searching = false;
      let rest = this.head;
      // "kill -- -1" would signal every process of the user: only a real group leader counts.
      if (m && Number(m[2]) > 1) {
        this.pid = Number(m[2]);
        rest = this.head.slice(0, m.index + m[1]!.length) + this.head.slice(m.index + m[0].length);
        onPid(this.pid);
      }
      this.head = '';
      chunk = Buffer.from(rest, 'latin1');
    }
    if (this.bytes < 65536 && chunk.length) {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    }
  }

  text(): string {
    return Buffer.concat([...(this.searching ? [Buffer.from(this.head, 'latin1')] : []), ...this.chunks]).toString('utf8');
  }
}


/** The SFTP status code of a failed request, undefined for other failures (connection lost). */
export function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A node-style callback call as a promise. */
export function call<T = void>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

/** One SFTP request as a promise; fails at once when the session has closed. */
export function req<T = void>(s: SFTPWrapper, fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  if (!sftpOpen(s)) return Promise.reject(new Error('the SFTP session was closed'));
  return call(fn);
}

/** Run an OpenSSH SFTP extension; false when the server lacks it (ssh2 throws at once then). */
export async function extension(fn: () => Promise<unknown>): Promise<boolean> {
  let p: Promise<unknown>;
  try {
    p = fn();
  } catch {
    return false;
  }
  await p;
  return true;
}

/**
 * Wait for a promise unless `signal` fires first; a value that arrives after
 * giving up is handed to `late` (a channel to shut, so that nothing runs
 * unwatched).
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, late: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    p.then(late, () => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => { p.then(late, () => undefined); reject(signal.reason as Error); };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      // After an abort, onAbort has already handed the value to `late`.
      (v) => { signal.removeEventListener('abort', onAbort); if (!signal.aborted) resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error); },
    );
  });
}

/** A counting semaphore whose waits can be cancelled. */
export class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  acquire(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      let released = false;
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(() => {
          if (released) return;
          released = true;
          const next = this.waiting.shift();
          if (next) next(); else this.free++;
        });
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason as Error);
      };
      if (this.free > 0) {
        this.free--;
        grant();
        return;
      }
      this.waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
