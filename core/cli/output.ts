import type { Json } from '../config/config-store.js';
import { isAegirError } from '../errors/aegir-error.js';
import type { LogEntry, LogSink } from '../logger/logger.js';
import type { CommandResult } from './command.js';

/** Where the command line writes: injected so that tests run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stderr is a terminal (colours). */
  readonly color: boolean;
}

/** The last line of --backend output. */
export interface BackendResult {
  readonly type: 'result';
  readonly status: 'success' | 'error';
  readonly command: string | null;
  readonly output: Json;
  readonly text: string | null;
  readonly context: Readonly<Record<string, Json>>;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly elapsedMs: number;
}

const COLORS: Partial<Record<LogEntry['level'], string>> = { error: '31', warning: '33', success: '32', notice: '36', debug: '90' };

/** A log sink for people: one line per entry on stderr, coloured on a terminal. */
export function humanSink(io: CliIo): LogSink {
  return (e) => {
    const label = e.level === 'info' ? '' : `[${e.level}] `;
    const c = io.color ? COLORS[e.level] : undefined;
    io.stderr(c ? `\x1b[${c}m${label}${e.message}\x1b[0m\n` : `${label}${e.message}\n`);
  };
}

/** A log sink for the bridge: one JSON object per line on stdout, as it happens. */
export function backendSink(io: CliIo): LogSink {
  return (e) => { io.stdout(JSON.stringify({ type: 'log', ...e }) + '\n'); };
}

/** Print a successful result. */
export function printResult(io: CliIo, mode: 'human' | 'json' | 'backend', command: string, result: CommandResult, elapsedMs: number): void {
  if (mode === 'backend') {
    const line: BackendResult = {
      type: 'result', status: 'success', command, output: result.data ?? null, text: result.text ?? null,
      context: result.context ?? {}, error: null, elapsedMs,
    };
    io.stdout(JSON.stringify(line) + '\n');
  } else if (mode === 'json') {
    io.stdout(JSON.stringify(result.data ?? null, null, 2) + '\n');
  } else if (result.text !== undefined) {
    io.stdout(result.text.endsWith('\n') || result.text === '' ? result.text : result.text + '\n');
  } else if (result.data !== undefined && result.data !== null) {
    io.stdout(JSON.stringify(result.data, null, 2) + '\n');
  }
}

/** Print a failure: the code and message; the stack only with --debug. */
export function printError(io: CliIo, mode: 'human' | 'json' | 'backend', command: string | undefined, e: unknown, debug: boolean, scrub: (s: string) => string, elapsedMs: number): void {
  const code = isAegirError(e) ? e.code : 'ERR_UNEXPECTED';
  const message = scrub(e instanceof Error ? e.message : String(e));
  if (mode === 'backend') {
    const line: BackendResult = {
      type: 'result', status: 'error', command: command ?? null, output: null, text: null, context: {},
      error: { code, message }, elapsedMs,
    };
    io.stdout(JSON.stringify(line) + '\n');
    return;
  }
  const head = io.color ? `\x1b[31merror\x1b[0m` : 'error';
  io.stderr(`${head} [${code}]: ${message}\n`);
  if (debug && e instanceof Error && e.stack) io.stderr(scrub(e.stack) + '\n');
  else if (!isAegirError(e)) io.stderr('This is not an expected error; run again with --debug for details.\n');
}

/** Render rows as an aligned text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Render label/value pairs as aligned lines. */
export function pairs(rows: readonly (readonly [string, string])[]): string {
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => ` ${k.padEnd(w)} : ${v}`).join('\n') + '\n';
}
