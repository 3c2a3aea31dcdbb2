/**
 * A real Caddy 2 for tests, on a loopback port, with its own Caddyfile,
 * pid, logs and state folders in a throw-away folder (never /etc/caddy),
 * run in the foreground by `caddy run`. Used like test/harness/nginx.ts.
 */
import { dirname, join } from 'node:path';
import { testWebServer, type TestWebServer } from './nginx.js';

/** A Caddy for a test: folder and port ready; start() after the service's verify wrote the Caddyfile. */
export function caddyServer(): Promise<TestWebServer> {
  return testWebServer({
    type: 'caddy',
    program: '/usr/bin/caddy',
    pidName: 'caddy.pid',
    command: (confDir) => {
      const state = join(confDir, 'state');
      return ['env', `XDG_CONFIG_HOME=${state}`, `XDG_DATA_HOME=${state}`, '/usr/bin/caddy', 'run', '--config', join(confDir, 'Caddyfile'), '--adapter', 'caddyfile',
        '--pidfile', join(dirname(confDir), 'run', 'caddy.pid')];
    },
    // SIGTERM: Caddy's graceful stop.
    stopSignal: 'SIGTERM',
  });
}
