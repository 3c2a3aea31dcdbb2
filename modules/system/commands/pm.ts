import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import { disableModules, enableModules, uninstallModules } from '../../../core/modules/lifecycle.js';
import type { Json } from '../../../core/config/config-store.js';
import { resolveVersions } from '../versions.js';

const modulesArg = [{ name: 'modules', description: 'Machine names of modules', required: true, variadic: true }] as const;

/** `aegir pm-list`: every module visible to the site with its status, version (and where the version came from) and origin. */
export const pmList = defineCommand({
  name: 'pm-list',
  aliases: ['pml'],
  description: 'List the modules and profiles of the site with status, version and where they were found.',
  bootstrap: 'full',
  options: {
    status: { type: 'string', description: 'Only modules with this status', choices: ['enabled', 'disabled', 'not-installed'] },
    type: { type: 'string', description: 'Only modules or only profiles', choices: ['module', 'profile'] },
  },
  async run(ctx) {
    const site = ctx.site!;
    const catalog = await site.catalog();
    const states = await site.modulesState.all();
    const listed = [...catalog.values()].sort((a, b) => a.manifest.package.localeCompare(b.manifest.package) || a.manifest.name.localeCompare(b.manifest.name))
      .filter((m) => (!ctx.options.status || (states.get(m.manifest.name)?.status ?? 'not-installed') === ctx.options.status) && (!ctx.options.type || m.manifest.type === ctx.options.type));
    // Versions as platform-info reports them (vcs_deploy: from git where module.json says nothing exact).
    const versions = await resolveVersions(ctx, listed);
    const rows = listed.map((m) => {
      const v = versions.get(m.manifest.name)!;
      return {
        name: m.manifest.name, package: m.manifest.package, type: m.manifest.type, status: states.get(m.manifest.name)?.status ?? 'not-installed',
        version: v.version ?? 'unknown', versionOrigin: v.versionOrigin, origin: m.origin, path: m.dir,
      };
    });
    return {
      data: rows as unknown as Json,
      text: table(['package', 'name', 'type', 'status', 'version', 'from', 'origin'], rows.map((r) => [r.package, r.name, r.type, r.status, r.version, r.versionOrigin ?? '', r.origin])),
    };
  },
});

/** `aegir pm-enable`: enable modules with their dependencies. */
export const pmEnable = defineCommand({
  name: 'pm-enable',
  aliases: ['en'],
  description: 'Enable modules, installing them and their dependencies first as needed.',
  arguments: modulesArg,
  bootstrap: 'full',
  examples: ['aegir --uri=example.test pm-enable blog'],
  async run(ctx) {
    const report = await enableModules(ctx.site!, ctx.args.modules as string[]);
    const all = [...report.installed, ...report.enabled];
    if (!all.length) ctx.logger.notice('Nothing to do: every module named is already enabled.');
    else ctx.logger.success(`Enabled: ${all.join(', ')}.`);
    return { data: { installed: report.installed, enabled: report.enabled } };
  },
});

/** `aegir pm-disable`: disable modules; data stays. */
export const pmDisable = defineCommand({
  name: 'pm-disable',
  aliases: ['dis'],
  description: 'Disable modules. Their tables and configuration stay until they are uninstalled.',
  arguments: modulesArg,
  bootstrap: 'full',
  async run(ctx) {
    const done = await disableModules(ctx.site!, ctx.args.modules as string[]);
    if (!done.length) ctx.logger.notice('Nothing to do: every module named is already disabled.');
    else ctx.logger.success(`Disabled: ${done.join(', ')}.`);
    return { data: { disabled: done } };
  },
});

/** `aegir pm-uninstall`: remove modules with their tables and configuration. */
export const pmUninstall = defineCommand({
  name: 'pm-uninstall',
  aliases: ['pmu'],
  description: 'Uninstall modules: disable them, drop their tables and delete their configuration.',
  arguments: modulesArg,
  bootstrap: 'full',
  async run(ctx) {
    const done = await uninstallModules(ctx.site!, ctx.args.modules as string[]);
    ctx.logger.success(`Uninstalled: ${done.join(', ')}.`);
    return { data: { uninstalled: done } };
  },
});

