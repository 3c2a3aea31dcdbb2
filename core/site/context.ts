import type { Knex } from 'knex';
import type { CacheStore } from '../cache/cache-store.js';
import type { ConfigStore } from '../config/config-store.js';
import type { HookBus } from '../hooks/bus.js';
import type { Kernel } from '../kernel/kernel.js';
import type { LockStore } from '../lock/lock-store.js';
import type { Logger } from '../logger/logger.js';
import type { Settings } from '../settings/settings.js';

/**
 * Everything a module gets about the site it runs for. Handed to every
 * lifecycle function, update, command and hook that concerns a site; there
 * is no global to reach for instead.
 */
export interface SiteContext {
  /** Folder name under sites/ (`example.com`, `default`). */
  readonly name: string;
  /** Absolute path of the codebase root. */
  readonly root: string;
  /** Absolute path of the site folder. */
  readonly dir: string;
  /** Public files and private files folders of the site. */
  readonly paths: { readonly files: string; readonly private: string };
  readonly settings: Settings;
  readonly db: Knex;
  readonly config: ConfigStore;
  readonly cache: CacheStore;
  readonly locks: LockStore;
  readonly logger: Logger;
  /** The current kernel; replaced (not changed) when modules are enabled or disabled. */
  readonly kernel: Kernel;
  /** Shorthand for kernel.hooks. */
  readonly hooks: HookBus;
}
