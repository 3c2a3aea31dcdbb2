import cron, { type ScheduledTask } from 'node-cron';
import { describe } from '../../../core/errors/aegir-error.js';
import type { SiteContext } from '../../../core/site/context.js';
import type { PeriodicQueue } from './types.js';

/** The periodic queues of a kernel, collected once per kernel from `hosting.queues`. */
export function periodicQueues(site: SiteContext): readonly PeriodicQueue[] {
  return site.kernel.registry('hosting.queues', () => (site.hooks.has('hosting.queues') ? site.hooks.collect('hosting.queues').map((c) => c.value) : []));
}

/**
 * Runs the periodic queues beside the dispatcher: a node-cron schedule
 * ticks every `tick` (default every minute), and each queue whose
 * interval (`hosting.<name>_every`, else its default) has passed since its
 * last round does a round. Rounds never overlap; a failing one is logged
 * and tried again at its next turn.
 */
export class PeriodicScheduler {
  private task: ScheduledTask | undefined;
  private readonly last = new Map<string, number>();
  private busy: Promise<void> | undefined;

  constructor(private readonly site: SiteContext, private readonly now: () => number = Date.now) {}

  /** Start ticking (cron expression, default every minute). */
  start(expression = '* * * * *'): void {
    this.task = cron.schedule(expression, () => { void this.round(); }, { name: `hosting-queues-${this.site.name}`, noOverlap: true });
  }

  /** One round: every queue that is due runs, one after the other. */
  async round(): Promise<void> {
    if (this.busy) return this.busy;
    this.busy = (async () => {
      for (const q of periodicQueues(this.site)) {
        const every = (await this.site.config.get<number>(`hosting.${q.name}_every`, q.everyMs)) ?? q.everyMs;
        const at = this.now();
        if (every <= 0 || at - (this.last.get(q.name) ?? 0) < every) continue;
        this.last.set(q.name, at);
        try {
          const n = await q.run(this.site, at);
          if (n) this.site.logger.info(`Periodic queue ${q.name}: ${n}.`);
        } catch (e) {
          this.site.logger.error(`Periodic queue ${q.name} failed: ${describe(e)}`);
        }
      }
    })().finally(() => { this.busy = undefined; });
    return this.busy;
  }

  /** Stop ticking; resolves when a round under way has ended. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    await this.busy;
  }
}
