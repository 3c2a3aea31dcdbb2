import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { AegirError } from '../../../../core/errors/aegir-error.js';
import type { PlatformContext } from '../../context/types.js';
import type { AppService, ServiceEnv, Upstream } from '../types.js';
import { socketArgs } from './socket-access.js';

/** Folder of pid files, sockets and logs of the processes the back end runs itself. */
export function runDir(env: ServiceEnv): string {
  return typeof env.config.runDir === 'string' ? env.config.runDir : join(env.home, 'run');
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(socket);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** The pid in a pid file if that process still runs. */
export function runningPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Start a detached process with its output in a log file and its pid in a pid file. */
export function startDetached(argv: readonly string[], opts: { cwd: string; log: string; pidFile: string }): number {
  const out = openSync(opts.log, 'a', 0o640);
  try {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, detached: true, stdio: ['ignore', out, out], env: { ...process.env, NO_COLOR: '1' } });
    if (!child.pid) throw new Error(`could not start ${argv[0]}`);
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`, { mode: 0o640 });
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Stop a process by its pid file: SIGTERM, then SIGKILL after `graceMs`; resolves with whether it ran. */
export async function stopByPidFile(pidFile: string, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid) {
    process.kill(pid, 'SIGTERM');
    const until = Date.now() + graceMs;
    while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
  return pid !== undefined;
}

/**
 * The embedded default app service: the back end itself keeps one
 * `aegir serve` per platform running on a unix socket under its run folder
 * (started detached, restarted when its process is gone). For one machine
 * only; servers reached over SSH use a real process manager.
 */
export const builtinApp: AppService = {
  kind: 'app',
  type: 'builtin',
  async verify(env) {
    if (!env.exec.local) throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: 'the builtin app service runs on the back end\'s own machine only; use supervisord or systemd on other servers' });
    mkdirSync(runDir(env), { recursive: true, mode: 0o755 });
    return `Built-in process supervision, sockets and logs in ${runDir(env)}`;
  },
  async ensure(env, platform: PlatformContext): Promise<Upstream> {
    const dir = runDir(env);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const socket = join(dir, `${platform.name}.sock`);
    const pidFile = join(dir, `${platform.name}.pid`);
    const wanted = env.upstreamAccess?.mode ?? 0o600;
    // A process whose socket has other permissions (an older setting) is started again with the right ones.
    if (runningPid(pidFile) && (await answers(socket)) && (statSync(socket).mode & 0o777) === wanted) return { socket };
    await stopByPidFile(pidFile);
    rmSync(socket, { force: true });
    const pid = startDetached(
      [process.execPath, join(platform.root, 'bin', 'aegir'), 'serve', `--socket=${socket}`, ...(await socketArgs(env)), '--trust-proxy=127.0.0.1,::1'],
      { cwd: platform.root, log: join(dir, `${platform.name}.log`), pidFile },
    );
    // The first start may build the platform's bundle: give it time.
    const until = Date.now() + 60_000;
    while (!(await answers(socket))) {
      if (!alive(pid)) throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: `the app process of @${platform.name} exited at start; see ${join(dir, `${platform.name}.log`)}` });
      if (Date.now() > until) throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: `the app process of @${platform.name} did not listen within 60 s` });
      await new Promise((r) => setTimeout(r, 100));
    }
    env.logger.info(`App process of @${platform.name} runs (pid ${pid}) on ${socket}.`);
    return { socket };
  },
  async stop(env, platform) {
    const dir = runDir(env);
    const ran = await stopByPidFile(join(dir, `${platform.name}.pid`));
    if (existsSync(join(dir, `${platform.name}.sock`))) rmSync(join(dir, `${platform.name}.sock`), { force: true });
    return ran;
  },
};
