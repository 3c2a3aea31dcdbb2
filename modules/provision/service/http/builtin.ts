import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../../core/errors/aegir-error.js';
import { TIMEOUT_RANGE } from '../../proxy/forward.js';
import { ackFile, readRoutes, type ProxySite } from '../../proxy/routes.js';
import { runDir, runningPid, startDetached } from '../app/builtin.js';
import type { HttpService, ServiceEnv } from '../types.js';
import { withHostMutex } from '../../../../core/lock/host-mutex.js';
import { httpLockFile } from './lock.js';

function port(env: ServiceEnv): number {
  const p = env.config.port;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: env.server.name, problem: 'the builtin proxy needs "port" (1 to 65535) in services.http' });
  }
  return p;
}

/** Optional time-limit settings (ms) in services.http, with the provision-proxy option each becomes. */
const TIMEOUT_SETTINGS = { connectTimeoutMs: 'connect-timeout-ms', headersTimeoutMs: 'headers-timeout-ms', idleTimeoutMs: 'idle-timeout-ms' } as const;

function timeoutArgs(env: ServiceEnv): string[] {
  const args: string[] = [];
  for (const [setting, option] of Object.entries(TIMEOUT_SETTINGS)) {
    const v = env.config[setting];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < TIMEOUT_RANGE.min || v > TIMEOUT_RANGE.max) {
      throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: env.server.name, problem: `"${setting}" in services.http must be milliseconds from ${TIMEOUT_RANGE.min} to ${TIMEOUT_RANGE.max}` });
    }
    args.push(`--${option}=${v}`);
  }
  return args;
}

const routesFile = (env: ServiceEnv): string => join(runDir(env), 'proxy-routes.json');
const pidFile = (env: ServiceEnv): string => join(runDir(env), 'proxy.pid');

/** Make sure the proxy process runs; returns its pid. */
async function ensureProxy(env: ServiceEnv): Promise<number> {
  const running = runningPid(pidFile(env));
  if (running) return running;
  const pid = startDetached(
    [process.execPath, env.aegirBin, 'provision-proxy', `--port=${port(env)}`, `--routes=${routesFile(env)}`, ...timeoutArgs(env)],
    { cwd: runDir(env), log: join(runDir(env), 'proxy.log'), pidFile: pidFile(env) },
  );
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port(env)}/`, { signal: AbortSignal.timeout(1000) });
      return pid;
    } catch {
      if (Date.now() > until) throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: env.server.name, problem: `the builtin proxy did not start on port ${port(env)}; see ${join(runDir(env), 'proxy.log')}` });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Change the routes and return once the proxy serves them: it acknowledges
 * each generation it loads, so that a check right after (a task's served
 * check, a test) never meets the routes from before. Read, change, write
 * and reload happen holding the server's web config lock, so that tasks of
 * two sites in two processes never lose each other's routes. Resolves with
 * what `change` returned.
 */
async function writeRoutes<T>(env: ServiceEnv, change: (sites: Record<string, ProxySite>) => T): Promise<T> {
  return withHostMutex(httpLockFile(env), async () => {
    const sites = { ...readRoutes(routesFile(env)).sites };
    const out = change(sites);
    const generation = randomBytes(8).toString('hex');
    await env.exec.writeFile(routesFile(env), JSON.stringify({ generation, sites }, null, 2) + '\n', 0o640);
    const pid = await ensureProxy(env);
    process.kill(pid, 'SIGHUP');
    const until = Date.now() + 10_000;
    while (readAck(routesFile(env)) !== generation) {
      if (Date.now() > until) {
        throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: env.server.name, problem: `the builtin proxy did not load its new routes; see ${join(runDir(env), 'proxy.log')}` });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return out;
  }, { what: `the proxy routes of @${env.server.name}`, timeoutMs: 60_000 });
}

function readAck(file: string): string | undefined {
  try {
    return readFileSync(ackFile(file), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The embedded default web server: a Node reverse proxy by host name run by
 * the back end on its own machine (`aegir provision-proxy`), reading its
 * routes from a JSON file that tasks rewrite and reload with SIGHUP.
 */
export const builtinHttp: HttpService = {
  kind: 'http',
  type: 'builtin',
  async verify(env) {
    if (!env.exec.local) throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: env.server.name, problem: 'the builtin proxy runs on the back end\'s own machine only; use nginx or apache on other servers' });
    await env.exec.mkdir(runDir(env));
    const pid = await ensureProxy(env);
    return `Built-in reverse proxy on port ${port(env)} (pid ${pid})`;
  },
  async writeSite(env, site, _platform, upstream) {
    await writeRoutes(env, (sites) => {
      sites[site.name] = { upstream, aliases: site.aliases, redirection: site.redirection, enabled: site.enabled };
    });
  },
  async removeSite(env, site) {
    if (!(site.name in readRoutes(routesFile(env)).sites)) return false;
    return writeRoutes(env, (sites) => {
      const had = site.name in sites;
      delete sites[site.name];
      return had;
    });
  },
  async hasSite(env, site) {
    return site.name in readRoutes(routesFile(env)).sites;
  },
  endpoint: (env) => ({ host: '127.0.0.1', port: port(env) }),
  // The proxy is the back end's own process: the sockets need no one else.
  upstreamAccess: () => ({ mode: 0o600 }),
};
