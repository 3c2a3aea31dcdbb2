/**
 * What nginx and Apache services share: checking the program, writing a
 * config file so that a failing config test puts the previous one back,
 * and graceful reloads that wait until the new workers serve.
 */
import { basename, dirname } from 'node:path';
import { AegirError, describe, isAegirError } from '../../../../core/errors/aegir-error.js';
import type { HttpService, ServiceEnv, Upstream } from '../types.js';
import { withHostMutex } from '../../../../core/lock/host-mutex.js';
import { httpLockFile } from './lock.js';
import { checkSite, checkUpstream, vhostFile, webSettings, type SettingDefaults, type VhostSite, type WebSettings } from './vhost-check.js';

/** How one web server is driven: its templates and commands. Everything it gets is checked already. */
export interface WebServerDriver {
  readonly type: string;
  /** Name for messages ("nginx", "Apache"). */
  readonly product: string;
  /** How to install it, for messages. */
  readonly install: string;
  readonly defaults: SettingDefaults;
  /**
   * The user its workers run as when started as root and no `user` is set
   * (the sockets are given to its primary group). Undefined: the server
   * runs as whoever starts it, like the app processes, so sockets stay the
   * owner's unless `user` or `group` is set.
   */
  readonly workerUser?: string;
  /** Oldest supported version as [major, minor]. */
  readonly minVersion: readonly [number, number];
  versionCommand(s: WebSettings): string[];
  /** The version number in the output of the version command. */
  parseVersion(output: string): string | undefined;
  /** The main config file in the service's folder. */
  mainConfigFile(s: WebSettings): string;
  /** Folders the server needs besides `confDir` and `vhost.d`. */
  folders(s: WebSettings): string[];
  mainConfig(s: WebSettings): string;
  vhost(s: WebSettings, site: VhostSite, upstream: Upstream): string;
  testCommand(s: WebSettings): string[];
  reloadCommand(s: WebSettings): string[];
  /** How to start it (for the verify report and the test harness). */
  startCommand(s: WebSettings, foreground: boolean): string[];
  /** Whether a child of the previous generation takes no new connections, judged by its command line. */
  retired(cmdline: string): boolean;
  /**
   * For servers whose old children look like new ones (Apache): how long to
   * wait for them to exit once the new generation runs, before going on
   * while they finish long requests. Undefined: wait until all are retired.
   */
  readonly drainMs?: number;
  /**
   * Whether the reload command returns only once the new config serves
   * (Caddy's, through its admin API). Then nothing is watched after it;
   * otherwise the master's children are, until a new generation serves.
   */
  readonly reloadIsSynchronous?: boolean;
}

const TEST_TIMEOUT = 60_000;
const RELOAD_WAIT = 20_000;

/**
 * Changes to one server's web config, one at a time across every process of
 * the back end (tasks of different sites run in parallel): a write, its
 * config test and the reload that follows never interleave with another's.
 */
function serialized<T>(env: ServiceEnv, s: WebSettings, work: () => Promise<T>): Promise<T> {
  return withHostMutex(httpLockFile(env), work, { what: `the web server config of @${env.server.name} (${s.confDir})`, timeoutMs: 5 * 60_000 });
}

function failed(env: ServiceEnv, d: WebServerDriver, problem: string, cause?: unknown): AegirError {
  return new AegirError('ERR_SERVICE_FAILED', { service: `http (${d.type})`, server: env.server.name, problem }, cause === undefined ? undefined : { cause });
}

/** What a failed command said (its last error lines), or the error's message. */
function said(e: unknown): string {
  if (isAegirError(e) && typeof e.facts.problem === 'string') return e.facts.problem;
  return describe(e);
}

/** The pid of the running server (from its pid file, checked against /proc), or undefined. */
async function runningPid(env: ServiceEnv, s: WebSettings): Promise<number | undefined> {
  let text: string;
  try {
    text = (await env.exec.readFile(s.pidFile)).toString('utf8').trim();
  } catch {
    return undefined;
  }
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const pid = Number(text);
  try {
    const comm = (await env.exec.readFile(`/proc/${pid}/comm`)).toString('utf8').trim();
    return comm === basename(s.binary).slice(0, 15) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function children(env: ServiceEnv, pid: number): Promise<number[] | undefined> {
  try {
    const text = (await env.exec.readFile(`/proc/${pid}/task/${pid}/children`)).toString('utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * Seconds since boot, on the clock of a process's start time: /proc/uptime
 * (10 ms steps), or undefined where it cannot be read.
 */
async function uptime(env: ServiceEnv): Promise<number | undefined> {
  try {
    const value = Number((await env.exec.readFile('/proc/uptime')).toString('utf8').split(' ')[0]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** When a process started, in seconds since boot (field 22 of /proc/<pid>/stat, in clock ticks of 1/100 s on Linux), or undefined when it is gone. */
async function startedAt(env: ServiceEnv, pid: number): Promise<number | undefined> {
  try {
    const stat = (await env.exec.readFile(`/proc/${pid}/stat`)).toString('utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

async function cmdline(env: ServiceEnv, pid: number): Promise<string | undefined> {
  try {
    return (await env.exec.readFile(`/proc/${pid}/cmdline`)).toString('utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

async function configTest(env: ServiceEnv, d: WebServerDriver, s: WebSettings): Promise<void> {
  try {
    await env.exec.run(d.testCommand(s), { timeoutMs: TEST_TIMEOUT });
  } catch (e) {
    throw failed(env, d, `the config test failed, so the previous config was kept: ${said(e)}`, e);
  }
}

/**
 * Put `text` at `path` (or remove the file when `text` is undefined), then
 * test the whole config; when the test fails, the previous file (or none)
 * is put back and the error carries what the test said.
 */
async function replaceTested(env: ServiceEnv, d: WebServerDriver, s: WebSettings, path: string, text: string | undefined): Promise<void> {
  const previous = (await env.exec.exists(path)) ? await env.exec.readFile(path) : undefined;
  if (text === undefined) {
    if (previous === undefined) return;
    await env.exec.remove(path);
  } else {
    await env.exec.writeFile(path, text, 0o644);
  }
  try {
    await configTest(env, d, s);
  } catch (e) {
    if (previous === undefined) await env.exec.remove(path);
    else await env.exec.writeFile(path, previous, 0o644);
    throw e;
  }
}

/**
 * Reload the server gracefully if it runs (never stops it), and wait until
 * a new generation of workers serves and the old one takes no more
 * connections. Returns the master pid, or undefined when it does not run.
 */
async function reload(env: ServiceEnv, d: WebServerDriver, s: WebSettings): Promise<number | undefined> {
  const pid = await runningPid(env, s);
  if (pid === undefined) {
    env.logger.info(`${d.product} does not run (no live pid in ${s.pidFile}); the new config applies when it starts.`);
    return undefined;
  }
  const before = d.reloadIsSynchronous ? undefined : await children(env, pid);
  const listed = await uptime(env);
  try {
    await env.exec.run(d.reloadCommand(s), { timeoutMs: TEST_TIMEOUT });
  } catch (e) {
    throw failed(env, d, `the graceful reload failed: ${said(e)}`, e);
  }
  if (before === undefined) return pid;
  // A child forked before the reload command ran is of the previous
  // generation even when the list above missed it: Apache's master forks
  // spare children of the running generation at any time. (The master
  // forks the new generation only after it has read the new config, well
  // after the command started; clock ticks are 1/100 s.)
  const oldGeneration = async (c: number): Promise<boolean> => {
    if (before.includes(c)) return true;
    if (listed === undefined) return false;
    // One gone already takes no connections, and proves no new generation.
    const t = await startedAt(env, c);
    return t === undefined || t <= listed;
  };
  const until = Date.now() + RELOAD_WAIT;
  let freshSince: number | undefined;
  for (;;) {
    const now = (await children(env, pid)) ?? [];
    const isOld = await Promise.all(now.map(oldGeneration));
    if (isOld.some((o) => !o)) {
      freshSince ??= Date.now();
      const old = now.filter((_, i) => isOld[i]);
      const lines = await Promise.all(old.map((c) => cmdline(env, c)));
      // A child that is gone or a zombie (empty command line) takes no connections.
      const busy = lines.filter((l) => l !== undefined && l !== '' && !d.retired(l)).length;
      if (busy === 0) break;
      if (d.drainMs !== undefined && Date.now() - freshSince > d.drainMs) {
        env.logger.info(`${busy} ${d.product} children of the previous generation still finish their requests.`);
        break;
      }
    }
    if (Date.now() > until) throw failed(env, d, `the reload did not take effect within ${RELOAD_WAIT / 1000} s (no new workers, or old ones still taking connections); see ${s.logDir}/error.log`);
    await new Promise((r) => setTimeout(r, 25));
  }
  env.logger.info(`${d.product} reloaded gracefully (pid ${pid}).`);
  return pid;
}

/** Start the server (it daemonizes itself) and wait until its pid file names a live master. */
async function start(env: ServiceEnv, d: WebServerDriver, s: WebSettings): Promise<number> {
  // Called when the pid file names no live server: a stale one (Apache refuses to start over a pid file naming a live process of another program).
  await env.exec.remove(s.pidFile).catch(() => undefined);
  try {
    await env.exec.run(d.startCommand(s, false), { timeoutMs: TEST_TIMEOUT });
  } catch (e) {
    throw failed(env, d, `it did not start: ${said(e)}; see ${s.logDir}/error.log`, e);
  }
  const until = Date.now() + RELOAD_WAIT;
  for (;;) {
    const pid = await runningPid(env, s);
    if (pid !== undefined) {
      env.logger.info(`${d.product} started (pid ${pid}).`);
      return pid;
    }
    if (Date.now() > until) throw failed(env, d, `it was started but wrote no live pid to ${s.pidFile} within ${RELOAD_WAIT / 1000} s; see ${s.logDir}/error.log`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function versionAtLeast(version: string, min: readonly [number, number]): boolean {
  const [maj = 0, min2 = 0] = version.split('.').map(Number);
  return maj > min[0] || (maj === min[0] && min2 >= min[1]);
}

/** An HttpService for a web server driver. */
export function webServerService(d: WebServerDriver): HttpService {
  const settings = (env: ServiceEnv): WebSettings => webSettings(env, d.defaults);
  return {
    kind: 'http',
    type: d.type,
    async verify(env) {
      const s = settings(env);
      let out: string;
      try {
        const r = await env.exec.run(d.versionCommand(s), { timeoutMs: 10_000 });
        out = `${r.stdout}\n${r.stderr}`;
      } catch (e) {
        throw failed(env, d, `${s.binary} does not run (${said(e)}); install it with "${d.install}" or set "binary"`, e);
      }
      const version = d.parseVersion(out);
      if (!version || !versionAtLeast(version, d.minVersion)) {
        throw failed(env, d, `${s.binary} is ${d.product} ${version ?? '(unknown version)'}, but ${d.minVersion.join('.')} or later is needed`);
      }
      return serialized(env, s, async () => {
        for (const dir of [s.confDir, `${s.confDir}/vhost.d`, s.logDir, dirname(s.pidFile), ...d.folders(s)]) await env.exec.mkdir(dir, 0o755);
        const main = d.mainConfigFile(s);
        await replaceTested(env, d, s, main, d.mainConfig(s));
        let pid = await reload(env, d, s);
        let started = false;
        if (pid === undefined && s.start) {
          pid = await start(env, d, s);
          started = true;
        }
        const state = pid === undefined ? `not running; start it with: ${d.startCommand(s, false).join(' ')}` : started ? `started (pid ${pid})` : `reloaded gracefully (pid ${pid})`;
        return `${d.product} ${version} on port ${s.port}: ${main} written and tested; ${state}`;
      });
    },
    async writeSite(env, site, _platform, upstream) {
      const s = settings(env);
      const v = checkSite(site);
      const text = d.vhost(s, v, checkUpstream(env, upstream));
      await serialized(env, s, async () => {
        await replaceTested(env, d, s, vhostFile(s, v.domain), text);
        await reload(env, d, s);
      });
    },
    async removeSite(env, site) {
      const s = settings(env);
      const file = vhostFile(s, checkSite(site).domain);
      return serialized(env, s, async () => {
        if (!(await env.exec.exists(file))) return false;
        await replaceTested(env, d, s, file, undefined);
        await reload(env, d, s);
        return true;
      });
    },
    async hasSite(env, site) {
      return env.exec.exists(vhostFile(settings(env), checkSite(site).domain));
    },
    endpoint(env) {
      return { host: '127.0.0.1', port: settings(env).port };
    },
    upstreamAccess(env) {
      const s = settings(env);
      const user = s.user ?? d.workerUser;
      return user === undefined && s.group === undefined ? { mode: 0o600 } : { mode: 0o660, group: s.group, user };
    },
  };
}
