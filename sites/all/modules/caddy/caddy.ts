/**
 * The `caddy` http service: Caddy 2.4 or later as a reverse proxy in front
 * of the platforms' app processes, with its own Caddyfile in `confDir`
 * (never /etc/caddy), one file per site in `confDir/vhost.d/`, written from
 * the templates beside this file. Caddy is reloaded through its admin API
 * on a unix socket in `confDir/run`, after `caddy validate` passed; it runs
 * as the user who starts it (settings as nginx: `confDir`, `port`,
 * `address`, `pidFile`, `binary`, `logDir`, `start`).
 */
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import {
  DISABLED_PAGE, redirectBase, RETRY_AFTER, webServerService,
  type HttpService, type Upstream, type VhostSite, type WebServerDriver, type WebSettings,
} from '../../../../modules/provision/api.js';

const main = (s: WebSettings): string => join(s.confDir, 'Caddyfile');
const adminSocket = (s: WebSettings): string => join(s.confDir, 'run', 'admin.sock');

/** Caddy keeps state (autosaved config, certificates) under XDG folders: keep them in confDir. */
const caddy = (s: WebSettings, ...args: string[]): string[] => {
  const state = join(s.confDir, 'state');
  return ['env', `XDG_CONFIG_HOME=${state}`, `XDG_DATA_HOME=${state}`, s.binary, ...args];
};
const withConfig = (s: WebSettings): string[] => ['--config', main(s), '--adapter', 'caddyfile'];

/** The Caddy driver of the web server service; templates come from `dir`/templates. */
function driver(dir: string): WebServerDriver {
  const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader(join(dir, 'templates')), { autoescape: false, throwOnUndefined: true });
  const bind = (s: WebSettings): string => (s.address === '*' ? '' : s.address);
  const address = (s: WebSettings, host: string): string => `http://${host}:${s.port}`;
  const upstreamOf = (u: Upstream): string => ('socket' in u ? `unix/${u.socket}` : `${u.host}:${u.port}`);
  return {
    type: 'caddy',
    product: 'Caddy',
    install: 'apt-get install --no-install-recommends caddy',
    defaults: { binary: '/usr/bin/caddy', pidName: 'caddy.pid' },
    minVersion: [2, 4],
    versionCommand: (s) => [s.binary, 'version'],
    parseVersion: (out) => /^v?(\d+\.\d+(?:\.\d+)?)/m.exec(out)?.[1],
    mainConfigFile: main,
    folders: (s) => [join(s.confDir, 'run'), join(s.confDir, 'state')],
    mainConfig: (s) => templates.render('main.Caddyfile.njk', { port: s.port, bind: bind(s), admin: adminSocket(s), logDir: s.logDir, confDir: s.confDir }),
    vhost: (s: WebSettings, site: VhostSite, upstream: Upstream) => templates.render('site.Caddyfile.njk', {
      site, bind: bind(s),
      names: (site.redirection ? [site.domain] : [site.domain, ...site.aliases]).map((h) => address(s, h)),
      redirects: site.redirection ? site.aliases.map((h) => address(s, h)) : [],
      redirectTo: redirectBase(s, site.domain), upstream: upstreamOf(upstream), page: DISABLED_PAGE, retryAfter: RETRY_AFTER,
    }),
    testCommand: (s) => caddy(s, 'validate', ...withConfig(s)),
    reloadCommand: (s) => caddy(s, 'reload', ...withConfig(s), '--address', `unix/${adminSocket(s)}`),
    // `caddy start` leaves its server on its own output: send both to a log, so that the command ends.
    startCommand: (s, foreground) => (foreground
      ? caddy(s, 'run', ...withConfig(s), '--pidfile', s.pidFile)
      : ['sh', '-c', 'exec "$@" >>"$0" 2>&1 </dev/null', join(s.logDir, 'start.log'), ...caddy(s, 'start', ...withConfig(s), '--pidfile', s.pidFile)]),
    retired: () => true,
    reloadIsSynchronous: true,
  };
}

/** The Caddy http service, its templates in `dir`/templates. */
export function caddyHttp(dir: string): HttpService {
  return webServerService(driver(dir));
}
