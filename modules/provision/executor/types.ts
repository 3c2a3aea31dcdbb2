import type { Readable, Writable } from 'node:stream';

/** How to run a command on a server. */
export interface ExecOptions {
  /** Written to the command's standard input (secrets go here, never in argv); a stream is piped. */
  readonly input?: string | Buffer | Readable;
  readonly cwd?: string;
  /** Extra environment variables (never secrets: /proc/<pid>/environ is readable by the same user). */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the command after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Stream standard output here instead of collecting it. */
  readonly stdout?: Writable;
  /** Local commands: run as the leader of a process group of its own (see runProgram), so that it and its children can be ended together. */
  readonly group?: boolean;
  /** Local commands: told the pid (the group's id with `group`) once the command runs, and when it ended. */
  readonly onSpawn?: (pid: number) => void;
  readonly onExit?: (pid: number) => void;
}

/** What a finished command left. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Everything a task does on a server goes through its executor: commands as
 * argument arrays, and file operations. The local executor uses
 * child_process and fs; the remote one ssh2 exec and SFTP. Failures are
 * coded errors naming the server.
 */
export interface Executor {
  /** Context name of the server. */
  readonly server: string;
  /** Whether this is the machine provision runs on. */
  readonly local: boolean;
  run(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  readFile(path: string): Promise<Buffer>;
  /** Write a file atomically (temporary file, then rename) with a mode. */
  writeFile(path: string, data: string | Buffer, mode?: number): Promise<void>;
  /** Create a folder and its parents. */
  mkdir(path: string, mode?: number): Promise<void>;
  /** Remove a file, symlink or folder tree; nothing if it is absent. Resolves with whether there was something to remove. */
  remove(path: string): Promise<boolean>;
  exists(path: string): Promise<boolean>;
  rename(from: string, to: string): Promise<void>;
  /** Names in a folder (empty when it does not exist). */
  list(path: string): Promise<string[]>;
  /** Free bytes on the file system holding a path. */
  freeBytes(path: string): Promise<number>;
  /** Release connections. */
  close(): Promise<void>;
}
