import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AegirError, isAegirError } from '../errors/aegir-error.js';
import { isConfigKey, type Json } from '../config/config-store.js';
import { checkMysql, parseDbUrl, type DatabaseSettings } from '../database/db-url.js';
import { writeFileAtomic } from '../util/fs.js';
import { MISSING, readJsonFile } from '../util/json-file.js';

/** A site's settings file, `sites/<dir>/settings.json`, validated. */
export interface Settings {
  /** Where the site's database is. */
  readonly database: DatabaseSettings;
  /** Secret salt for tokens and one-time links; generated at install. */
  readonly hashSalt: string;
  /** Configuration overrides that win over the database (read-only from the site). */
  readonly config: Readonly<Record<string, Json>>;
}

const KEYS = ['database', 'hashSalt', 'config'];

/** Path of a site folder's settings file. */
export function settingsPath(siteDir: string): string {
  return join(siteDir, 'settings.json');
}

/** Read and validate a site's settings; undefined when the file does not exist. */
export function readSettings(siteDir: string): Settings | undefined {
  const path = settingsPath(siteDir);
  const raw = readJsonFile(path, 'ERR_SETTINGS_INVALID', { optional: true });
  return raw === MISSING ? undefined : parseSettings(raw, path);
}

/** Validate a parsed settings object; every problem is ERR_SETTINGS_INVALID naming the file. */
export function parseSettings(raw: unknown, path: string): Settings {
  const bad = (problem: string): never => { throw new AegirError('ERR_SETTINGS_INVALID', { path, problem }); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('it must be a JSON object');
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!KEYS.includes(k)) bad(`unknown key "${k}" (allowed: ${KEYS.join(', ')})`);
  if (s.database === undefined) bad('"database" is missing');
  const database = parseDatabase(s.database, bad);
  if (typeof s.hashSalt !== 'string' || s.hashSalt.length < 32) bad('"hashSalt" must be a string of at least 32 characters');
  const config: Record<string, Json> = {};
  if (s.config !== undefined) {
    if (typeof s.config !== 'object' || s.config === null || Array.isArray(s.config)) bad('"config" must be an object of key: value');
    for (const [k, v] of Object.entries(s.config as Record<string, Json>)) {
      if (!isConfigKey(k)) bad(`config key "${k}" must look like module.name`);
      config[k] = v;
    }
  }
  return Object.freeze({ database, hashSalt: s.hashSalt as string, config: Object.freeze(config) });
}

function parseDatabase(v: unknown, bad: (p: string) => never): DatabaseSettings {
  if (typeof v === 'string') {
    try {
      return parseDbUrl(v);
    } catch (e) {
      return bad(isAegirError(e) ? `"database": ${e.message}` : String(e));
    }
  }
  if (typeof v !== 'object' || v === null) return bad('"database" must be a database URL or an object');
  const d = v as Record<string, unknown>;
  if (d.driver === 'sqlite') {
    const extra = Object.keys(d).find((k) => k !== 'driver' && k !== 'file');
    if (extra) bad(`"database.${extra}" is not an SQLite setting`);
    if (typeof d.file !== 'string') bad('"database.file" must be a path');
    try {
      return parseDbUrl(`sqlite:${d.file as string}`);
    } catch (e) {
      return bad(isAegirError(e) ? `"database.file": ${e.message}` : String(e));
    }
  }
  if (d.driver === 'mysql') {
    const allowed = ['driver', 'host', 'port', 'user', 'password', 'database', 'socket'];
    const extra = Object.keys(d).find((k) => !allowed.includes(k));
    if (extra) bad(`"database.${extra}" is not a MySQL setting (allowed: ${allowed.join(', ')})`);
    return checkMysql({ ...d, port: d.port ?? 3306 } as Parameters<typeof checkMysql>[0], (p) => bad(`"database": ${p}`));
  }
  return bad('"database.driver" must be "sqlite" or "mysql"');
}

/** A new random hash salt. */
export function newHashSalt(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Write a site's settings file atomically. It holds database credentials,
 * so it is readable by its owner and group only (0640).
 */
export function writeSettings(siteDir: string, settings: Settings): void {
  const db = settings.database;
  const out = {
    database: db.driver === 'sqlite' ? { driver: 'sqlite', file: db.file } : { ...db, socket: db.socket },
    hashSalt: settings.hashSalt,
    ...(Object.keys(settings.config).length ? { config: settings.config } : {}),
  };
  writeFileAtomic(settingsPath(siteDir), JSON.stringify(out, null, 2) + '\n', 0o640);
}
