import { realpathSync } from 'node:fs';
import { relative } from 'node:path';
import { importFromSource, type ModuleImporter } from './loader.js';

/**
 * The importer of the compiled command line: module entries that were
 * built into the bundle (keyed by path relative to the code root) are
 * answered from it; a module added after the build is loaded from its
 * TypeScript source through tsx, registered only when first needed.
 */
export function bundleImporter(codeRoot: string, compiled: Readonly<Record<string, unknown>>): ModuleImporter {
  let tsx: Promise<void> | undefined;
  return async (entry) => {
    const rel = relative(codeRoot, realpathSync(entry));
    if (Object.hasOwn(compiled, rel)) return compiled[rel];
    tsx ??= import('tsx/esm/api').then((m) => { m.register(); });
    await tsx;
    return importFromSource(entry);
  };
}
