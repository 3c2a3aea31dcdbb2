import { isAegirError } from '../errors/aegir-error.js';
import type { Logger } from '../logger/logger.js';
import { rebuildKernel } from '../modules/lifecycle.js';
import type { Codebase } from '../site/codebase.js';
import { bootSite, type Site } from '../site/site.js';

/** How often a served site checks whether another process changed its modules. */
const FRESHNESS_MS = 1000;

interface Entry {
  site: Promise<Site>;
  version: number | undefined;
  checked: number;
}

/**
 * The booted sites of one serving process, by folder name, booted on first
 * request. When another process (the command line) enables or disables
 * modules, it bumps `core.modules_version`; a served site notices within a
 * second and swaps in a new kernel.
 */
export class SitePool {
  private readonly sites = new Map<string, Entry>();

  constructor(private readonly codebase: Codebase, private readonly logger: Logger) {}

  /** The booted site of a folder; ERR_SITE_NOT_INSTALLED when there is none. */
  async get(name: string): Promise<Site> {
    let entry = this.sites.get(name);
    if (!entry) {
      const site = bootSite(this.codebase, name, this.logger.child(name));
      entry = { site, version: undefined, checked: 0 };
      this.sites.set(name, entry);
      // A failed boot is not cached: the site may be installed a moment later.
      site.catch(() => { if (this.sites.get(name) === entry) this.sites.delete(name); });
    }
    const site = await entry.site;
    const now = Date.now();
    if (now - entry.checked >= FRESHNESS_MS) {
      entry.checked = now;
      const version = await site.config.get<number>('core.modules_version', 0);
      if (entry.version !== undefined && version !== entry.version) {
        this.logger.info(`Modules of ${name} changed; reloading its kernel.`);
        await rebuildKernel(site);
      }
      entry.version = version;
    }
    return site;
  }

  /** Names of the sites booted so far. */
  booted(): string[] {
    return [...this.sites.keys()];
  }

  /** Close every site's database. */
  async closeAll(): Promise<void> {
    const all = [...this.sites.values()];
    this.sites.clear();
    await Promise.all(all.map(async (e) => { try { await (await e.site).close(); } catch { /* never booted */ } }));
  }
}

/** Whether an error means "no site here" rather than a broken one. */
export function isNoSite(e: unknown): boolean {
  return isAegirError(e) && (e.code === 'ERR_SITE_NOT_INSTALLED' || e.code === 'ERR_URI_INVALID');
}

