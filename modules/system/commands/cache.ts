import { defineCommand } from '../../../core/cli/command.js';

/** `aegir cache-clear`: empty the cache and tell modules to drop theirs. */
export const cacheClear = defineCommand({
  name: 'cache-clear',
  aliases: ['cc', 'cr'],
  description: 'Clear every cache of the site.',
  bootstrap: 'full',
  async run(ctx) {
    const site = ctx.site!;
    const removed = await site.cache.clear();
    await site.hooks.emit('cache.flush', site);
    ctx.logger.success(`Caches cleared (${removed} entries).`);
    return { data: { removed } };
  },
});
