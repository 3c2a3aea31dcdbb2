import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../errors/aegir-error.js';
import { readManifest, type Manifest } from './manifest.js';

/** Where a module was found; later origins override earlier ones. */
export type Origin = 'core' | 'profile' | 'sites/all' | 'site';

/** Precedence of origins, lowest first: a module in a later origin shadows one of the same name in an earlier origin. */
export const ORIGINS: readonly Origin[] = ['core', 'profile', 'sites/all', 'site'];

/** A module found on disk. */
export interface DiscoveredModule {
  readonly manifest: Manifest;
  /** Absolute path of the module folder. */
  readonly dir: string;
  readonly origin: Origin;
  /** Copies of the same name in lower-precedence places, which this one hides. */
  readonly shadows: readonly string[];
}

/** What to scan: the codebase root, the active profile and the site folder. */
export interface DiscoveryScope {
  readonly root: string;
  /** Machine name of the site's install profile, whose `modules/` folder is scanned. */
  readonly profile?: string | undefined;
  /** Site folder name under sites/ (e.g. `example.com`), whose `modules/` folder is scanned. */
  readonly siteDir?: string | undefined;
}

const SKIP = new Set(['node_modules', 'dist', 'files', 'private', 'test', 'tests']);
const MAX_DEPTH = 4;

/**
 * Find every module and install profile visible to a site, with Drupal's
 * precedence: `modules/` (core) < `profiles/<profile>/modules/` <
 * `sites/all/modules/` < `sites/<site>/modules/`. Every install profile
 * (`profiles/<p>/module.json`) is listed too, so that one can be chosen.
 * Two modules of one name at the same level are an error.
 */
export function discoverModules(scope: DiscoveryScope): Map<string, DiscoveredModule> {
  const found = new Map<string, DiscoveredModule>();
  const levels: [Origin, string][] = [['core', join(scope.root, 'modules')]];
  if (scope.profile) levels.push(['profile', join(scope.root, 'profiles', scope.profile, 'modules')]);
  levels.push(['sites/all', join(scope.root, 'sites', 'all', 'modules')]);
  if (scope.siteDir) levels.push(['site', join(scope.root, 'sites', scope.siteDir, 'modules')]);

  // Profiles sit at the core level: a profile folder's own manifest.
  for (const p of discoverProfiles(scope.root)) found.set(p.manifest.name, p);

  for (const [origin, base] of levels) {
    const level = new Map<string, { manifest: Manifest; dir: string }>();
    scan(base, 0, level);
    for (const [name, m] of level) {
      if (m.manifest.type === 'profile') {
        throw new AegirError('ERR_MANIFEST_INVALID', { path: join(m.dir, 'module.json'), problem: 'install profiles belong in profiles/<name>/, not in a modules folder' });
      }
      const prev = found.get(name);
      found.set(name, { manifest: m.manifest, dir: m.dir, origin, shadows: prev ? [...prev.shadows, prev.dir] : [] });
    }
  }
  return found;
}

/** Every install profile of a codebase (`profiles/<name>/module.json`), by folder order. */
export function discoverProfiles(root: string): DiscoveredModule[] {
  const out: DiscoveredModule[] = [];
  for (const dir of listDirs(join(root, 'profiles'))) {
    const file = join(dir, 'module.json');
    if (!existsSync(file)) continue;
    const manifest = readManifest(file);
    if (manifest.type !== 'profile') throw new AegirError('ERR_MANIFEST_INVALID', { path: file, problem: 'a folder under profiles/ must declare "type": "profile"' });
    out.push({ manifest, dir, origin: 'core', shadows: [] });
  }
  return out;
}

function scan(dir: string, depth: number, into: Map<string, { manifest: Manifest; dir: string }>): void {
  if (depth > MAX_DEPTH) return;
  for (const sub of listDirs(dir)) {
    const file = join(sub, 'module.json');
    if (existsSync(file)) {
      const manifest = readManifest(file);
      const prev = into.get(manifest.name);
      if (prev) throw new AegirError('ERR_MODULE_NAME_CONFLICT', { name: manifest.name, first: prev.dir, second: sub });
      into.set(manifest.name, { manifest, dir: sub });
      // Sub-modules shipped inside a module live in its own modules/ folder.
      scan(join(sub, 'modules'), depth + 1, into);
    } else {
      scan(sub, depth + 1, into);
    }
  }
}

function listDirs(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.name.startsWith('.') && !SKIP.has(e.name) && (e.isDirectory() || (e.isSymbolicLink() && isDir(join(dir, e.name)))))
    .map((e) => e.name)
    .sort()
    .map((n) => join(dir, n));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
