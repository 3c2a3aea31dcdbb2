import type { BackendResult } from '../../core/cli/output.js';
import type { LogLevel } from '../../core/logger/logger.js';

/** A log entry as the back end wrote it. */
export interface BackendLog {
  readonly type: 'log';
  readonly level: LogLevel;
  readonly message: string;
  readonly time: number;
}

/** A line the back end wrote that is no entry of the protocol (a crash trace, output of a tool). */
export interface BackendGarbage {
  readonly type: 'garbage';
  readonly text: string;
}

/** One line of `aegir --backend` output, read. */
export type BackendLine = BackendLog | BackendResult | BackendGarbage;

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'notice', 'success', 'warning', 'error']);
/** Longest line kept whole; longer ones are cut (a log line, never a file). */
const MAX_LINE = 64 * 1024;

/** Read one line of the protocol; anything that is not a well-formed entry is garbage, kept as text for the log. */
export function parseLine(line: string): BackendLine {
  const text = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { type: 'garbage', text };
  }
  const o = v as Record<string, unknown>;
  if (o && o.type === 'log' && typeof o.message === 'string' && typeof o.level === 'string' && LEVELS.has(o.level)) {
    return { type: 'log', level: o.level as LogLevel, message: o.message, time: typeof o.time === 'number' ? o.time : Date.now() };
  }
  if (o && o.type === 'result' && (o.status === 'success' || o.status === 'error')) {
    const e = o.error as { code?: unknown; message?: unknown } | null;
    return {
      type: 'result', status: o.status, command: typeof o.command === 'string' ? o.command : null, output: (o.output ?? null) as BackendResult['output'],
      text: typeof o.text === 'string' ? o.text : null, context: (typeof o.context === 'object' && o.context ? o.context : {}) as BackendResult['context'],
      error: e && typeof e.code === 'string' ? { code: e.code, message: typeof e.message === 'string' ? e.message : e.code } : null,
      elapsedMs: typeof o.elapsedMs === 'number' ? o.elapsedMs : 0,
    };
  }
  return { type: 'garbage', text };
}

/** Splits a stream of chunks into lines (a line may come in several chunks). */
export class LineSplitter {
  private rest = '';

  /** The complete lines in `chunk` (with what was left over before). */
  push(chunk: string): string[] {
    const all = this.rest + chunk;
    const lines = all.split('\n');
    this.rest = lines.pop() ?? '';
    if (this.rest.length > MAX_LINE * 4) {
      lines.push(this.rest);
      this.rest = '';
    }
    return lines.filter((l) => l.trim() !== '');
  }

  /** What is left when the stream ended. */
  end(): string[] {
    const last = this.rest.trim();
    this.rest = '';
    return last ? [last] : [];
  }
}
