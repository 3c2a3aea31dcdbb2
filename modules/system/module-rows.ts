import type { CommandContext } from '../../core/cli/command.js';
import type { Site } from '../../core/site/site.js';
import { resolveVersions } from './versions.js';

/** One row of `pm-list`: a module or profile visible to the site, with its status, version and where both came from. */
export interface ModuleRow {
  readonly name: string;
  readonly package: string;
  readonly type: 'module' | 'profile';
  readonly status: string;
  readonly version: string;
  readonly versionOrigin: string | null;
  readonly origin: string;
  readonly path: string;
}

/**
 * The modules and profiles of a booted site as `pm-list` lists them
 * (sorted by package, then name), optionally only those of one status or
 * kind. site-install reports the enabled ones of the new site the same way,
 * so that provision's install needs no separate pm-list.
 */
export async function moduleRows(ctx: CommandContext, site: Site, only: { readonly status?: string; readonly type?: string } = {}): Promise<ModuleRow[]> {
  const catalog = await site.catalog();
  const states = await site.modulesState.all();
  const listed = [...catalog.values()].sort((a, b) => a.manifest.package.localeCompare(b.manifest.package) || a.manifest.name.localeCompare(b.manifest.name))
    .filter((m) => (!only.status || (states.get(m.manifest.name)?.status ?? 'not-installed') === only.status) && (!only.type || m.manifest.type === only.type));
  // Versions as platform-info reports them (vcs_deploy: from git where module.json says nothing exact).
  const versions = await resolveVersions(ctx, listed);
  return listed.map((m) => {
    const v = versions.get(m.manifest.name)!;
    return {
      name: m.manifest.name, package: m.manifest.package, type: m.manifest.type, status: states.get(m.manifest.name)?.status ?? 'not-installed',
      version: v.version ?? 'unknown', versionOrigin: v.versionOrigin, origin: m.origin, path: m.dir,
    };
  });
}
