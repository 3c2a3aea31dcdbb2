import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { AegirError, describe, isAegirError } from '../../core/errors/aegir-error.js';
import type { Logger } from '../../core/logger/logger.js';
import type { Codebase } from '../../core/site/codebase.js';
import { bootSite } from '../../core/site/site.js';
import { runBackend } from '../drush-bridge/run.js';
import { CONSOLE_ACCOUNT } from '../hosting/commands/common.js';
import { queueTask } from '../hosting/tasks/queue-task.js';
import type { HostmasterMarker } from './marker.js';
import { PLATFORM_CONTEXT, SERVER_CONTEXT } from './objects.js';

/** How often the supervisor looks at the web server and the hostmaster's app process. */
const WATCH_MS = 5000;

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function pidOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Run a back-end command of the hostmaster's codebase; its log lines go to the logger; a failure is ERR_SERVICE_FAILED with its message. */
async function backend(m: HostmasterMarker, home: string, command: string, context: string, logger: Logger): Promise<void> {
  const out = await runBackend({
    aegirBin: join(m.root, 'bin', 'aegir'), home, command, context,
    onLog: (e) => { if (e.level === 'warning' || e.level === 'error') logger.warning(e.message); },
  });
  if (out.result?.status !== 'success') {
    throw new AegirError('ERR_SERVICE_FAILED', { service: command, server: context, problem: out.result?.error?.message ?? out.lastLines.slice(-3).join(' / ') });
  }
}

/** Ask the hostmaster for its front page through its web server, so that its app process boots it (and its task queue starts). */
function warm(m: HostmasterMarker): Promise<number> {
  const url = new URL(m.url);
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: Number(url.port || 80), path: '/', headers: { host: url.host }, timeout: 30_000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Make sure the web server and the hostmaster's app process run (their verifies start what is missing), then boot the hostmaster. */
async function ensure(m: HostmasterMarker, home: string, logger: Logger): Promise<void> {
  await backend(m, home, 'provision-verify', SERVER_CONTEXT, logger);
  await backend(m, home, 'provision-verify', PLATFORM_CONTEXT, logger);
  const status = await warm(m);
  if (status === 0 || status >= 500) logger.warning(`The hostmaster answered ${status || 'nothing'} at ${m.url}; see ${join(home, 'run', `${PLATFORM_CONTEXT}.log`)}.`);
}

/** Queue a verify of every other platform of this machine, so that their app processes (and so the hosted sites) come back. */
async function queuePlatformVerifies(codebase: Codebase, m: HostmasterMarker, logger: Logger): Promise<number> {
  const site = await bootSite(codebase, m.uri, logger);
  try {
    const rows = (await site.db('hosting_platform as p').join('hosting_server as v', 'v.nid', 'p.server_nid')
      .where({ 'p.status': 'verified', 'p.hostmaster': 0, 'v.host': 'localhost' }).select('p.nid')) as { nid: number }[];
    let queued = 0;
    for (const r of rows) {
      try {
        await queueTask(site, { type: 'verify', object: Number(r.nid), account: CONSOLE_ACCOUNT });
        queued++;
      } catch (e) {
        if (!isAegirError(e) || e.code !== 'ERR_TASK_QUEUED') logger.warning(`Platform ${r.nid}: ${describe(e)}`);
      }
    }
    return queued;
  } finally {
    await site.close();
  }
}

/** End every process the back end runs from this home (the proxy, the app processes): SIGTERM, then SIGKILL after 10 s. */
export async function stopAll(home: string, logger: Logger): Promise<void> {
  const run = join(home, 'run');
  const pids = (existsSync(run) ? readdirSync(run).filter((f) => f.endsWith('.pid')) : []).map((f) => pidOf(join(run, f))).filter((p): p is number => p !== undefined);
  const signal = (pid: number, s: NodeJS.Signals): void => { try { process.kill(pid, s); } catch { /* gone meanwhile */ } };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const until = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
  logger.notice(`Stopped ${pids.length} process(es): the web server and the app processes.`);
}

/**
 * Serve the hostmaster (on `codebase`, the command line's own) and the sites of this machine on the embedded
 * defaults until SIGTERM or SIGINT: start what is not running (the web
 * server, the hostmaster's app process, whose serving of the hostmaster
 * runs its task queue), queue verifies of the other platforms (their app
 * processes), then watch: a web server or hostmaster process that dies is
 * started again. Stopping ends them all.
 */
export async function supervise(codebase: Codebase, m: HostmasterMarker, home: string, logger: Logger): Promise<void> {
  // Listen for the stop first: a Ctrl-C while the processes are being started must still end them (it ended this process and left them running).
  let signalled: NodeJS.Signals | undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => { signalled ??= s; resolve(signalled); });
  });
  await ensure(m, home, logger);
  if (!signalled) {
    const queued = await queuePlatformVerifies(codebase, m, logger);
    logger.success(`The hostmaster runs at ${m.url}${queued ? `; ${queued} platform(s) are being started` : ''}. Stop with Ctrl-C.`);
  }
  let busy = false;
  // The processes to keep alive: the builtin proxy (nginx and Apache have their own) and the hostmaster's app process.
  const run = join(home, 'run');
  const watched = ['proxy.pid', `${PLATFORM_CONTEXT}.pid`].map((f) => join(run, f)).filter((f) => pidOf(f) !== undefined);
  const timer = setInterval(() => {
    if (signalled || busy) return;
    if (watched.every((f) => pidOf(f) !== undefined)) return;
    busy = true;
    logger.warning('The web server or the hostmaster\'s app process is gone: starting it again.');
    ensure(m, home, logger).catch((e: unknown) => logger.error(describe(e))).finally(() => { busy = false; });
  }, WATCH_MS);
  const signal = await stopRequested;
  clearInterval(timer);
  logger.notice(`${signal}: stopping the hostmaster and the sites of this machine.`);
  await stopAll(home, logger);
}
