import { AegirError, describe } from '../../../../core/errors/aegir-error.js';
import type { ServiceEnv } from '../types.js';

/**
 * The `aegir serve` options that give an app socket to the web server
 * only: its mode, and the numeric id of the group that must reach it (the
 * http service's group, else its workers' user's primary group), looked up
 * on the server itself. Owner only (0600) when the env names nobody.
 */
export async function socketArgs(env: ServiceEnv): Promise<string[]> {
  const access = env.upstreamAccess ?? { mode: 0o600 };
  const mode = `--socket-mode=${access.mode.toString(8).padStart(3, '0')}`;
  if (!access.group && !access.user) return [mode];
  const argv = access.group ? ['getent', 'group', access.group] : ['id', '-g', access.user!];
  let out: string;
  try {
    out = (await env.exec.run(argv, { timeoutMs: 10_000 })).stdout.trim();
  } catch (e) {
    throw new AegirError('ERR_SERVICE_FAILED', {
      service: 'app', server: env.server.name,
      problem: `the web server's ${access.group ? `group "${access.group}"` : `user "${access.user}"`} is unknown there (${describe(e)}); set "group" in services.http to the group its workers run as`,
    });
  }
  const gid = access.group ? out.split(':')[2] : out;
  if (!gid || !/^\d+$/.test(gid)) throw new AegirError('ERR_SERVICE_FAILED', { service: 'app', server: env.server.name, problem: `no group id for the web server from "${argv.join(' ')}"` });
  return [mode, `--socket-group=${gid}`];
}
