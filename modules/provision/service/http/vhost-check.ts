/**
 * The one place where values that end up in nginx or Apache config files
 * are checked. Templates (nginx.ts, apache.ts) only take the checked shapes
 * below, so a domain with `;`, `}`, quotes, `$`, spaces or a line break, a
 * path with odd characters or a port that is not an integer never reaches a
 * file: it is refused before anything is written.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AegirError } from '../../../../core/errors/aegir-error.js';
import { isHostName } from '../../../../core/settings/uri.js';
import { isDomain, isSafePath } from '../../context/validate.js';
import type { SiteProvisionContext } from '../../context/types.js';
import type { ServiceEnv, Upstream } from '../types.js';

/** Settings of a web server service (`services.http` of a server), checked. */
export interface WebSettings {
  /** Folder of the service's own config: main config, `vhost.d/`, logs, run and temp folders. */
  readonly confDir: string;
  /** Port the server listens on. */
  readonly port: number;
  /** Address to listen on: an IPv4 address, or `*` for every address. */
  readonly address: string;
  /** Pid file of the running server (the master / parent process). */
  readonly pidFile: string;
  /** The server program. */
  readonly binary: string;
  /** Folder of the access and error logs. */
  readonly logDir: string;
  /** Unix user (and group) the workers run as when the server starts as root; undefined: the server's default. */
  readonly user: string | undefined;
  readonly group: string | undefined;
  /** Apache only: folder of the `mod_*.so` files. */
  readonly modulesDir: string;
  /**
   * Whether a verify starts the server when it does not run (`start=1`):
   * for a machine whose web server nothing else starts, such as the
   * hostmaster's own from `hostmaster-install`. Otherwise a verify leaves
   * starting it to the system (systemd) and says how.
   */
  readonly start: boolean;
}

/** Defaults that differ per server. */
export interface SettingDefaults {
  readonly binary: string;
  readonly pidName: string;
  readonly user?: string;
  readonly group?: string;
}

const UNIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A refused value as it may appear in a message: escaped like JSON (no raw line breaks or quotes), at most 80 characters. */
function shown(value: unknown): string {
  return JSON.stringify(String(value).slice(0, 80)).slice(1, -1);
}

/** Bad server settings: ERR_CONTEXT_INVALID naming the server and the setting. */
function badSetting(env: ServiceEnv, key: string, problem: string): never {
  throw new AegirError('ERR_CONTEXT_INVALID', { name: env.server.name, problem: `"services.http.${key}" ${problem}` });
}

/** A port: an integer (or a string of digits) from 1 to 65535. */
export function checkPort(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** Read and check the settings of an nginx or Apache service. */
export function webSettings(env: ServiceEnv, defaults: SettingDefaults): WebSettings {
  const c = env.config;
  const path = (key: string, fallback?: string): string => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'string' || !isSafePath(v)) badSetting(env, key, 'must be an absolute path of letters, digits, ".", "_", "-" and "/"');
    return v;
  };
  const name = (key: string, fallback: string | undefined): string | undefined => {
    const v = c[key] ?? fallback;
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !UNIX_NAME.test(v)) badSetting(env, key, 'must be a Unix user or group name');
    return v;
  };
  const confDir = path('confDir');
  const port = checkPort(c.port ?? 80) ?? badSetting(env, 'port', 'must be an integer from 1 to 65535');
  const address = c.address ?? '*';
  if (typeof address !== 'string' || (address !== '*' && !IPV4.test(address))) badSetting(env, 'address', 'must be an IPv4 address or "*"');
  return {
    confDir,
    port,
    address,
    pidFile: path('pidFile', join(confDir, 'run', defaults.pidName)),
    binary: path('binary', defaults.binary),
    logDir: path('logDir', join(confDir, 'log')),
    user: name('user', defaults.user),
    group: name('group', defaults.group),
    modulesDir: path('modulesDir', '/usr/lib/apache2/modules'),
    start: flag(env, c.start),
  };
}

/** A yes/no setting: 1, 0, true, false, yes, no (absent: no). */
function flag(env: ServiceEnv, v: unknown): boolean {
  if (v === undefined) return false;
  const text = String(v).toLowerCase();
  if (['1', 'true', 'yes'].includes(text)) return true;
  if (['0', 'false', 'no'].includes(text)) return false;
  return badSetting(env, 'start', 'must be 1 or 0');
}

/** A site as a virtual host needs it, checked. */
export interface VhostSite {
  readonly domain: string;
  readonly aliases: readonly string[];
  readonly redirection: boolean;
  readonly enabled: boolean;
}

/** Check a site's domain and aliases (RFC 1123 names only); ERR_CONTEXT_INVALID otherwise. */
export function checkSite(site: Pick<SiteProvisionContext, 'name' | 'aliases' | 'redirection' | 'enabled'>): VhostSite {
  const bad = (problem: string): never => { throw new AegirError('ERR_CONTEXT_INVALID', { name: shown(site.name), problem }); };
  if (typeof site.name !== 'string' || !isDomain(site.name)) bad('a site domain must be lower-case letters, digits, "-" and "." (RFC 1123)');
  if (!Array.isArray(site.aliases)) bad('"aliases" must be a list of domains');
  for (const a of site.aliases) {
    if (typeof a !== 'string' || !isDomain(a)) bad(`alias "${shown(a)}" is not a domain (lower-case letters, digits, "-" and ".")`);
  }
  const aliases = [...new Set(site.aliases)].filter((a) => a !== site.name);
  return { domain: site.name, aliases, redirection: site.redirection === true, enabled: site.enabled !== false };
}

/** Check an upstream: a safe absolute socket path, or a host name / IPv4 address and a port. */
export function checkUpstream(env: ServiceEnv, upstream: Upstream): Upstream {
  const bad = (problem: string): never => { throw new AegirError('ERR_SERVICE_FAILED', { service: `http (${env.config.type})`, server: env.server.name, problem }); };
  if ('socket' in upstream) {
    if (typeof upstream.socket !== 'string' || !isSafePath(upstream.socket)) bad(`upstream socket "${shown(upstream.socket)}" is not an absolute path of safe characters`);
    return { socket: upstream.socket };
  }
  if (typeof upstream.host !== 'string' || !isHostName(upstream.host)) bad(`upstream host "${shown(upstream.host)}" is not a host name or IPv4 address`);
  const port = checkPort(upstream.port) ?? bad('the upstream port must be an integer from 1 to 65535');
  return { host: upstream.host, port };
}

/**
 * The vhost file of a site under the service's config folder:
 * `<domain>.conf`, or for domains too long for a file name (255 bytes) the
 * first 200 characters, "-" and 16 hex digits of the domain's SHA-256.
 */
export function vhostFile(s: WebSettings, domain: string): string {
  if (!isDomain(domain)) throw new AegirError('ERR_CONTEXT_INVALID', { name: shown(domain), problem: 'not a domain' });
  const name = domain.length + 5 <= 255 ? domain : `${domain.slice(0, 200)}-${createHash('sha256').update(domain).digest('hex').slice(0, 16)}`;
  return join(s.confDir, 'vhost.d', `${name}.conf`);
}

/** Where a redirected alias sends its visitors: the main domain, with the port when it is not 80. */
export function redirectBase(s: WebSettings, domain: string): string {
  return `http://${domain}${s.port === 80 ? '' : `:${s.port}`}`;
}

/** Seconds a client is asked to wait before trying a disabled site again. */
export const RETRY_AFTER = 3600;

/** The page of a disabled site: constant text, no quotes or backslashes, so it fits in both servers' quoted strings. */
export const DISABLED_PAGE = '<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Site disabled</title></head>'
  + '<body><h1>Site disabled</h1><p>This site is disabled. Please try again later.</p></body></html>';

/** The address part of a listen directive. */
export function listenOn(s: WebSettings): string {
  return s.address === '*' ? String(s.port) : `${s.address}:${s.port}`;
}
