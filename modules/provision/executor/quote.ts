/**
 * Building the command string of a remote command. Over SSH the server only
 * takes one string, which the remote user's shell parses; every element of
 * the argument array is therefore single-quoted, so that the shell sees
 * exactly the words the caller meant and expands nothing in them.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A programming error in what was passed (NUL bytes, an empty program): a
 * TypeError with Node's own code, as `child_process.spawn` throws for the
 * same input, so both executors fail alike.
 */
function invalid(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_VALUE' });
}

/** POSIX single-quote quoting of one word: `'` becomes `'\''`; the empty word is `''`. */
function quoteWord(word: string, index: number): string {
  if (typeof word !== 'string') throw invalid(`argument ${index} is not a string`);
  // A NUL byte cannot be passed to exec(2) and would cut the command short.
  if (word.includes('\0')) throw invalid(`argument ${index} contains a NUL byte`);
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quote every element of an argument array for a POSIX shell and join them
 * with spaces. This is the only way a command string is ever built from
 * data: nothing inside single quotes is special to the shell (no `$`, `` ` ``,
 * `\`, `;`, `|`, `&`, globbing or word splitting), and `'` itself is closed,
 * escaped and reopened. NUL bytes are refused (TypeError,
 * code ERR_INVALID_ARG_VALUE).
 */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}

/** Where and with what a remote command runs. */
export interface RemoteCommandOptions {
  /** Folder to run in (the login folder otherwise). */
  readonly cwd?: string | undefined;
  /** Extra environment variables; names must be shell identifiers. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /**
   * First write `PID_MARKER<pid>` and a newline to standard error: the pid
   * of the shell, which `exec` hands to the program. sshd starts each session
   * in a new session and process group with that id, so the executor can stop
   * the whole group with kill(1) over another channel (OpenSSH refuses
   * "signal" requests on root logins).
   */
  readonly announcePid?: boolean | undefined;
}

/** What starts the line with the remote pid on standard error (see announcePid). */
export const PID_MARKER = 'aegir-pid:';

/**
 * The command string that runs `argv` as a program (not a shell builtin or
 * function, like `spawn` locally) on the remote side: optionally `cd` into a
 * folder, then `exec` the program, through `env` when variables are set.
 * Only fixed operators are added around quoted words; sshd's AcceptEnv is
 * not relied on, since servers accept no variables by default.
 */
export function remoteCommand(argv: readonly string[], opts: RemoteCommandOptions = {}): string {
  const program = argv[0];
  if (!program) throw invalid('a command needs a program');
  // `exec -x` is an option of bash's exec, and dash's exec knows no "--".
  if (program.startsWith('-')) throw invalid(`program name "${program.slice(0, 40)}" starts with "-"`);
  const env = Object.entries(opts.env ?? {});
  for (const [name] of env) {
    if (!ENV_NAME.test(name)) throw invalid(`environment variable name "${name.slice(0, 40)}" is not a shell identifier`);
  }
  // `env` would take a program name with "=" for one more assignment.
  if (env.length && program.includes('=')) throw invalid('a program name run with environment variables cannot contain "="');
  const run = `exec ${shellQuote(env.length ? ['env', ...env.map(([k, v]) => `${k}=${v}`), ...argv] : argv)}`;
  const cd = opts.cwd !== undefined ? `cd -- ${shellQuote([opts.cwd])} && ` : '';
  const announce = opts.announcePid ? `printf '${PID_MARKER}%s\\n' "$$" >&2 && ` : '';
  return `${announce}${cd}${run}`;
}
