import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import { disableModules, enableModules, uninstallModules } from '../../../core/modules/lifecycle.js';
import type { Json } from '../../../core/config/config-store.js';
import { moduleRows } from '../module-rows.js';

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
    const rows = await moduleRows(ctx, ctx.site!, { status: ctx.options.status, type: ctx.options.type });
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

