import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { backendError, type Spawned } from '../provision/env.js';

/** bin/aegir of a codebase in a process of its own, with its home; its output collected. */
export function spawnIn(root: string, home: string, argv: readonly string[]): Spawned {
  const child = spawn(process.execPath, [join(root, 'bin', 'aegir'), ...argv], {
    cwd: root, env: { ...process.env, AEGIR_HOME: home, NODE_OPTIONS: '', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; error: string | undefined }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, error: backendError(stdout) }));
  });
  return { child, done };
}
