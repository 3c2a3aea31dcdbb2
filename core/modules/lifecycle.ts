import { AegirError, describe, isAegirError } from '../errors/aegir-error.js';
import { dropTables, installSchema } from '../database/schema.js';
import { Kernel } from '../kernel/kernel.js';
import type { Site } from '../site/site.js';
import { updateNumbers, type ModuleDefinition } from './definition.js';
import type { DiscoveredModule } from './discovery.js';
import { dependentsOf, orderModules, orderSubset, withDependencies } from './graph.js';


type Catalog = ReadonlyMap<string, DiscoveredModule>;

/** What an enable run did. */
export interface EnableReport {
  /** Modules installed for the first time (schema and install function). */
  readonly installed: string[];
  /** Modules that were installed but disabled and are enabled again. */
  readonly enabled: string[];
}

/** Build the kernel for the site's currently enabled modules. */
export async function rebuildKernel(site: Site, catalog?: Catalog): Promise<Kernel> {
  const cat = catalog ?? (await site.catalog());
  const states = await site.modulesState.all();
  const enabled = [...states.values()].filter((s) => s.status === 'enabled').map((s) => s.name);
  const kernel = Kernel.create(await site.codebase.load(cat, orderSubset(cat, enabled)), cat.keys());
  site.useKernel(kernel);
  return kernel;
}

/**
 * Enable modules with their dependencies, in dependency order. A module never
 * installed gets its schema, its state row and its install function, with a
 * kernel that already includes it; a disabled one is switched on and its
 * enable function runs. If anything fails, every module this call touched is
 * put back as it was (tables dropped, rows removed, statuses restored) and
 * the old kernel stays.
 */
export async function enableModules(site: Site, names: readonly string[], opts: { allowProfile?: boolean } = {}): Promise<EnableReport> {
  const catalog = await site.catalog();
  for (const n of names) {
    const mod = catalog.get(n);
    if (!mod) throw new AegirError('ERR_MODULE_UNKNOWN', { name: n });
    if (mod.manifest.type === 'profile' && !opts.allowProfile) throw new AegirError('ERR_MODULE_IS_PROFILE', { module: n, action: 'enabled' });
  }
  const closure = withDependencies(catalog, names);
  const states = await site.modulesState.all();
  const todo = orderModules(catalog, closure).filter((n) => states.get(n)?.status !== 'enabled');
  const report: EnableReport = { installed: [], enabled: [] };
  const oldKernel = site.kernel;
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const name of todo) {
      const mod = catalog.get(name)!;
      const { definition } = (await site.codebase.load(catalog, [name]))[0]!;
      const state = states.get(name);
      if (!state) {
        const tables = definition.schema ? await installSchema(site.db, name, definition.schema) : [];
        undo.push(async () => {
          await dropTables(site.db, tables);
          await site.config.deleteModule(name);
          await site.modulesState.remove(name);
        });
        await site.modulesState.insert(name, 'enabled', updateNumbers(definition).at(-1) ?? 0, mod.manifest.version);
        await rebuildKernel(site, catalog);
        await runLifecycle(name, 'installed', () => definition.install?.(site));
        report.installed.push(name);
      } else {
        await site.modulesState.setStatus(name, 'enabled');
        undo.push(() => site.modulesState.setStatus(name, 'disabled'));
        await rebuildKernel(site, catalog);
        await runLifecycle(name, 'enabled', () => definition.enable?.(site));
        report.enabled.push(name);
      }
      site.logger.info(`${report.installed.includes(name) ? 'Installed' : 'Enabled'} module ${name}.`);
    }
  } catch (e) {
    for (const u of undo.reverse()) await u().catch((err) => site.logger.error(`Rollback step failed: ${describe(err)}`));
    site.useKernel(oldKernel);
    throw e;
  }
  if (todo.length) await changed(site);
  if (report.installed.length) await site.hooks.emit('modules.installed', { site, modules: report.installed });
  if (report.enabled.length) await site.hooks.emit('modules.enabled', { site, modules: report.enabled });
  return report;
}

/**
 * Disable modules. Required modules and the install profile cannot be
 * disabled, nor a module that another enabled module (outside the set)
 * depends on. Disable functions run first, while the modules are still
 * enabled; if one fails, nothing is changed.
 */
export async function disableModules(site: Site, names: readonly string[]): Promise<string[]> {
  const catalog = await site.catalog();
  const states = await site.modulesState.all();
  const set = new Set(names);
  for (const n of set) checkRemovable(catalog, n, states.has(n), 'disabled');
  const targets = [...set].filter((n) => states.get(n)?.status === 'enabled');
  const enabled = [...states.values()].filter((s) => s.status === 'enabled').map((s) => s.name);
  for (const n of targets) {
    const blockers = dependentsOf(catalog, n, enabled).filter((d) => !set.has(d));
    if (blockers.length) throw new AegirError('ERR_MODULE_REQUIRED_BY', { module: n, action: 'disabled', dependents: blockers.join(', ') });
  }
  const order = orderSubset(catalog, targets).reverse();
  const defs = await definitionsOf(site, catalog, order);
  for (const n of order) await runLifecycle(n, 'disabled', () => defs.get(n)!.disable?.(site));
  for (const n of order) await site.modulesState.setStatus(n, 'disabled');
  if (order.length) {
    await rebuildKernel(site, catalog);
    await changed(site);
    await site.hooks.emit('modules.disabled', { site, modules: order });
  }
  return order;
}

/**
 * Uninstall modules: disable those still enabled, run their uninstall
 * functions, drop their tables, delete their configuration and forget them.
 * Refused for required modules, the profile, and modules that another
 * installed module (outside the set) depends on.
 */
export async function uninstallModules(site: Site, names: readonly string[]): Promise<string[]> {
  const catalog = await site.catalog();
  let states = await site.modulesState.all();
  const set = new Set(names);
  for (const n of set) {
    checkRemovable(catalog, n, states.has(n), 'uninstalled');
    if (!states.has(n)) throw new AegirError('ERR_MODULE_NOT_INSTALLED', { module: n });
  }
  for (const n of set) {
    const blockers = dependentsOf(catalog, n, states.keys()).filter((d) => !set.has(d));
    if (blockers.length) throw new AegirError('ERR_MODULE_REQUIRED_BY', { module: n, action: 'uninstalled', dependents: blockers.join(', ') });
  }
  const stillEnabled = [...set].filter((n) => states.get(n)!.status === 'enabled');
  if (stillEnabled.length) {
    await disableModules(site, stillEnabled);
    states = await site.modulesState.all();
  }
  const order = orderSubset(catalog, set).reverse();
  const defs = await definitionsOf(site, catalog, order);
  for (const n of order) {
    const def = defs.get(n)!;
    await runLifecycle(n, 'uninstalled', () => def.uninstall?.(site));
    await dropTables(site.db, Object.keys(def.schema ?? {}));
    await site.config.deleteModule(n);
    await site.modulesState.remove(n);
    site.logger.info(`Uninstalled module ${n}.`);
  }
  if (order.length) {
    await changed(site);
    await site.hooks.emit('modules.uninstalled', { site, modules: order });
  }
  return order;
}

/** After the module set changed: caches are stale, and other processes serving the site must rebuild their kernel. */
async function changed(site: Site): Promise<void> {
  await site.cache.clear();
  await site.config.set('core.modules_version', Date.now());
}

function checkRemovable(catalog: Catalog, n: string, installed: boolean, action: 'disabled' | 'uninstalled'): void {
  const mod = catalog.get(n);
  if (!mod) {
    if (installed) return;
    throw new AegirError('ERR_MODULE_UNKNOWN', { name: n });
  }
  if (mod.manifest.type === 'profile') throw new AegirError('ERR_MODULE_IS_PROFILE', { module: n, action });
  if (mod.manifest.required) throw new AegirError('ERR_MODULE_REQUIRED', { module: n, action });
}

async function definitionsOf(site: Site, catalog: Catalog, names: readonly string[]): Promise<Map<string, ModuleDefinition>> {
  const loaded = await site.codebase.load(catalog, names);
  return new Map(loaded.map((m) => [m.name, m.definition]));
}

async function runLifecycle(module: string, action: string, fn: () => Promise<void> | void | undefined): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (isAegirError(e) && (e.code === 'ERR_MODULE_LIFECYCLE_FAILED')) throw e;
    throw new AegirError(action === 'installed' ? 'ERR_MODULE_INSTALL_FAILED' : 'ERR_MODULE_LIFECYCLE_FAILED', { module, action, problem: describe(e) }, { cause: e });
  }
}
