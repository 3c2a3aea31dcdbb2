import { defineCommand, type CommandContext } from '../../../core/cli/command.js';
import type { Json } from '../../../core/config/config-store.js';
import { composeSteps } from '../runner/compose.js';
import type { StepContribution } from '../runner/contributions.js';
import { runTask } from '../runner/runner.js';
import { platformAegir, type SiteTaskContext } from '../tasks/site-context.js';
import { deleteSteps, switchSteps } from '../tasks/site-delete.js';
import { moveSteps, unavailableMs } from '../tasks/site-migrate.js';
import type { TaskStep } from '../runner/step.js';
import { contextName, homeOf, openAndRecover, siteTask } from './common.js';
import { deletePlatform } from './platform.js';
import { typeOfName } from '../context/validate.js';

/** Open the site, undo an interrupted task on it, run a task's steps; returns the task context. */
export async function runSiteTask(
  ctx: CommandContext, command: string, task: StepContribution['task'],
  own: readonly { weight: number; step: TaskStep<SiteTaskContext> }[],
  options: Record<string, string | number | boolean | undefined> = {},
): Promise<SiteTaskContext> {
  const t = await openAndRecover(ctx, command, options);
  await runTask({ task, context: t.site.name, steps: composeSteps(t.kernel, task, own), ctx: t, logger: ctx.logger, home: homeOf(ctx), fault: ctx.env.AEGIR_FAULT, notes: t.notes });
  return t;
}

/** `aegir @context provision-delete`: remove a site completely, or a platform no site uses. */
export const provisionDelete = defineCommand({
  name: 'provision-delete',
  description: 'Delete the @context. A site: virtual host, files, alias, database and user, and its context (reversible until the final purge). A platform: refused while sites use it; stops its app process and removes code it built from git.',
  bootstrap: 'backend',
  async run(ctx) {
    const name = contextName(ctx, 'provision-delete');
    if (typeOfName(name) === 'platform') {
      await deletePlatform(ctx, name);
      ctx.logger.success(`Deleted platform @${name}.`);
      return { data: { platform: name } };
    }
    const t = await runSiteTask(ctx, 'provision-delete', 'delete', deleteSteps);
    ctx.logger.success(`Deleted ${t.site.name}.`);
    return { data: { site: t.site.name } };
  },
});

/** `aegir @site provision-disable`: serve the disabled page. */
export const provisionDisable = defineCommand({
  name: 'provision-disable',
  description: 'Disable the site of the @context: its domains serve the "site disabled" page (503) until it is enabled again.',
  bootstrap: 'backend',
  async run(ctx) {
    const t = await runSiteTask(ctx, 'provision-disable', 'disable', switchSteps(false));
    ctx.logger.success(`Disabled ${t.site.name}.`);
    return { data: { site: t.site.name, enabled: false } };
  },
});

/** `aegir @site provision-enable`: serve the site again. */
export const provisionEnable = defineCommand({
  name: 'provision-enable',
  description: 'Enable the site of the @context again.',
  bootstrap: 'backend',
  async run(ctx) {
    const t = await runSiteTask(ctx, 'provision-enable', 'enable', switchSteps(true));
    ctx.logger.success(`Enabled ${t.site.name}.`);
    return { data: { site: t.site.name, enabled: true } };
  },
});

/** `aegir @site provision-login-reset`: a one-time login link for the site's admin. */
export const provisionLoginReset = defineCommand({
  name: 'provision-login-reset',
  description: 'Print a one-time login link for user 1 of the site of the @context (works once, for 24 hours).',
  bootstrap: 'backend',
  async run(ctx) {
    const t = await siteTask(ctx, 'provision-login-reset');
    const { stdout } = await platformAegir(t, [`--uri=${t.site.name}`, 'user-login', '--uid=1', '--format=json']);
    const link = JSON.parse(stdout) as Json;
    return { data: link, text: `${typeof link === 'object' && link && 'url' in link ? String((link as { url: unknown }).url) : stdout.trim()}\n` };
  },
});

/** `aegir @site provision-migrate`: move a site to another platform, db server or name. */
export const provisionMigrate = defineCommand({
  name: 'provision-migrate',
  description: 'Move the site of the @context to another platform (same server), database server or name: maintenance page, dump, copy, import, target updatedb, switch, check, then remove the old copy. Reports how long the site was unavailable.',
  bootstrap: 'backend',
  options: {
    platform: { type: 'string', description: 'Target platform context', valueName: '@PLATFORM' },
    'db-server': { type: 'string', description: 'Target database server context', valueName: '@SERVER' },
    'new-name': { type: 'string', description: 'New domain of the site', valueName: 'DOMAIN' },
  },
  examples: ['aegir @example.com provision-migrate --platform=@platform_new'],
  async run(ctx) {
    const t = await runSiteTask(ctx, 'provision-migrate', 'migrate', moveSteps(false), {
      platform: ctx.options.platform, dbServer: ctx.options['db-server'], newName: ctx.options['new-name'],
    });
    const down = unavailableMs(t);
    ctx.logger.success(`Migrated ${t.site.name}${down !== undefined ? `; it showed the maintenance page for ${down} ms` : ''}.`);
    return { data: { site: ctx.options['new-name'] ?? t.site.name, unavailableMs: down ?? null } };
  },
});

/** `aegir @site provision-clone --new-name=DOMAIN`: a copy of a site under another name. */
export const provisionClone = defineCommand({
  name: 'provision-clone',
  description: 'Copy the site of the @context under a new name (optionally onto another platform or db server), with its own database and salt; the original stays served.',
  bootstrap: 'backend',
  options: {
    'new-name': { type: 'string', description: 'Domain of the clone', valueName: 'DOMAIN', required: true },
    platform: { type: 'string', description: 'Platform of the clone (default: the same)', valueName: '@PLATFORM' },
    'db-server': { type: 'string', description: 'Database server of the clone (default: the same)', valueName: '@SERVER' },
  },
  async run(ctx) {
    await runSiteTask(ctx, 'provision-clone', 'clone', moveSteps(true), {
      platform: ctx.options.platform, dbServer: ctx.options['db-server'], newName: ctx.options['new-name'],
    });
    ctx.logger.success(`Cloned to ${ctx.options['new-name']}.`);
    return { data: { site: ctx.options['new-name'] } };
  },
});
