import { defineCommand } from '../../../core/cli/command.js';
import { PeriodicScheduler } from '../periodic/scheduler.js';
import { Dispatcher } from '../queue/dispatcher.js';
import { queueLimits } from '../queue/limits.js';
import { bridgeRunner } from '../tasks/bridge-runner.js';
import { backendOf } from './common.js';

/** `aegir hosting-queued`: run the dispatcher of this hostmaster's queue until SIGTERM. */
export const hostingQueued = defineCommand({
  name: 'hosting-queued',
  description: 'Run the task dispatcher of this hostmaster until SIGTERM or SIGINT: it claims queued tasks and runs them on the back end. On SIGTERM it stops claiming and lets running tasks finish (--hand-back: ends them, and they are undone).',
  options: {
    limit: { type: 'integer', description: 'Tasks at once, in all (default: hosting.queue_limit, or the machine\'s cores, at least 2)', min: 1, max: 256 },
    'per-server': { type: 'integer', description: 'Tasks at once on one server (default: hosting.queue_per_server, or 2)', min: 1, max: 256 },
    'hand-back': { type: 'boolean', description: 'On SIGTERM, end running tasks (they are undone and cancelled) instead of waiting for them' },
    'poll-ms': { type: 'integer', description: 'How often to look for tasks queued by other processes (ms)', default: 100, min: 5, max: 60_000 },
  },
  bootstrap: 'full',
  examples: ['aegir --uri=hostmaster.test hosting-queued --limit=8 --per-server=2'],
  async run(ctx) {
    const site = ctx.site!;
    // The hostmaster's own settings, as its serving process uses them; the options override them for this daemon.
    const configured = await queueLimits(site);
    const limits = { global: ctx.options.limit ?? configured.global, perServer: ctx.options['per-server'] ?? configured.perServer };
    const d = new Dispatcher({
      db: site.db, runner: bridgeRunner({ site, ...backendOf(ctx) }), limits,
      logger: ctx.logger, pollMs: ctx.options['poll-ms'],
    });
    await d.start();
    const periodic = new PeriodicScheduler(site);
    periodic.start();
    ctx.logger.success(`Dispatcher ${d.id} is running; stop it with SIGTERM.`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        ctx.logger.notice(`${signal}: ${ctx.options['hand-back'] ? 'ending the running tasks' : 'letting the running tasks finish'}, then stopping.`);
        void periodic.stop().then(() => d.stop({ handBack: ctx.options['hand-back'] })).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return { data: { dispatcher: d.id } };
  },
});
