/** Severity of a log entry, lowest first. */
export type LogLevel = 'debug' | 'info' | 'notice' | 'success' | 'warning' | 'error';

/** Numeric rank of each level, for filtering. */
export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, notice: 2, success: 3, warning: 4, error: 5 };

/** One log entry. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** Which part logged it (a module or core area), if known. */
  readonly source?: string;
}

/** Where log entries go: the console, JSON lines for the bridge, memory for tests. */
export type LogSink = (entry: LogEntry) => void;

/**
 * The one logger of a process or task. Secrets registered with `redact` are
 * replaced by `***` in every message before any sink sees it, so a password
 * that reaches an error message still never reaches a log line.
 */
export class Logger {
  private readonly secrets: Set<string>;

  constructor(
    private readonly sink: LogSink,
    private readonly minLevel: LogLevel = 'info',
    private readonly source?: string,
    secrets?: Set<string>,
  ) {
    this.secrets = secrets ?? new Set();
  }

  /** A logger for one part that shares this one's sink, level and secrets. */
  child(source: string): Logger {
    return new Logger(this.sink, this.minLevel, source, this.secrets);
  }

  /** Never show this value in a log message (passwords, tokens). */
  redact(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  /** Replace every registered secret in a text. */
  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  log(level: LogLevel, message: string): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.minLevel]) return;
    this.sink({ level, message: this.scrub(message), time: Date.now(), ...(this.source ? { source: this.source } : {}) });
  }

  debug(message: string): void { this.log('debug', message); }
  info(message: string): void { this.log('info', message); }
  notice(message: string): void { this.log('notice', message); }
  success(message: string): void { this.log('success', message); }
  warning(message: string): void { this.log('warning', message); }
  error(message: string): void { this.log('error', message); }
}

/** A sink that keeps entries in an array (tests, and the backend result). */
export function memorySink(into: LogEntry[]): LogSink {
  return (e) => { into.push(e); };
}

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return new Logger(() => undefined, 'error');
}
