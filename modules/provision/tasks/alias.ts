import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../core/util/fs.js';
import type { SiteTaskContext } from './site-context.js';

/** The file of the back end's command-line alias `@<site>` (sites on this machine). */
export function aliasFile(home: string, site: string): string {
  return join(home, 'aliases', `${site}.json`);
}

/** What a site's alias says: where its folder is. */
export interface AliasRecord {
  readonly root: string;
  readonly uri: string;
}

/** A site's alias as it is now, if any. */
export function readAlias(home: string, site: string): AliasRecord | undefined {
  try {
    return JSON.parse(readFileSync(aliasFile(home, site), 'utf8')) as AliasRecord;
  } catch {
    return undefined;
  }
}

/**
 * Point the alias of `t`'s site at its platform (when that is on this
 * machine: aliases of sites elsewhere are dropped, the command line cannot
 * reach them). Resolves with whether the file changed.
 */
export function writeAlias(t: SiteTaskContext): boolean {
  const file = aliasFile(t.home, t.site.name);
  const before = readAlias(t.home, t.site.name);
  if (!t.appExec.local) {
    rmSync(file, { force: true });
    return before !== undefined;
  }
  if (before?.root === t.platform.root && before.uri === t.site.name) return false;
  mkdirSync(join(t.home, 'aliases'), { recursive: true, mode: 0o750 });
  writeFileAtomic(file, JSON.stringify({ root: t.platform.root, uri: t.site.name } satisfies AliasRecord, null, 2) + '\n', 0o640);
  return true;
}

/** Remove a site's alias; resolves with whether there was one. */
export function removeAlias(home: string, site: string): boolean {
  const had = readAlias(home, site) !== undefined;
  rmSync(aliasFile(home, site), { force: true });
  return had;
}
