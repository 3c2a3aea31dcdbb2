/**
 * The `nginx` http service: nginx (1.18 or later) as a reverse proxy in
 * front of the platforms' app processes, with its own main config in
 * `confDir` (never /etc/nginx), one file per site in `confDir/vhost.d/`.
 *
 * Settings (`services.http` of the server): `confDir` (required), `port`
 * (80), `address` (`*`), `pidFile` (`<confDir>/run/nginx.pid`), `binary`
 * (`/usr/sbin/nginx`), `logDir` (`<confDir>/log`), `user` and `group` of the
 * workers when started as root (nginx's default, nobody). Requests whose
 * Host is no site's get nginx's 404 from the default server.
 */
import { join } from 'node:path';
import type { Upstream } from '../types.js';
import { DISABLED_PAGE, listenOn, redirectBase, RETRY_AFTER, type VhostSite, type WebSettings } from './vhost-check.js';
import { webServerService, type WebServerDriver } from './web-server.js';

const HEAD = '# Written by Aegir (provision, http service "nginx"). Changes are lost when it is written again.';

/** The main config file of an nginx service. */
export function nginxMainFile(confDir: string): string {
  return join(confDir, 'nginx.conf');
}

const errorLog = (s: WebSettings): string => join(s.logDir, 'error.log');
const tmp = (s: WebSettings): string => join(s.confDir, 'tmp');

function mainConfig(s: WebSettings): string {
  return `${HEAD}
${s.user ? `user ${s.user}${s.group ? ` ${s.group}` : ''};\n` : ''}worker_processes auto;
pid ${s.pidFile};
error_log ${errorLog(s)} warn;

events {
    worker_connections 1024;
}

http {
    server_tokens off;
    default_type application/octet-stream;
    access_log ${join(s.logDir, 'access.log')};
    client_body_temp_path ${tmp(s)}/client_body;
    proxy_temp_path ${tmp(s)}/proxy;
    fastcgi_temp_path ${tmp(s)}/fastcgi;
    uwsgi_temp_path ${tmp(s)}/uwsgi;
    scgi_temp_path ${tmp(s)}/scgi;
    # Room for domains up to 253 characters.
    server_names_hash_bucket_size 512;
    server_names_hash_max_size 8192;

    # Hosts that are no site's.
    server {
        listen ${listenOn(s)} default_server;
        server_name _;
        return 404;
    }

    include ${join(s.confDir, 'vhost.d')}/*.conf;
}
`;
}

function proxyTo(upstream: Upstream): string {
  const target = 'socket' in upstream ? `http://unix:${upstream.socket}:` : `http://${upstream.host}:${upstream.port}`;
  return `        proxy_pass ${target};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;`;
}

// DISABLED_PAGE has no quotes, backslashes or "$", so it is literal inside single quotes.
const disabled = `        default_type text/html;
        add_header Retry-After ${RETRY_AFTER} always;
        add_header Cache-Control no-store always;
        return 503 '${DISABLED_PAGE}';`;

function vhost(s: WebSettings, site: VhostSite, upstream: Upstream): string {
  const names = site.redirection ? [site.domain] : [site.domain, ...site.aliases];
  const redirect = site.redirection && site.aliases.length > 0
    ? `
# Aliases answer with a permanent redirect to the main domain, keeping the path.
server {
    listen ${listenOn(s)};
    server_name ${site.aliases.join(' ')};
    return 301 ${redirectBase(s, site.domain)}$request_uri;
}
`
    : '';
  return `${HEAD}
# Site ${site.domain}${site.enabled ? '' : ' (disabled)'}.
server {
    listen ${listenOn(s)};
    server_name ${names.join(' ')};

    location / {
${site.enabled ? proxyTo(upstream) : disabled}
    }
}
${redirect}`;
}

const driver: WebServerDriver = {
  type: 'nginx',
  product: 'nginx',
  install: 'apt-get install --no-install-recommends nginx',
  defaults: { binary: '/usr/sbin/nginx', pidName: 'nginx.pid' },
  // nginx's own default when it starts as root without a user directive.
  workerUser: 'nobody',
  minVersion: [1, 18],
  versionCommand: (s) => [s.binary, '-v'],
  parseVersion: (out) => /nginx\/(\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1],
  mainConfigFile: (s) => nginxMainFile(s.confDir),
  folders: (s) => [tmp(s)],
  mainConfig,
  vhost,
  testCommand: (s) => [s.binary, '-t', '-q', '-c', nginxMainFile(s.confDir), '-e', errorLog(s)],
  reloadCommand: (s) => [s.binary, '-c', nginxMainFile(s.confDir), '-e', errorLog(s), '-s', 'reload'],
  startCommand: (s, foreground) => [s.binary, '-c', nginxMainFile(s.confDir), '-e', errorLog(s), ...(foreground ? ['-g', 'daemon off;'] : [])],
  retired: (cmdline) => cmdline.includes('shutting down'),
};

/** The nginx http service. */
export const nginxHttp = webServerService(driver);

