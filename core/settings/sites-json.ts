import { join } from 'node:path';
import { AegirError } from '../errors/aegir-error.js';
import { MISSING, readJsonFile } from '../util/json-file.js';

const DIR = /^[a-z0-9](?:[a-z0-9._-]{0,252}[a-z0-9])?$/;

/** Whether a name can be a folder under sites/ (not `all`, no `..`, no slashes). */
export function isSiteDirName(name: string): boolean {
  return DIR.test(name) && !name.includes('..') && name !== 'all';
}

/**
 * Read `sites/sites.json`: `{ "aliases": { "<address candidate>": "<folder>" } }`,
 * Drupal's sites.php as data. A missing file means no aliases; a malformed
 * one is ERR_SITES_JSON_INVALID.
 */
export function readSitesJson(root: string): Record<string, string> {
  const path = join(root, 'sites', 'sites.json');
  const raw = readJsonFile(path, 'ERR_SITES_JSON_INVALID', { optional: true });
  if (raw === MISSING) return {};
  const bad = (problem: string): never => { throw new AegirError('ERR_SITES_JSON_INVALID', { path, problem }); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('it must be an object with an "aliases" object');
  const keys = Object.keys(raw);
  if (keys.some((k) => k !== 'aliases')) bad(`unknown key "${keys.find((k) => k !== 'aliases')}"; only "aliases" is allowed`);
  const aliases = (raw as { aliases?: unknown }).aliases ?? {};
  if (typeof aliases !== 'object' || aliases === null || Array.isArray(aliases)) return bad('"aliases" must be an object');
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(aliases)) {
    if (!DIR.test(from)) bad(`alias "${from}" is not a host-style name`);
    if (typeof to !== 'string' || !isSiteDirName(to)) bad(`alias "${from}" points to "${String(to)}", which is not a folder name under sites/`);
    out[from] = to as string;
  }
  return out;
}
