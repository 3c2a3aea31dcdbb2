/**
 * The `apache` http service: Apache 2.4 (event MPM, mod_proxy) as a reverse
 * proxy in front of the platforms' app processes, run from its own main
 * config in `confDir` (never /etc/apache2), one file per site in
 * `confDir/vhost.d/`. The `apache2` program is called directly with `-d`
 * and `-f` (what apachectl does, without Debian's envvars and /run folders):
 * `-t` to test, `-k graceful` to reload.
 *
 * Settings (`services.http` of the server): `confDir` (required), `port`
 * (80), `address` (`*`), `pidFile` (`<confDir>/run/apache2.pid`), `binary`
 * (`/usr/sbin/apache2`), `modulesDir` (`/usr/lib/apache2/modules`), `logDir`
 * (`<confDir>/log`), `user` and `group` of the children when started as
 * root (`www-data`). Requests whose Host is no site's get a 404 from the
 * first (default) virtual host.
 */
import { join } from 'node:path';
import type { Upstream } from '../types.js';
import { DISABLED_PAGE, listenOn, redirectBase, RETRY_AFTER, type VhostSite, type WebSettings } from './vhost-check.js';
import { webServerService, type WebServerDriver } from './web-server.js';

const HEAD = '# Written by Aegir (provision, http service "apache"). Changes are lost when it is written again.';

/** The main config file of an Apache service. */
export function apacheMainFile(confDir: string): string {
  return join(confDir, 'apache2.conf');
}

const MODULES = ['mpm_event', 'authz_core', 'alias', 'headers', 'proxy', 'proxy_http'];

function mainConfig(s: WebSettings): string {
  const modules = MODULES.map((m) => `LoadModule ${m}_module ${join(s.modulesDir, `mod_${m}.so`)}`).join('\n');
  return `${HEAD}
ServerRoot ${s.confDir}
DefaultRuntimeDir ${join(s.confDir, 'run')}
PidFile ${s.pidFile}
ErrorLog ${join(s.logDir, 'error.log')}
LogLevel warn
${modules}
# One child of spare threads at rest: after a graceful reload the master then
# forks one child of the new generation and no more spares while idle, so
# no child of the old generation is forked while a reload is under way.
StartServers 1
ThreadsPerChild 25
MinSpareThreads 25
MaxSpareThreads 75
${s.user ? `User ${s.user}\n` : ''}${s.group ? `Group ${s.group}\n` : ''}Listen ${listenOn(s)}
ServerName localhost
ServerTokens Prod
ServerSignature Off
TraceEnable Off
DocumentRoot ${join(s.confDir, 'htdocs')}
LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Host}i\\"" aegir
CustomLog ${join(s.logDir, 'access.log')} aegir

<Directory />
    AllowOverride None
    Require all denied
</Directory>

# Hosts that are no site's: the first virtual host is the default.
<VirtualHost *:${s.port}>
    ServerName default.invalid
    Redirect 404 /
</VirtualHost>

IncludeOptional ${join(s.confDir, 'vhost.d')}/*.conf
`;
}

function proxyTo(upstream: Upstream): string {
  const pass = 'socket' in upstream
    ? `    ProxyPass / unix:${upstream.socket}|http://localhost/`
    : `    ProxyPass / http://${upstream.host}:${upstream.port}/\n    ProxyPassReverse / http://${upstream.host}:${upstream.port}/`;
  // mod_proxy_http adds X-Forwarded-For (appended) and X-Forwarded-Host itself.
  return `    ProxyPreserveHost On
${pass}
    RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}`;
}

// DISABLED_PAGE has no double quotes or backslashes, so it is literal inside double quotes.
const disabled = `    Header always set Retry-After "${RETRY_AFTER}"
    Header always set Cache-Control "no-store"
    ErrorDocument 503 "${DISABLED_PAGE}"
    Redirect 503 /`;

function vhost(s: WebSettings, site: VhostSite, upstream: Upstream): string {
  const served = site.redirection ? [] : site.aliases;
  const [first, ...rest] = site.aliases;
  const redirect = site.redirection && first !== undefined
    ? `
# Aliases answer with a permanent redirect to the main domain, keeping the path.
<VirtualHost *:${s.port}>
    ServerName ${first}
${rest.length ? `    ServerAlias ${rest.join(' ')}\n` : ''}    Redirect permanent / ${redirectBase(s, site.domain)}/
</VirtualHost>
`
    : '';
  return `${HEAD}
# Site ${site.domain}${site.enabled ? '' : ' (disabled)'}.
<VirtualHost *:${s.port}>
    ServerName ${site.domain}
${served.length ? `    ServerAlias ${served.join(' ')}\n` : ''}${site.enabled ? proxyTo(upstream) : disabled}
</VirtualHost>
${redirect}`;
}

const base = (s: WebSettings): string[] => [s.binary, '-d', s.confDir, '-f', apacheMainFile(s.confDir)];

const driver: WebServerDriver = {
  type: 'apache',
  product: 'Apache',
  install: 'apt-get install --no-install-recommends apache2',
  defaults: { binary: '/usr/sbin/apache2', pidName: 'apache2.pid', user: 'www-data', group: 'www-data' },
  workerUser: 'www-data',
  minVersion: [2, 4],
  versionCommand: (s) => [s.binary, '-v'],
  parseVersion: (out) => /Apache\/(\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1],
  mainConfigFile: (s) => apacheMainFile(s.confDir),
  folders: (s) => [join(s.confDir, 'run'), join(s.confDir, 'htdocs')],
  mainConfig,
  vhost,
  testCommand: (s) => [...base(s), '-t'],
  reloadCommand: (s) => [...base(s), '-k', 'graceful'],
  startCommand: (s, foreground) => [...base(s), ...(foreground ? ['-DFOREGROUND'] : ['-k', 'start'])],
  // Children of the previous generation look like new ones, and one may
  // still accept a connection for a moment after the new generation starts;
  // so wait for them to exit (idle ones do at once), or 2 s for busy ones,
  // which stop accepting as soon as they see the parent's graceful signal.
  retired: () => false,
  drainMs: 2000,
};

/** The Apache http service. */
export const apacheHttp = webServerService(driver);

