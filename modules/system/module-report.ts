import { isMachineName } from '../../core/modules/manifest.js';
import { ORIGINS, type Origin } from '../../core/modules/discovery.js';
import { isReportableVersion } from './versions.js';

/**
 * One module or profile as `pm-list --format=json` reports it, read back
 * by whoever relies on it (a site's verify and install report the site's
 * enabled modules this way, and the front end records them).
 */
export interface ModuleReport {
  readonly name: string;
  readonly type: 'module' | 'profile';
  /** A semantic version, or null when unknown ('unknown' in pm-list's rows). */
  readonly version: string | null;
  /** 'manifest', 'vcs', ...: where the version came from; null while unknown. */
  readonly versionOrigin: string | null;
  /** Where the module was found: core (modules/), profile, sites/all, or the site's own folder. */
  readonly origin: Origin;
}

/** Most modules one report may list: more is no codebase of this framework but garbage. */
export const MAX_REPORTED_MODULES = 2000;

const ORIGIN_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Check a list of module reports (pm-list's JSON rows, or the same list
 * as a task's result carries it) and return them normalised, or the first
 * problem found, naming the row. Unknown keys (package, status, path) are
 * ignored; names, kinds, versions and origins are checked.
 */
export function readModuleReports(raw: unknown): { readonly modules: ModuleReport[] } | { readonly problem: string } {
  if (!Array.isArray(raw)) return { problem: 'it is not a list of modules' };
  if (raw.length > MAX_REPORTED_MODULES) return { problem: `it lists ${raw.length} modules, more than ${MAX_REPORTED_MODULES}` };
  const modules: ModuleReport[] = [];
  const seen = new Set<string>();
  for (const [i, row] of raw.entries()) {
    const r = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
    const at = `row ${i + 1}${typeof r.name === 'string' ? ` (${r.name.slice(0, 64)})` : ''}`;
    if (typeof r.name !== 'string' || !isMachineName(r.name)) return { problem: `${at}: the name is no machine name` };
    if (r.type !== 'module' && r.type !== 'profile') return { problem: `${at}: the type must be module or profile` };
    if (seen.has(r.name)) return { problem: `${at}: listed twice` };
    seen.add(r.name);
    const version = r.version === 'unknown' || r.version === null || r.version === undefined ? null : r.version;
    if (version !== null && !isReportableVersion(version)) return { problem: `${at}: the version is no semantic version of at most 64 characters` };
    const from = r.versionOrigin ?? null;
    if (from !== null && (typeof from !== 'string' || !ORIGIN_NAME.test(from))) return { problem: `${at}: versionOrigin must be a short lower-case name such as vcs or manifest` };
    if (typeof r.origin !== 'string' || !(ORIGINS as readonly string[]).includes(r.origin)) return { problem: `${at}: origin must be one of ${ORIGINS.join(', ')}` };
    modules.push({ name: r.name, type: r.type, version, versionOrigin: version === null ? null : from, origin: r.origin as Origin });
  }
  return { modules };
}
