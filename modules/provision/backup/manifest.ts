import { AegirError } from '../../../core/errors/aegir-error.js';

/** Version of the backup layout; a backup of another version is refused. */
export const BACKUP_FORMAT = 1;

/** One file (or symlink) of a backup, with what it must be on restore. */
export interface BackupMember {
  /** Path in the archive: `database.sql` or `site/...`. */
  readonly path: string;
  readonly size: number;
  /** sha256 of the content (of the link target for a symlink), hex. */
  readonly sha256: string;
  /** Target, when the member is a symlink. */
  readonly link?: string;
}

/**
 * manifest.json, the first member of every backup: what the backup is of and
 * every other member with its size and checksum. Restore and migrate check
 * the archive against it before they change anything.
 */
export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly site: string;
  readonly platform: string;
  readonly profile: string;
  /** Database driver of the dump (`sqlite`, `mysql`): a dump only goes back into the same kind. */
  readonly db: 'sqlite' | 'mysql';
  /** ISO time the backup was made. */
  readonly created: string;
  /** Sum of the members' sizes. */
  readonly bytes: number;
  readonly members: readonly BackupMember[];
}

/** Whether a member path is one a backup may hold: `database.sql`, or under `site/` without `.`, `..` or empty segments. */
export function isMemberPath(path: string): boolean {
  if (path === 'database.sql') return true;
  const parts = path.split('/');
  return parts[0] === 'site' && parts.length > 1 && parts.every((p) => p !== '' && p !== '.' && p !== '..') && !path.includes('\0');
}

/** Parse and validate manifest.json; every problem is ERR_BACKUP_INVALID naming the file. */
export function parseManifest(text: string, file: string): BackupManifest {
  const bad = (problem: string): never => { throw new AegirError('ERR_BACKUP_INVALID', { file, problem: `manifest.json ${problem}` }); };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return bad(`is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('is not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== BACKUP_FORMAT) bad(`has format ${JSON.stringify(m.format)}; this version reads format ${BACKUP_FORMAT}`);
  for (const k of ['site', 'platform', 'profile', 'created'] as const) if (typeof m[k] !== 'string' || m[k] === '') bad(`has no "${k}"`);
  if (m.db !== 'sqlite' && m.db !== 'mysql') bad('has no valid "db" (sqlite or mysql)');
  if (!Array.isArray(m.members)) return bad('has no "members" list');
  const seen = new Set<string>();
  let bytes = 0;
  const members = (m.members as unknown[]).map((x, i): BackupMember => {
    const r = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
    if (typeof r.path !== 'string' || !isMemberPath(r.path)) bad(`member ${i} has an invalid path`);
    const path = r.path as string;
    if (seen.has(path)) bad(`lists ${path} twice`);
    seen.add(path);
    if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0) bad(`member ${path} has an invalid size`);
    if (typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256)) bad(`member ${path} has an invalid sha256`);
    if (r.link !== undefined && typeof r.link !== 'string') bad(`member ${path} has an invalid link`);
    bytes += r.size as number;
    return { path, size: r.size as number, sha256: r.sha256 as string, ...(typeof r.link === 'string' ? { link: r.link } : {}) };
  });
  if (!seen.has('database.sql')) bad('does not list database.sql');
  if (m.bytes !== bytes) bad(`says ${String(m.bytes)} bytes but its members add up to ${bytes}`);
  return { format: BACKUP_FORMAT, site: m.site as string, platform: m.platform as string, profile: m.profile as string, db: m.db as 'sqlite' | 'mysql', created: m.created as string, bytes, members };
}

/** manifest.json's text. */
export function manifestText(m: BackupManifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}
