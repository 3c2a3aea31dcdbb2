import { spawn } from 'node:child_process';
import type { BackendResult } from '../../core/cli/output.js';
import { processStart, type ProcessIdentity } from '../../core/util/process-identity.js';
import { LineSplitter, parseLine, type BackendLog } from './protocol.js';

/** What running one back-end command needs. */
export interface BackendCall {
  /** The back end's bin/aegir. */
  readonly aegirBin: string;
  /** The command (`provision-install`) and its @context. */
  readonly command: string;
  readonly context: string;
  /** Options as `--name=value` (values are checked by the command's own parser). */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  /** The Aegir home the back end works in (its contexts, journals, secrets). */
  readonly home: string;
  /** A secret for the command, written to its standard input (never argv). */
  readonly stdin?: string;
  /** Every log entry, as it arrives (also text the back end wrote outside the protocol, as level `warning`). */
  readonly onLog: (entry: BackendLog) => void | Promise<void>;
  /** Told the child's identity once it runs (for heartbeats and for ending it after a crash). */
  readonly onSpawn?: (child: ProcessIdentity) => void;
  /** Cancel: the back end gets SIGTERM (it ends its commands and undoes its steps), then SIGKILL after `graceMs`. */
  readonly signal?: AbortSignal;
  /** How long undoing may take after a cancel before the process is killed (default 120 s). */
  readonly graceMs?: number;
  /** Extra environment (never secrets). */
  readonly env?: Readonly<Record<string, string>>;
}

/** How a back-end command ended. */
export interface BackendOutcome {
  /** Its result line, when it wrote one. */
  readonly result: BackendResult | undefined;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines it wrote, for a failure without a result. */
  readonly lastLines: readonly string[];
  /** Lines that were no entry of the protocol. */
  readonly garbage: number;
}

/** `--name=value` arguments, in a stable order; `true` is a bare flag, `false` is left out. */
export function optionArgs(options: Readonly<Record<string, string | number | boolean>> = {}): string[] {
  return Object.keys(options).sort().flatMap((k) => {
    const v = options[k];
    if (v === false || v === undefined) return [];
    return v === true ? [`--${k}`] : [`--${k}=${String(v)}`];
  });
}

/**
 * Run `aegir --backend <command> @<context>` as a child process (argument
 * array, no shell; secrets on stdin), in a process group of its own so a
 * dispatcher's own signals never reach it. Every log line is handed to
 * `onLog` as it arrives and the result line is kept. Lines outside the
 * protocol are logged as warnings, never trusted. Resolves when the child
 * has ended, whatever its outcome; the caller maps it to a task status.
 */
export function runBackend(call: BackendCall): Promise<BackendOutcome> {
  return new Promise((resolve) => {
    const argv = [call.aegirBin, '--backend', call.command, `@${call.context}`, ...optionArgs(call.options)];
    const env: NodeJS.ProcessEnv = { ...process.env, ...call.env, AEGIR_HOME: call.home, NO_COLOR: '1' };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, argv, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (child.pid) call.onSpawn?.({ pid: child.pid, start: processStart(child.pid) });
    const split = new LineSplitter();
    const errSplit = new LineSplitter();
    const last: string[] = [];
    let result: BackendResult | undefined;
    let garbage = 0;
    // Log writes are awaited in order, so the stored log keeps the back end's order.
    let chain: Promise<void> = Promise.resolve();
    const keep = (line: string): void => {
      last.push(line);
      if (last.length > 20) last.shift();
    };
    const handle = (line: string, fromStderr: boolean): void => {
      keep(line);
      const parsed = fromStderr ? { type: 'garbage' as const, text: line } : parseLine(line);
      if (parsed.type === 'result') { result = parsed; return; }
      if (parsed.type === 'garbage') garbage++;
      const entry: BackendLog = parsed.type === 'log' ? parsed : { type: 'log', level: 'warning', message: parsed.text, time: Date.now() };
      chain = chain.then(() => call.onLog(entry)).catch(() => undefined);
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => { for (const l of split.push(c)) handle(l, false); });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { for (const l of errSplit.push(c)) handle(l, true); });
    child.stdin.on('error', () => undefined);
    child.stdin.end(call.stdin ?? '');
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      try { child.kill('SIGTERM'); } catch { /* gone */ }
      killTimer = setTimeout(() => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, call.graceMs ?? 120_000);
      killTimer.unref();
    };
    if (call.signal?.aborted) onAbort();
    else call.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => { keep(`could not start the back end: ${e.message}`); });
    child.on('close', (exitCode, signal) => {
      if (killTimer) clearTimeout(killTimer);
      call.signal?.removeEventListener('abort', onAbort);
      for (const l of split.end()) handle(l, false);
      for (const l of errSplit.end()) handle(l, true);
      void chain.then(() => resolve({ result, exitCode, signal, lastLines: [...last], garbage }));
    });
  });
}
