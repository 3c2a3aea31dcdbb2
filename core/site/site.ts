import { join } from 'node:path';
import type { Knex } from 'knex';
import { CacheStore } from '../cache/cache-store.js';
import { ConfigStore } from '../config/config-store.js';
import { openDatabase } from '../database/connect.js';
import { AegirError } from '../errors/aegir-error.js';
import type { HookBus } from '../hooks/bus.js';
import { Kernel } from '../kernel/kernel.js';
import { LockStore } from '../lock/lock-store.js';
import type { Logger } from '../logger/logger.js';
import type { DiscoveredModule } from '../modules/discovery.js';
import { orderModules } from '../modules/graph.js';
import { ModuleStateStore, type ModuleState } from '../modules/state.js';
import { readSettings, settingsPath, type Settings } from '../settings/settings.js';
import type { Codebase } from './codebase.js';
import type { SiteContext } from './context.js';

/**
 * A booted site: settings, database, stores and the current kernel. The same
 * object serves commands and requests. Enabling or disabling modules swaps in
 * a new kernel; the old one is never changed.
 */
export class Site implements SiteContext {
  readonly root: string;
  readonly dir: string;
  readonly paths: { readonly files: string; readonly private: string };
  readonly config: ConfigStore;
  readonly cache: CacheStore;
  readonly locks: LockStore;
  readonly modulesState: ModuleStateStore;
  private current: Kernel;
  private closed = false;

  constructor(
    readonly codebase: Codebase,
    readonly name: string,
    readonly settings: Settings,
    readonly db: Knex,
    readonly logger: Logger,
    kernel: Kernel,
  ) {
    this.root = codebase.root;
    this.dir = codebase.sitePath(name);
    this.paths = { files: join(this.dir, 'files'), private: join(this.dir, 'private') };
    this.config = new ConfigStore(db, settings.config, settingsPath(this.dir));
    this.cache = new CacheStore(db);
    this.locks = new LockStore(db);
    this.modulesState = new ModuleStateStore(db);
    this.current = kernel;
  }

  get kernel(): Kernel {
    return this.current;
  }

  get hooks(): HookBus {
    return this.current.hooks;
  }

  /** Replace the kernel after the module set changed. */
  useKernel(kernel: Kernel): void {
    this.current = kernel;
  }

  /** Modules visible to this site: its profile's, sites/all's and its own folder's, over core's. */
  async catalog(): Promise<Map<string, DiscoveredModule>> {
    return this.codebase.modules(profileOf(this.codebase, await this.modulesState.all()), this.name);
  }

  /** The install profile, read from the installed modules. */
  async profile(): Promise<string | undefined> {
    return profileOf(this.codebase, await this.modulesState.all());
  }

  /** Close the database connection (once; later calls do nothing). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}

/** The installed module that is an install profile, if any. */
export function profileOf(codebase: Codebase, states: ReadonlyMap<string, ModuleState>): string | undefined {
  return codebase.profiles().find((p) => states.has(p.manifest.name))?.manifest.name;
}

/** Whether a database holds an installed site (core's module table exists and has rows). */
export async function isInstalledDatabase(db: Knex): Promise<boolean> {
  if (!(await db.schema.hasTable('core_modules'))) return false;
  return (await db('core_modules').first('name')) !== undefined;
}

/**
 * Boot an installed site: read its settings, open its database, find its
 * enabled modules, load them in hook order and build the kernel. An enabled
 * module missing from disk (or whose dependency is) is left out with a
 * warning, so the site still boots for repair.
 */
export async function bootSite(codebase: Codebase, name: string, logger: Logger): Promise<Site> {
  const dir = codebase.sitePath(name);
  const settings = readSettings(dir);
  if (!settings) throw new AegirError('ERR_SITE_NOT_INSTALLED', { site: dir, uri: name });
  const db = await openDatabase(settings.database, dir);
  try {
    if (!(await isInstalledDatabase(db))) throw new AegirError('ERR_SITE_NOT_INSTALLED', { site: dir, uri: name });
    const states = await new ModuleStateStore(db).all();
    const catalog = codebase.modules(profileOf(codebase, states), name);
    const enabled = usableModules(catalog, states, logger);
    const modules = await codebase.load(catalog, orderModules(catalog, enabled));
    return new Site(codebase, name, settings, db, logger, Kernel.create(modules, catalog.keys()));
  } catch (e) {
    await db.destroy();
    throw e;
  }
}

/** Enabled modules that are present with all their dependencies enabled and present. */
function usableModules(catalog: ReadonlyMap<string, DiscoveredModule>, states: ReadonlyMap<string, ModuleState>, logger: Logger): Set<string> {
  const enabled = new Set([...states.values()].filter((s) => s.status === 'enabled').map((s) => s.name));
  for (const n of [...enabled]) {
    if (!catalog.has(n)) {
      logger.warning(`Module "${n}" is enabled but missing from the codebase; it is left out until it is restored.`);
      enabled.delete(n);
    }
  }
  // Dropping one module may strand its dependents; repeat until stable.
  for (let changed = true; changed;) {
    changed = false;
    for (const n of [...enabled]) {
      const missing = Object.keys(catalog.get(n)!.manifest.dependencies).find((d) => !enabled.has(d));
      if (missing) {
        logger.warning(`Module "${n}" is left out: its dependency "${missing}" is not enabled or missing.`);
        enabled.delete(n);
        changed = true;
      }
    }
  }
  return enabled;
}
