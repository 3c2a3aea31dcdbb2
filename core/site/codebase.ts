import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AegirError } from '../errors/aegir-error.js';
import { discoverModules, discoverProfiles, type DiscoveredModule } from '../modules/discovery.js';
import { importFromSource, loadModules, type LoadedModule, type ModuleImporter } from '../modules/loader.js';
import { resolveSiteDir } from '../settings/multisite.js';
import { settingsPath } from '../settings/settings.js';
import { isSiteDirName, readSitesJson } from '../settings/sites-json.js';
import { parseSiteAddress, type SiteAddress } from '../settings/uri.js';

/** A site chosen for a request or a command. */
export interface SiteChoice {
  /** Folder name under sites/. */
  readonly name: string;
  /** The address it was chosen by, when there was one. */
  readonly address?: SiteAddress | undefined;
}

/**
 * One codebase of the framework: a root holding modules/, profiles/ and
 * sites/. It finds modules and picks site folders; it holds no site state.
 */
export class Codebase {
  /** Absolute root path. */
  readonly root: string;
  private aliasCache: { readonly stamp: string; readonly map: Record<string, string> } | undefined;

  /**
   * @param root the codebase root
   * @param importer how module entries are loaded (the compiled command line
   *   answers from its bundle; tests and sources import the file)
   */
  constructor(root: string, readonly importer: ModuleImporter = importFromSource) {
    this.root = resolve(root);
    for (const d of ['modules', 'sites']) {
      if (!isDir(join(this.root, d))) throw new AegirError('ERR_ROOT_INVALID', { root: this.root, problem: `it has no ${d}/ folder` });
    }
  }

  /** The nearest folder at or above `start` that is a codebase root, if any. */
  static find(start: string, importer?: ModuleImporter): Codebase | undefined {
    let dir = resolve(start);
    for (;;) {
      if (isDir(join(dir, 'modules')) && isDir(join(dir, 'sites')) && isDir(join(dir, 'core'))) return new Codebase(dir, importer);
      const up = dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  /** Absolute path of a site folder. */
  sitePath(name: string): string {
    return join(this.root, 'sites', name);
  }

  /** Whether a site folder has a settings file. */
  hasSettings(name: string): boolean {
    return existsSync(settingsPath(this.sitePath(name)));
  }

  /**
   * Aliases from sites/sites.json, read again when the file changes (the
   * back end rewrites it as sites get aliases, while the platform's app
   * keeps serving): one stat per lookup.
   */
  aliases(): Readonly<Record<string, string>> {
    let stamp = 'none';
    try {
      const st = statSync(join(this.root, 'sites', 'sites.json'));
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch { /* no map: no aliases */ }
    if (this.aliasCache?.stamp !== stamp) this.aliasCache = { stamp, map: readSitesJson(this.root) };
    return this.aliasCache.map;
  }

  /**
   * Choose the site folder for an address (host, port, path) with Drupal's
   * multisite lookup; no address means `default`. A bare folder name that
   * exists under sites/ is accepted too.
   */
  chooseSite(uri: string | undefined): SiteChoice {
    if (uri === undefined || uri === '' || uri === 'default') return { name: 'default' };
    const address = parseSiteAddress(uri);
    const name = resolveSiteDir(address, { hasSettings: (d) => isSiteDirName(d) && this.hasSettings(d), aliases: this.aliases() });
    return { name, address };
  }

  /** Every module visible to a site with the given profile and folder. */
  modules(profile?: string, siteDir?: string): Map<string, DiscoveredModule> {
    return discoverModules({ root: this.root, profile, siteDir });
  }

  /** Load module definitions by name from a catalog, in the given order. */
  load(catalog: ReadonlyMap<string, DiscoveredModule>, names: readonly string[]): Promise<LoadedModule[]> {
    return loadModules(catalog, names, this.importer);
  }

  /** Every install profile of the codebase. */
  profiles(): DiscoveredModule[] {
    return discoverProfiles(this.root);
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
