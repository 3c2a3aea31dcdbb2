import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AegirError, describe } from '../errors/aegir-error.js';
import { definitionProblem, type ModuleDefinition } from './definition.js';
import type { DiscoveredModule } from './discovery.js';
import type { Manifest } from './manifest.js';

/** A discovered module together with its loaded definition. */
export interface LoadedModule {
  readonly name: string;
  readonly manifest: Manifest;
  readonly dir: string;
  readonly definition: ModuleDefinition;
}

/**
 * Loads a module entry file and returns its default export. From sources it
 * is a dynamic import; the compiled command line hands in one that answers
 * from the modules built into its bundle first.
 */
export type ModuleImporter = (entry: string) => Promise<unknown>;

/** Import an entry file by path and return its default export. */
export const importFromSource: ModuleImporter = async (entry) => ((await import(pathToFileURL(entry).href)) as { default?: unknown }).default;

/** Import one module's entry and check its definition. */
export async function loadModule(mod: DiscoveredModule, importer: ModuleImporter = importFromSource): Promise<LoadedModule> {
  const entry = join(mod.dir, mod.manifest.main);
  const name = mod.manifest.name;
  if (!existsSync(entry)) throw new AegirError('ERR_MODULE_ENTRY_INVALID', { module: name, path: entry, problem: 'the file does not exist' });
  let def: unknown;
  try {
    def = await importer(entry);
  } catch (e) {
    throw new AegirError('ERR_MODULE_ENTRY_INVALID', { module: name, path: entry, problem: describe(e) }, { cause: e });
  }
  const problem = definitionProblem(def);
  if (problem) throw new AegirError('ERR_MODULE_ENTRY_INVALID', { module: name, path: entry, problem });
  return { name, manifest: mod.manifest, dir: mod.dir, definition: def as ModuleDefinition };
}

/** Import several modules at once, keeping their order. */
export function loadModules(catalog: ReadonlyMap<string, DiscoveredModule>, names: readonly string[], importer?: ModuleImporter): Promise<LoadedModule[]> {
  return Promise.all(names.map((n) => {
    const mod = catalog.get(n);
    if (!mod) throw new AegirError('ERR_MODULE_UNKNOWN', { name: n });
    return loadModule(mod, importer);
  }));
}
