import { defineTask } from '../runner/definition.js';
import { platformAegir, siteClaims } from './site-context.js';

/** provision-cron: the site's own periodic work (`aegir cron` on its platform); it changes nothing a task could undo. */
export const cronTask = defineTask({
  name: 'cron',
  on: 'site',
  command: 'provision-cron',
  description: 'Run the periodic work of the site of the @context (aegir cron on its platform).',
  claims: siteClaims,
  steps: [{
    weight: 10,
    step: {
      name: 'cron',
      title: 'Run the site\'s cron',
      async run(ctx) {
        await platformAegir(ctx, [`--uri=${ctx.site.name}`, 'cron', '-q'], { timeoutMs: 60 * 60_000 });
      },
    },
  }],
  result(ctx, elapsedMs) {
    ctx.logger.success(`Ran the cron of ${ctx.site.name} in ${(elapsedMs / 1000).toFixed(1)} s.`);
    return { data: { site: ctx.site.name, elapsedMs } };
  },
});
