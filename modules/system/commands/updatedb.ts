import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import { pendingUpdates, runUpdates } from '../../../core/modules/updates.js';
import type { Json } from '../../../core/config/config-store.js';

/** `aegir updatedb`: run pending module updates in order. */
export const updatedb = defineCommand({
  name: 'updatedb',
  aliases: ['updb'],
  description: 'Run the pending numbered updates of every enabled module, in module order.',
  bootstrap: 'full',
  async run(ctx) {
    const done = await runUpdates(ctx.site!, (u, i, n) => ctx.logger.info(`[${i + 1}/${n}] ${u.module} #${u.number}: ${u.description}`));
    if (!done.length) ctx.logger.success('No pending updates.');
    else ctx.logger.success(`Ran ${done.length} update(s).`);
    return { data: done as unknown as Json };
  },
});

/** `aegir updatedb-status`: list pending updates without running them. */
export const updatedbStatus = defineCommand({
  name: 'updatedb-status',
  aliases: ['updbst'],
  description: 'List pending module updates without running them.',
  bootstrap: 'full',
  async run(ctx) {
    const pending = await pendingUpdates(ctx.site!);
    return {
      data: pending as unknown as Json,
      text: pending.length ? table(['module', 'update', 'description'], pending.map((u) => [u.module, String(u.number), u.description])) : 'No pending updates.\n',
    };
  },
});
