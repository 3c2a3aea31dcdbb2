import type { SiteContext } from '../../../core/site/context.js';

/**
 * A periodic queue, as modules declare them through `hosting.queues`:
 * every `everyMs` (a setting `hosting.<name>_every`, the default given
 * here), `run` queues what is due (site cron runs, scheduled backups) or
 * does housekeeping (backup retention, old tasks). Runs where the
 * dispatcher runs, one round at a time.
 */
export interface PeriodicQueue {
  /** Machine name (`cron`, `backups`). */
  readonly name: string;
  readonly description: string;
  /** How often it runs by default (ms). */
  readonly everyMs: number;
  /** Do one round; resolves with how many tasks it queued or rows it removed, for the log. */
  run(site: SiteContext, now: number): Promise<number>;
}
