import { AegirError } from '../errors/aegir-error.js';

/** A request address as multisite resolution needs it. */
export interface SiteAddress {
  /** Lower-case host name, without a trailing dot. */
  readonly host: string;
  /** Port, when one was given and is not the scheme's default. */
  readonly port?: number | undefined;
  /** Path segments below the host, without empty ones ("/a/b" → ["a", "b"]). */
  readonly path: readonly string[];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Whether `host` is a valid host name (RFC 1123: labels of letters, digits
 * and inner hyphens, 63 characters each, 253 in all) or an IPv4 address.
 */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((l) => LABEL.test(l));
}

/**
 * What is wrong with a Host header, in words, or undefined when it is a
 * host name or IPv4 address with an optional port (`example.com`,
 * `example.com:8080`; a trailing dot and any case allowed). The words name
 * the part that is wrong, for the 400 a malformed header gets.
 */
export function hostHeaderProblem(value: string): string | undefined {
  if (value.length > 260) return 'it is longer than a host name and port can be';
  if (value.startsWith('[')) return 'addresses in brackets (IPv6) are not served here; use the site\'s host name';
  const colon = value.indexOf(':');
  const host = colon < 0 ? value : value.slice(0, colon);
  const port = colon < 0 ? undefined : value.slice(colon + 1);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `"${port.slice(0, 20)}" after the ":" is not a port number from 1 to 65535`;
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === '') return 'the host name is empty';
  const odd = /[^a-z0-9.-]/.exec(name);
  if (odd) return `it contains "${odd[0]}": a host name has only letters, digits, "-" and "."`;
  if (name.length > 253) return 'the host name is longer than 253 characters';
  const label = name.split('.').find((l) => !LABEL.test(l));
  if (label === '') return 'it has an empty label (two dots in a row, or a dot at the start)';
  if (label !== undefined) return `the label "${label.slice(0, 70)}" must be 1 to 63 letters and digits, with hyphens only inside`;
  return undefined;
}

/**
 * Parse what a user gives as --uri: `example.com`, `example.com:8080`,
 * `http://example.com/sub`, `https://www.example.com:8443/a/b`. Anything
 * else (spaces, quotes, `..`, user info, odd characters) is ERR_URI_INVALID,
 * so an address can go into a folder name or a config file safely.
 */
export function parseSiteAddress(uri: string): SiteAddress {
  const bad = (problem: string): never => { throw new AegirError('ERR_URI_INVALID', { uri: uri.slice(0, 300), problem }); };
  if (!uri || uri.length > 300) bad('it must be 1 to 300 characters');
  if (/[\s\0"'`;{}<>\\|$]/.test(uri)) bad('it contains spaces, quotes or other characters a site address cannot have');
  if (/[@?#]/.test(uri)) bad('it must not contain "@", "?" or "#"');
  const withScheme = /^[a-z]+:\/\//i.test(uri) ? uri : `http://${uri}`;
  const scheme = /^([a-z]+):/i.exec(withScheme)![1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') bad(`scheme "${scheme}" is not http or https`);
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return bad('it is not a host name or URL');
  }
  if (u.username || u.password) bad('it must not contain a user name or password');
  if (u.search || u.hash) bad('it must not contain "?" or "#"');
  const host = u.hostname.replace(/\.$/, '').toLowerCase();
  if (!isHostName(host)) bad(`"${host}" is not a valid host name (letters, digits and hyphens, dot-separated)`);
  const rawPath = withScheme.replace(/^[a-z]+:\/\/[^/]*/i, '');
  // Folder names are lower case, so path segments are folded like the host.
  const path = rawPath.split('/').filter((s) => s !== '').map((s) => s.toLowerCase());
  for (const s of path) if (!SEGMENT.test(s)) bad(`path segment "${s}" may hold only letters, digits, "-" and "_"`);
  if (u.port === '0') bad('port 0 is not a port');
  const defaultPort = scheme === 'https' ? 443 : 80;
  const port = u.port && Number(u.port) !== defaultPort ? Number(u.port) : undefined;
  return { host, port, path };
}

/**
 * Folder names a request may map to, most specific first, in Drupal's
 * order: for each path prefix from longest to none, the host with port
 * and every shorter suffix of it (`8080.www.example.com.sub`,
 * `www.example.com.sub`, `example.com.sub`, ..., `com`).
 */
export function candidateDirs(addr: SiteAddress): string[] {
  const server = [...(addr.port ? [String(addr.port)] : []), ...addr.host.split('.')];
  const out: string[] = [];
  for (let i = addr.path.length; i >= 0; i--) {
    const suffix = addr.path.slice(0, i).map((s) => `.${s}`).join('');
    for (let j = server.length; j > 0; j--) out.push(server.slice(-j).join('.') + suffix);
  }
  return out;
}

/** The folder name site-install gives a new site at this address: its most specific candidate. */
export function siteDirFor(addr: SiteAddress): string {
  return candidateDirs(addr)[0]!;
}
