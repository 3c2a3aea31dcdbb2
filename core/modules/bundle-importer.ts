import { realpathSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleImporter } from './loader.js';

/**
 * The importer of the compiled command line: module entries that were
 * built into the bundle (keyed by path relative to the code root, each a
 * function that initialises the module and resolves with its definition)
 * are answered from it; a module added after the build is loaded from its
 * TypeScript source through tsx, registered only when first needed, with
 * the launcher's import().
 */
export function bundleImporter(codeRoot: string, compiled: Readonly<Record<string, () => Promise<unknown>>>, hostImport: (url: string) => Promise<unknown>): ModuleImporter {
  let tsx: Promise<void> | undefined;
  return async (entry) => {
    const rel = relative(codeRoot, realpathSync(entry));
    // Bundled entries are loaders: a module's top-level code runs when a kernel first loads it.
    if (Object.hasOwn(compiled, rel)) return compiled[rel]!();
    // The bundle cannot import() itself (it runs in a vm.Script): the launcher's import() loads tsx and the module.
    tsx ??= hostImport('tsx/esm/api').then((m) => { (m as { register(): void }).register(); });
    await tsx;
    return ((await hostImport(pathToFileURL(entry).href)) as { default?: unknown }).default;
  };
}
