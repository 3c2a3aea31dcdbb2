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
  if (!user) bad('a user name is required (mysql://user@host/database)');
  if (!DB_USER.test(user)) bad('the user name may hold only letters, digits, ".", "-" and "_"');
  if (!u.hostname) bad('a host is required');
  if (!HOST.test(u.hostname)) bad(`"${u.hostname}" is not a valid host name`);
  if (!database) bad('a database name is required after the host (mysql://user@host/database)');
  if (!DB_NAME.test(database)) bad('the database name may hold only letters, digits and "_" (64 at most)');
  const port = u.port ? Number(u.port) : 3306;
  const extra = [...u.searchParams.keys()].filter((k) => k !== 'socket');
  if (extra.length) bad(`unknown parameter "${extra[0]}" (only "socket" is allowed)`);
  const socket = u.searchParams.get('socket') ?? undefined;
  if (socket !== undefined && !socket.startsWith('/')) bad('socket must be an absolute path');
  return { driver: 'mysql', host: u.hostname, port, user, password, database, socket };
}

function safeDecode(s: string, bad: (p: string) => never): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return bad('it has a broken percent-encoding');
  }
}

/** A database URL with its password replaced by asterisks, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z0-9]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
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
