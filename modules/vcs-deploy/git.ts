import { execFile } from 'node:child_process';

/** How long one git command may take before it is killed. */
export const GIT_TIMEOUT_MS = 10_000;

/** What running git gave: its output, or why there is none. */
export type GitOutcome =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly missing: boolean; readonly problem: string };

/**
 * The environment git runs in: this process's without any GIT_* variable
 * (a GIT_DIR or GIT_WORK_TREE inherited from a hook or a shell would point
 * every command at another repository), in the C locale, never prompting,
 * and taking no optional locks (`describe --dirty` would otherwise write
 * the index of a platform it only reads).
 */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return { ...env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
}

/**
 * Run git with an argument array (never a shell), with a timeout; resolves
 * with its standard output, or with why it failed (`missing`: no git on
 * this machine). Never rejects: a version git cannot tell is no error.
 */
export function runGit(args: readonly string[], timeoutMs = GIT_TIMEOUT_MS): Promise<GitOutcome> {
  return new Promise((resolve) => {
    execFile('git', [...args], { env: gitEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout: String(stdout) });
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return resolve({ ok: false, missing: true, problem: 'git is not installed' });
      const why = e.killed ? `it did not finish within ${timeoutMs / 1000} s` : String(stderr).trim().split('\n')[0] || e.message;
      resolve({ ok: false, missing: false, problem: why });
    });
  });
}
