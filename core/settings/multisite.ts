import { candidateDirs, type SiteAddress } from './uri.js';

/** What resolution needs to know about the sites folder. */
export interface SitesView {
  /** Whether `sites/<dir>/settings.json` exists. */
  hasSettings(dir: string): boolean;
  /** Aliases from `sites/sites.json`: candidate name → site folder. */
  readonly aliases: Readonly<Record<string, string>>;
}

/**
 * Which `sites/` folder serves an address: the most specific candidate
 * (see candidateDirs) that is aliased to, or is, a folder with a settings
 * file; else `default`. A pure function of the address and the view, so it
 * is tested with a table of cases.
 */
export function resolveSiteDir(addr: SiteAddress, sites: SitesView): string {
  for (const dir of candidateDirs(addr)) {
    const aliased = Object.hasOwn(sites.aliases, dir) ? sites.aliases[dir]! : undefined;
    if (aliased !== undefined && sites.hasSettings(aliased)) return aliased;
    if (sites.hasSettings(dir)) return dir;
  }
  return 'default';
}
