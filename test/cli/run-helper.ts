import { runCli, type ExitCode } from '../../core/cli/run.js';
import type { CliIo } from '../../core/cli/output.js';

/** What one in-process command line printed and returned. */
export interface CliRun {
  readonly code: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines and parsed as JSON (for --backend); a line that is not JSON is a test failure. */
  readonly lines: Record<string, unknown>[];
}

/** Options of one in-process run. */
export interface CliRunOptions {
  /** What readStdin() answers (default: empty). */
  readonly stdin?: string;
  /** Environment of the command (default: empty, so the caller's AEGIR_* variables never leak in). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Current folder (default: the codebase root). */
  readonly cwd?: string;
  /** The program's own codebase, used when neither --root nor the current folder names one (default: the codebase root). */
  readonly defaultRoot?: string;
}

/**
 * Run one command line in this process against the codebase at `root`
 * (passed as both the current folder and the default root), capturing
 * everything it prints.
 */
export async function cli(root: string, argv: readonly string[], opts: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    readStdin: async () => opts.stdin ?? '',
    env: opts.env ?? { HOME: root },
    cwd: opts.cwd ?? root,
    color: false,
  };
  const code = await runCli(argv, io, opts.defaultRoot ?? root);
  return {
    code,
    stdout,
    stderr,
    get lines(): Record<string, unknown>[] {
      return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

/** Parse the whole stdout as one JSON document (--format=json). */
export function json<T = unknown>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}

/** Describe a run for assertion messages. */
export function show(run: CliRun): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}
