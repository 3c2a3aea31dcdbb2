import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { AegirError } from '../errors/aegir-error.js';

/** How to run an external program. */
export interface RunOptions {
  /** Kill it after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Text, bytes or a stream to write to its standard input, then close it. */
  readonly input?: string | Buffer | Readable;
  /** Send its standard output here instead of collecting it. */
  readonly stdout?: Writable;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /**
   * Start the program as the leader of a process group of its own, so that
   * a timeout or a cancellation ends everything it started (its children
   * are in its group), and so that its owner can record the group and end
   * it later, even after the owner itself died.
   */
  readonly group?: boolean;
  /** Called with the pid once the program runs (with `group`, the pid is the group's id). */
  readonly onSpawn?: (pid: number) => void;
  /** Called when the program has ended. */
  readonly onExit?: (pid: number) => void;
}

/** What a finished program left. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a program with an argument array (never a shell string), with a
 * timeout and cancellation. A missing program is ERR_TOOL_MISSING; a non-zero
 * exit is ERR_TOOL_FAILED with the end of its error output.
 */
export function runProgram(program: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const grouped = opts.group === true;
    if (opts.signal?.aborted) return reject(new AegirError('ERR_ABORTED', { what: program }));
    const child = spawn(program, args, {
      stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd, detached: grouped,
      ...(grouped ? {} : { signal: opts.signal }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let aborted = false;
    // A group is ended as a whole: SIGTERM to every member, SIGKILL to what is left after a grace period.
    const end = (): void => {
      if (!grouped || !child.pid) { child.kill('SIGTERM'); return; }
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 2000).unref();
    };
    const timer = setTimeout(() => { timedOut = true; end(); }, opts.timeoutMs ?? 600_000);
    const onAbort = (): void => { aborted = true; end(); };
    if (grouped) opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid) opts.onSpawn?.(child.pid);
    if (opts.stdout) child.stdout.pipe(opts.stdout, { end: false });
    else child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => { if (err.reduce((n, b) => n + b.length, 0) < 65536) err.push(c); });
    child.stdin.on('error', () => undefined);
    if (opts.input instanceof Readable) opts.input.pipe(child.stdin);
    else child.stdin.end(opts.input ?? '');
    const settle = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (child.pid) opts.onExit?.(child.pid);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      settle();
      if (e.code === 'ENOENT') reject(new AegirError('ERR_TOOL_MISSING', { tool: program, purpose: 'this operation', package: `the package that provides ${program}` }));
      else if (e.name === 'AbortError') reject(new AegirError('ERR_ABORTED', { what: program }));
      else reject(e);
    });
    child.on('close', (code) => {
      settle();
      const stderr = Buffer.concat(err).toString('utf8');
      if (aborted) return reject(new AegirError('ERR_ABORTED', { what: program }));
      if (timedOut) return reject(new AegirError('ERR_TIMEOUT', { what: program, seconds: Math.round((opts.timeoutMs ?? 600_000) / 1000) }));
      if (code !== 0) return reject(new AegirError('ERR_TOOL_FAILED', { tool: program, code: code ?? 'signal', problem: stderr.trim().split('\n').slice(-3).join(' ') || 'no error output' }));
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/** The first of `names` found on PATH, or undefined. */
export async function findProgram(names: readonly string[]): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
  for (const n of names) {
    for (const d of dirs) {
      try {
        await access(`${d}/${n}`, constants.X_OK);
        return `${d}/${n}`;
      } catch { /* next */ }
    }
  }
  return undefined;
}
