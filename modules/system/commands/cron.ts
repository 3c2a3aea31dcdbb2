import { defineCommand } from '../../../core/cli/command.js';

/** `aegir cron`: run every module's periodic work once, under a lock. */
export const cron = defineCommand({
  name: 'cron',
  description: "Run every module's periodic work (the cron hook) once; one run at a time per site.",
  bootstrap: 'full',
  async run(ctx) {
    const site = ctx.site!;
    const started = Date.now();
    const lock = await site.locks.acquire('core.cron', 60 * 60 * 1000);
    try {
      ctx.logger.info(`Running cron for ${site.hooks.implementations('cron').length} module(s).`);
      await site.hooks.emit('cron', site);
      const purged = await site.cache.purgeExpired();
      await site.config.set('system.cron_last', Date.now());
      ctx.logger.success(`Cron finished in ${Date.now() - started} ms (${purged} expired cache entries removed).`);
      return { data: { modules: site.hooks.implementations('cron'), elapsedMs: Date.now() - started } };
    } finally {
      await lock.release();
    }
  },
});
