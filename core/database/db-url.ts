import { AegirError } from '../errors/aegir-error.js';

/** An SQLite database: one file, by default under the site's private folder. */
export interface SqliteSettings {
  readonly driver: 'sqlite';
  /** File path, relative to the site folder unless absolute. */
  readonly file: string;
}

/** A MySQL or MariaDB database reached over TCP or a unix socket. */
export interface MysqlSettings {
  readonly driver: 'mysql';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Unix socket path; when set, host and port are not used to connect. */
  readonly socket?: string | undefined;
}

/** Where a site's database lives. */
export type DatabaseSettings = SqliteSettings | MysqlSettings;

/** The SQLite file a site gets when nothing else is said. */
export const DEFAULT_SQLITE_FILE = 'private/site.sqlite';

const DB_NAME = /^[A-Za-z0-9_]{1,64}$/;
const DB_USER = /^[A-Za-z0-9_.-]{1,80}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[[0-9A-Fa-f:.]+\]$/;

/** Whether `name` may be used as a MySQL database or table name without quoting surprises. */
export function isSafeDatabaseName(name: string): boolean {
  return DB_NAME.test(name);
}

/**
 * Parse a database URL: `sqlite:` (the default file), `sqlite:path/to/file.sqlite`,
 * `sqlite:///absolute/path.sqlite`, or `mysql://user[:password]@host[:port]/database`
 * (`mariadb://` too; `?socket=/path` for a unix socket). Passwords may be
 * percent-encoded. Every problem is ERR_DB_URL_INVALID, with the password hidden.
 */
export function parseDbUrl(url: string): DatabaseSettings {
  const shown = redactUrl(url);
  const bad = (problem: string): never => { throw new AegirError('ERR_DB_URL_INVALID', { url: shown, problem }); };
  if (/[\s\0]/.test(url)) bad('it contains spaces or control characters');
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1];
  if (scheme === 'sqlite') {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') return { driver: 'sqlite', file: DEFAULT_SQLITE_FILE };
    if (!/\.(sqlite3?|db)$/.test(path)) bad('the SQLite file name must end in .sqlite, .sqlite3 or .db');
    if (!path.startsWith('/') && path.split('/').includes('..')) bad('a relative SQLite path may not leave the site folder');
    return { driver: 'sqlite', file: path };
  }
  if (scheme !== 'mysql' && scheme !== 'mariadb') return bad(`unknown scheme "${scheme ?? url}"`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('it is not a well-formed URL');
  }
  const user = safeDecode(u.username, bad);
  const password = safeDecode(u.password, bad);
  const database = safeDecode(u.pathname.replace(/^\//, ''), bad);
  if (u.hash || /#/.test(url)) bad('it must not contain "#"');
  const extra = [...u.searchParams.keys()].filter((k) => k !== 'socket');
  if (extra.length) bad(`unknown parameter "${extra[0]}" (only "socket" is allowed)`);
  return checkMysql({ host: u.hostname, port: u.port ? Number(u.port) : 3306, user, password, database, socket: u.searchParams.get('socket') ?? undefined }, bad);
}

/**
 * Check the parts of MySQL settings one by one, whatever form they came in
 * (URL or settings object), so that no part can smuggle in another: host
 * names, user and database names, port range, socket path.
 */
export function checkMysql(
  m: { host: unknown; port: unknown; user: unknown; password: unknown; database: unknown; socket: unknown },
  bad: (problem: string) => never,
): MysqlSettings {
  if (typeof m.user !== 'string' || !m.user) return bad('a user name is required (mysql://user@host/database)');
  if (!DB_USER.test(m.user)) bad('the user name may hold only letters, digits, ".", "-" and "_"');
  if (typeof m.host !== 'string' || !m.host) return bad('a host is required');
  if (!HOST.test(m.host)) bad(`"${m.host}" is not a valid host name`);
  if (typeof m.database !== 'string' || !m.database) return bad('a database name is required after the host (mysql://user@host/database)');
  if (!DB_NAME.test(m.database)) bad('the database name may hold only letters, digits and "_" (64 at most)');
  if (typeof m.port !== 'number' || !Number.isInteger(m.port) || m.port < 1 || m.port > 65535) bad('the port must be 1 to 65535');
  if (m.password !== undefined && typeof m.password !== 'string') bad('the password must be a string');
  if (typeof m.password === 'string' && /[\n\r\0]/.test(m.password)) bad('the password must not contain line breaks');
  if (m.socket !== undefined && (typeof m.socket !== 'string' || !m.socket.startsWith('/') || /[\n\r\0]/.test(m.socket))) bad('socket must be an absolute path');
  return {
    driver: 'mysql', host: m.host, port: m.port as number, user: m.user, password: (m.password as string | undefined) ?? '',
    database: m.database, socket: m.socket as string | undefined,
  };
}

function safeDecode(s: string, bad: (p: string) => never): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return bad('it has a broken percent-encoding');
  }
}

/**
 * A database URL with its password replaced by asterisks, for messages and
 * logs. Everything between the user's ":" and the last "@" is hidden, since
 * a malformed password may itself hold "/" or "@"; without any "@", a
 * non-numeric text after the first ":" may be a password and is hidden too.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z0-9]+:\/\/)(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme, rest] = m as unknown as [string, string, string];
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const colon = rest.indexOf(':');
    return colon >= 0 && colon < at ? `${scheme}${rest.slice(0, colon)}:***${rest.slice(at)}` : url;
  }
  return `${scheme}${rest.replace(/^([^:/]*):(?!\d+(?:[/?]|$))[^/]*/, '$1:***')}`;
}

/** Describe database settings for people: a URL with the password hidden. */
export function describeDatabase(db: DatabaseSettings): string {
  if (db.driver === 'sqlite') return `sqlite:${db.file}`;
  const where = db.socket ? `localhost/${db.database}?socket=${db.socket}` : `${db.host}:${db.port}/${db.database}`;
  return `mysql://${db.user}${db.password ? ':***' : ''}@${where}`;
}

/** Build a URL from settings (with the password, percent-encoded): for settings files, never logs. */
export function formatDbUrl(db: DatabaseSettings): string {
  if (db.driver === 'sqlite') return `sqlite:${db.file}`;
  const auth = encodeURIComponent(db.user) + (db.password ? `:${encodeURIComponent(db.password)}` : '');
  const q = db.socket ? `?socket=${encodeURIComponent(db.socket)}` : '';
  return `mysql://${auth}@${db.host}:${db.port}/${db.database}${q}`;
}
