import { readdirSync } from 'node:fs';
import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import { CORE_VERSION } from '../../../core/version.js';
import { resolveVersions } from '../versions.js';

/**
 * `aegir platform-info`: what this codebase offers, without any site: core
 * version, the platform's own version, modules, profiles, site folders.
 * Versions are module.json's as `system.versions` refines them (vcs_deploy:
 * from git where module.json says nothing exact), each with where it came
 * from (`versionOrigin`: manifest, vcs, or null while unknown).
 */
export const platformInfo = defineCommand({
  name: 'platform-info',
  description: 'Describe this codebase without a site: core version, the platform\'s own version, every module and profile with its version (and where it came from), and the site folders found in sites/.',
  bootstrap: 'root',
  async run(ctx) {
    const catalog = ctx.codebase.modules(undefined, undefined);
    const versions = await resolveVersions(ctx, catalog.values());
    const modules = [...catalog.values()].map((m) => ({
      name: m.manifest.name, type: m.manifest.type, ...versions.get(m.manifest.name)!, package: m.manifest.package, origin: m.origin,
    })).sort((a, b) => a.name.localeCompare(b.name));
    const own = versions.get('')!;
    const sites = readdirSync(ctx.codebase.sitePath('.')).filter((d) => d !== 'all' && !d.startsWith('.') && ctx.codebase.hasSettings(d)).sort();
    const data = {
      core: CORE_VERSION, version: own.version, versionOrigin: own.versionOrigin, root: ctx.codebase.root,
      modules, profiles: modules.filter((m) => m.type === 'profile').map((m) => m.name), sites,
    };
    const text = `Core ${CORE_VERSION} at ${ctx.codebase.root}\nPlatform version: ${own.version ?? 'unknown'}${own.versionOrigin ? ` (${own.versionOrigin})` : ''}\nSites: ${sites.join(', ') || 'none'}\n\n` +
      table(['name', 'type', 'version', 'from', 'origin'], modules.map((m) => [m.name, m.type, m.version ?? 'unknown', m.versionOrigin ?? '', m.origin]));
    return { data, text };
  },
});
