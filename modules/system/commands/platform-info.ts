import { readdirSync } from 'node:fs';
import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import { CORE_VERSION } from '../../../core/version.js';

/** `aegir platform-info`: what this codebase offers, without any site: core version, modules, profiles, site folders. */
export const platformInfo = defineCommand({
  name: 'platform-info',
  description: 'Describe this codebase without a site: core version, every module and profile with its version, and the site folders found in sites/.',
  bootstrap: 'root',
  async run(ctx) {
    const catalog = ctx.codebase.modules(undefined, undefined);
    const modules = [...catalog.values()].map((m) => ({
      name: m.manifest.name, type: m.manifest.type, version: m.manifest.version ?? null, package: m.manifest.package, origin: m.origin,
    })).sort((a, b) => a.name.localeCompare(b.name));
    const sites = readdirSync(ctx.codebase.sitePath('.')).filter((d) => d !== 'all' && !d.startsWith('.') && ctx.codebase.hasSettings(d)).sort();
    const data = { core: CORE_VERSION, root: ctx.codebase.root, modules, profiles: modules.filter((m) => m.type === 'profile').map((m) => m.name), sites };
    const text = `Core ${CORE_VERSION} at ${ctx.codebase.root}\nSites: ${sites.join(', ') || 'none'}\n\n` +
      table(['name', 'type', 'version', 'origin'], modules.map((m) => [m.name, m.type, m.version ?? 'unknown', m.origin]));
    return { data, text };
  },
});
