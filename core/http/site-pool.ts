import { stat } from 'node:fs/promises';
import { AegirError, isAegirError } from '../errors/aegir-error.js';
import type { Logger } from '../logger/logger.js';
import { rebuildKernel } from '../modules/lifecycle.js';
import { settingsPath } from '../settings/settings.js';
import type { Codebase } from '../site/codebase.js';
import { bootSite, type Site } from '../site/site.js';

/** How often a served site checks whether another process changed its modules. */
const FRESHNESS_MS = 1000;

/** How long a replaced site keeps its database open for requests still running on it. */
const RETIRE_MS = 10_000;

interface Entry {
  site: Promise<Site>;
  /** How to end what 'site.serving' started for it. */
  stops: (() => Promise<void>)[];
  /** Identity of the settings file the site was booted from (inode, size, mtime). */
  settings: string;
  version: number | undefined;
  checked: number;
}

/** Identity of a site's settings file, or undefined when it is gone. */
async function settingsId(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * The booted sites of one serving process, by folder name, booted on first
 * request. Two things other processes do are noticed:
 *
 * - the settings file was replaced (a migrate to another database server,
 *   a delete and a new install under the same name, a restore of the
 *   folder): checked on every request, one stat; the site is booted again
 *   from the new settings and the old one is closed a little later, when
 *   requests still running on it are done;
 * - modules were enabled or disabled (`core.modules_version` bumped):
 *   checked about once a second; a new kernel is swapped in.
 */
export class SitePool {
  private readonly sites = new Map<string, Entry>();

  constructor(private readonly codebase: Codebase, private readonly logger: Logger) {}

  /** The booted site of a folder; ERR_SITE_NOT_INSTALLED when there is none. */
  async get(name: string): Promise<Site> {
    const file = settingsPath(this.codebase.sitePath(name));
    const id = await settingsId(file);
    let entry = this.sites.get(name);
    if (entry && entry.settings !== id) {
      this.sites.delete(name);
      this.retire(name, entry);
      entry = undefined;
    }
    if (id === undefined) throw new AegirError('ERR_SITE_NOT_INSTALLED', { site: this.codebase.sitePath(name), uri: name });
    if (!entry) {
      const stops: (() => Promise<void>)[] = [];
      const site = bootSite(this.codebase, name, this.logger.child(name)).then(async (s) => {
        // Background work of the site's modules lives as long as it is served here.
        try {
          await s.hooks.emit('site.serving', { site: s, onStop: (stop) => { stops.push(stop); } });
        } catch (e) {
          this.logger.error(`Background work of ${name} did not start: ${(e as Error).message}`);
        }
        return s;
      });
      const fresh: Entry = { site, stops, settings: id, version: undefined, checked: 0 };
      entry = fresh;
      this.sites.set(name, fresh);
      // A failed boot is not cached: the site may be installed a moment later.
      site.catch(() => { if (this.sites.get(name) === fresh) this.sites.delete(name); });
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

  /** Close a replaced site once the requests that may still use it are done. */
  private retire(name: string, entry: Entry): void {
    this.logger.info(`Settings of ${name} changed; booting it again.`);
    setTimeout(() => { void this.close(entry).catch(() => undefined); }, RETIRE_MS).unref();
  }

  /** Names of the sites booted so far. */
  booted(): string[] {
    return [...this.sites.keys()];
  }

  /** Close every site: its background work first, then its database. */
  async closeAll(): Promise<void> {
    const all = [...this.sites.values()];
    this.sites.clear();
    await Promise.all(all.map((e) => this.close(e)));
  }

  private async close(e: Entry): Promise<void> {
    let site: Site;
    try { site = await e.site; } catch { return; /* never booted */ }
    for (const stop of e.stops.splice(0)) await stop().catch((x: unknown) => this.logger.error(`Stopping background work of ${site.name} failed: ${(x as Error).message}`));
    await site.close();
  }
}

/** Whether an error means "no site here" rather than a broken one. */
export function isNoSite(e: unknown): boolean {
  return isAegirError(e) && (e.code === 'ERR_SITE_NOT_INSTALLED' || e.code === 'ERR_URI_INVALID');
}
