import { join } from 'node:path';
import { aegirHome } from '../../../core/cli/aliases.js';
import { isAegirError } from '../../../core/errors/aegir-error.js';
import type { SiteServing } from '../../../core/hooks/core-hooks.js';
import { bridgeRunner } from '../tasks/bridge-runner.js';
import { PeriodicScheduler } from '../periodic/scheduler.js';
import { Dispatcher } from './dispatcher.js';
import { queueLimits } from './limits.js';

/** How often a standby dispatcher tries again to take over a SQLite queue another process works on. */
const STANDBY_MS = 10_000;

/**
 * site.serving of the hosting module: the serving process of the
 * hostmaster site runs the queue's dispatcher (unless the site's config
 * `hosting.queue_in_serve` is false, when `aegir hosting-queued` runs it
 * instead). Limits come from `hosting.queue_limit` (default: the machine's
 * cores, at least 2) and `hosting.queue_per_server` (default 2): see
 * queueLimits. On SQLite, where one dispatcher
 * may run, a second serving process waits as a standby and takes over
 * when the first one's lock expires. The periodic queues run beside the
 * dispatcher that works.
 */
export async function dispatchWhileServing(e: SiteServing): Promise<void> {
  const site = e.site;
  if ((await site.config.get<boolean>('hosting.queue_in_serve', true)) === false) return;
  const limits = await queueLimits(site);
  const make = () => new Dispatcher({
    db: site.db, runner: bridgeRunner({ site, aegirBin: join(site.root, 'bin', 'aegir'), home: aegirHome(process.env) }), limits, logger: site.logger,
  });
  let current: Dispatcher | undefined;
  const periodic = new PeriodicScheduler(site);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    const d = make();
    try {
      await d.start();
      current = d;
      periodic.start();
    } catch (err) {
      if (!isAegirError(err) || err.code !== 'ERR_DISPATCHER_RUNNING') throw err;
      if (!stopped) {
        site.logger.notice(`${err.message} This process waits as a standby.`);
        timer = setTimeout(() => { void attempt().catch(() => undefined); }, STANDBY_MS);
        timer.unref();
      }
    }
  };
  await attempt();
  e.onStop(async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await periodic.stop();
    await current?.stop();
  });
}
