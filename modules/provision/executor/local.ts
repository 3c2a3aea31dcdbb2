import { randomBytes } from 'node:crypto';
import { access, chmod, lstat, mkdir, readdir, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runProgram } from '../../../core/util/exec.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** The executor of the machine provision runs on. */
export class LocalExecutor implements Executor {
  readonly local = true;

  constructor(readonly server: string) {}

  run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const [program, ...args] = argv;
    if (!program) throw new Error('run() needs a program');
    return runProgram(program, args, {
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.stdout ? { stdout: opts.stdout } : {}),
      ...(opts.group ? { group: true } : {}),
      ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
      ...(opts.onExit ? { onExit: opts.onExit } : {}),
    });
  }

  readFile(path: string): Promise<Buffer> {
    return readFile(path);
  }

  async writeFile(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, data, { mode, flag: 'wx' });
      await chmod(tmp, mode);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await mkdir(path, { recursive: true, mode });
  }

  async remove(path: string): Promise<boolean> {
    try {
      await lstat(path);
    } catch {
      return false;
    }
    await rm(path, { recursive: true, force: true });
    return true;
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(from, to);
  }

  async list(path: string): Promise<string[]> {
    try {
      return (await readdir(path)).sort();
    } catch {
      return [];
    }
  }

  async freeBytes(path: string): Promise<number> {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
