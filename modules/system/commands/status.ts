import { defineCommand } from '../../../core/cli/command.js';
import { pairs } from '../../../core/cli/output.js';
import { describeDatabase } from '../../../core/database/db-url.js';
import { isAegirError } from '../../../core/errors/aegir-error.js';
import { readSettings } from '../../../core/settings/settings.js';
import { CORE_VERSION } from '../../../core/version.js';
import type { Json } from '../../../core/config/config-store.js';

/** `aegir status`: what this codebase and site are, and whether the site works. */
export const status = defineCommand({
  name: 'status',
  aliases: ['st'],
  description: 'Show the codebase, the chosen site, its database and modules.',
  bootstrap: 'root',
  examples: ['aegir --uri=example.test status', 'aegir @example.test status --format=json'],
  async run(ctx) {
    const data: Record<string, Json> = {
      coreVersion: CORE_VERSION,
      node: process.version,
      root: ctx.codebase.root,
      site: `sites/${ctx.siteDir}`,
      uri: ctx.uri,
    };
    const site = ctx.site;
    if (site) {
      const profile = await site.profile();
      Object.assign(data, {
        installed: true,
        database: describeDatabase(site.settings.database),
        databaseStatus: 'connected',
        profile: profile ?? null,
        siteName: (await site.config.get<string>('system.site_name')) ?? null,
        modulesEnabled: site.kernel.modules.length,
        files: site.paths.files,
        private: site.paths.private,
      });
      for (const { module, value } of site.hooks.collect('site.status')) data[`${module}.${value.label}`] = await value.value(site);
    } else {
      let database: string | null = null;
      try {
        const s = readSettings(ctx.codebase.sitePath(ctx.siteDir));
        database = s ? describeDatabase(s.database) : null;
      } catch { /* the problem is reported below */ }
      const notInstalled = isAegirError(ctx.siteProblem) && ctx.siteProblem.code === 'ERR_SITE_NOT_INSTALLED';
      Object.assign(data, {
        installed: notInstalled ? false : null,
        database,
        databaseStatus: notInstalled ? null : 'unavailable',
        problem: ctx.siteProblem?.message ?? null,
      });
    }
    const labels: Record<string, string> = {
      coreVersion: 'Aegir core', node: 'Node.js', root: 'Codebase root', site: 'Site folder', uri: 'Site address',
      installed: 'Installed', database: 'Database', databaseStatus: 'Database status', profile: 'Install profile',
      siteName: 'Site name', modulesEnabled: 'Modules enabled', files: 'Public files', private: 'Private files', problem: 'Problem',
    };
    const rows = Object.entries(data)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [labels[k] ?? k, typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)] as const);
    return { data, text: pairs(rows) };
  },
});
