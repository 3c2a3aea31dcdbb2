/**
 * A real Apache 2.4 for tests, on a loopback port, with its own config, pid,
 * logs and runtime folders in a throw-away folder (never /etc/apache2),
 * run in the foreground by the `apache2` program itself (no apachectl, no
 * Debian envvars). Used like test/harness/nginx.ts:
 *
 *     const web = await apacheServer();
 *     await apacheHttp.verify(envFor(web.config));   // writes <confDir>/apache2.conf
 *     await web.start();
 *     await web.stop();
 */
import { apacheMainFile } from '../../modules/provision/service/http/apache.js';
import { testWebServer, type TestWebServer } from './nginx.js';

/** An Apache for a test: folder and port ready; start() after the service's verify wrote the config. */
export function apacheServer(): Promise<TestWebServer> {
  return testWebServer({
    type: 'apache',
    program: '/usr/sbin/apache2',
    pidName: 'apache2.pid',
    command: (confDir) => ['/usr/sbin/apache2', '-d', confDir, '-f', apacheMainFile(confDir), '-DFOREGROUND'],
    // SIGTERM: Apache's stop (the parent ends its children).
    stopSignal: 'SIGTERM',
  });
}
