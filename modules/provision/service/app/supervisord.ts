import { join } from 'node:path';
import { AegirError, describe } from '../../../../core/errors/aegir-error.js';
import { isSafePath } from '../../context/validate.js';
import type { PlatformContext } from '../../context/types.js';
import type { AppService, ServiceEnv, Upstream } from '../types.js';
import { socketArgs } from './socket-access.js';

/** The folder where this service keeps supervisord's config, socket, programs and logs on the server. */
function runDirOf(env: ServiceEnv): string {
  const dir = env.config.runDir;
  if (typeof dir !== 'string' || !isSafePath(dir)) {
    throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: 'supervisord needs "runDir" (an absolute, safe path) in services.app' });
  }
  return dir;
}

const confOf = (env: ServiceEnv): string => join(runDirOf(env), 'supervisord.conf');
const programOf = (platform: PlatformContext): string => platform.name;

function ctl(env: ServiceEnv, ...args: string[]) {
  return env.exec.run(['supervisorctl', '-c', confOf(env), ...args], { timeoutMs: 60_000 });
}

/** supervisorctl exits non-zero for a stopped program too: read the state from its output. */
async function state(env: ServiceEnv, program: string): Promise<string> {
  try {
    return (await ctl(env, 'status', program)).stdout;
  } catch (e) {
    return describe(e);
  }
}

function mainConfig(dir: string): string {
  return [
    '; Written by Aegir (provision app service "supervisord"). Changes are overwritten.',
    '[unix_http_server]', `file=${dir}/supervisor.sock`, 'chmod=0700', '',
    '[supervisord]', `pidfile=${dir}/supervisord.pid`, `logfile=${dir}/supervisord.log`, `childlogdir=${dir}`, '',
    '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface', '',
    '[supervisorctl]', `serverurl=unix://${dir}/supervisor.sock`, '',
    '[include]', `files = ${dir}/programs/*.conf`, '',
  ].join('\n');
}

function programConfig(dir: string, node: string, platform: PlatformContext, socket: readonly string[]): string {
  const name = programOf(platform);
  return [
    '; Written by Aegir for one platform. Changes are overwritten.',
    `[program:${name}]`,
    `command=${node} ${platform.root}/bin/aegir serve --socket=${dir}/${name}.sock ${socket.join(' ')} --trust-proxy=127.0.0.1,::1`,
    `directory=${platform.root}`,
    'autostart=true', 'autorestart=true', 'startsecs=1', 'startretries=5', 'stopsignal=TERM', 'stopwaitsecs=15',
    'redirect_stderr=true', `stdout_logfile=${dir}/${name}.log`, 'environment=NO_COLOR="1"', '',
  ].join('\n');
}

/**
 * supervisord as the process manager of a server: one program per platform
 * running `aegir serve` on a unix socket, restarted when it dies. Its
 * config, socket and logs live in the service's runDir; every file is
 * written and every command run through the server's executor, so it works
 * on servers reached over SSH too.
 */
export const supervisordApp: AppService = {
  kind: 'app',
  type: 'supervisord',
  async verify(env) {
    const dir = runDirOf(env);
    await env.exec.mkdir(join(dir, 'programs'), 0o755);
    await env.exec.writeFile(confOf(env), mainConfig(dir), 0o640);
    const { stdout: version } = await env.exec.run(['supervisord', '--version'], { timeoutMs: 10_000 });
    try {
      await ctl(env, 'reread');
    } catch {
      // Not running yet: start it (it puts itself in the background).
      await env.exec.run(['supervisord', '-c', confOf(env)], { timeoutMs: 30_000 });
      const until = Date.now() + 15_000;
      for (;;) {
        try { await ctl(env, 'reread'); break; } catch (e) {
          if (Date.now() > until) throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: `supervisord did not start: ${describe(e)}` });
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    return `supervisord ${version.trim()} with config ${confOf(env)}`;
  },
  async ensure(env, platform): Promise<Upstream> {
    if (!isSafePath(platform.root)) throw new AegirError('ERR_CONTEXT_INVALID', { name: platform.name, problem: 'its root is not a safe path' });
    const dir = runDirOf(env);
    const node = env.exec.local ? process.execPath : 'node';
    const program = programOf(platform);
    const socket = `${dir}/${program}.sock`;
    await env.exec.mkdir(join(dir, 'programs'), 0o755);
    await env.exec.writeFile(join(dir, 'programs', `${program}.conf`), programConfig(dir, node, platform, await socketArgs(env)), 0o640);
    await ctl(env, 'update', program);
    if (!/RUNNING/.test(await state(env, program))) await ctl(env, 'start', program).catch(() => undefined);
    const until = Date.now() + 60_000;
    for (;;) {
      const s = await state(env, program);
      if (/RUNNING/.test(s)) {
        try {
          await env.exec.run(['test', '-S', socket], { timeoutMs: 10_000 });
          return { socket };
        } catch { /* not listening yet */ }
      }
      if (/FATAL|BACKOFF/.test(s) && Date.now() > until - 45_000) {
        throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: `the app process of @${platform.name} does not stay up (${s.trim()}); see ${dir}/${program}.log` });
      }
      if (Date.now() > until) throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: `the app process of @${platform.name} did not listen within 60 s` });
      await new Promise((r) => setTimeout(r, 200));
    }
  },
  async stop(env, platform) {
    const dir = runDirOf(env);
    const program = programOf(platform);
    const had = await env.exec.exists(join(dir, 'programs', `${program}.conf`));
    await ctl(env, 'stop', program).catch(() => undefined);
    await env.exec.remove(join(dir, 'programs', `${program}.conf`));
    await ctl(env, 'update').catch(() => undefined);
    await env.exec.remove(`${dir}/${program}.sock`);
    return had;
  },
};
