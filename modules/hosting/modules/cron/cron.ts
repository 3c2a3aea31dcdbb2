import type { TaskEndEvent } from '../../hooks.js';
import type { PeriodicQueue } from '../../periodic/types.js';
import { BATCH, HOUR, setting, tryQueue } from '../../periodic/try-queue.js';
import { offeredIn } from '../../tasks/offered.js';
import type { TaskTypeDefinition } from '../../tasks/types.js';

/** Run a site's cron on the back end. */
export const cronTaskType: TaskTypeDefinition = {
  name: 'cron', on: 'site', roles: ['client', 'manager'], label: 'Run cron', description: 'Run the site\'s periodic work.', command: 'provision-cron', permission: 'create cron task', offered: offeredIn('installed'),
};

/** Site cron: installed sites whose cron last ran longer ago than `hosting.cron_interval` (default 1 hour; 0: never), the longest waiting first. */
export const cronQueue: PeriodicQueue = {
  name: 'cron', description: 'Run the cron of sites that are due.', everyMs: 60_000,
  async run(site, now) {
    const interval = await setting(site, 'hosting.cron_interval', HOUR);
    if (interval <= 0) return 0;
    const due = (await site.db('hosting_site').where({ status: 'installed' }).andWhere('last_cron', '<', now - interval).orderBy('last_cron').limit(BATCH).select('nid')) as { nid: number }[];
    let n = 0;
    for (const s of due) if (await tryQueue(site, 'cron', Number(s.nid))) n++;
    return n;
  },
};

/** A cron run that ended well: the site's last cron time. */
export async function recordCron(e: TaskEndEvent): Promise<void> {
  if (e.object.kind === 'site' && e.task.taskType === 'cron') await e.site.db('hosting_site').where({ nid: e.object.nid }).update({ last_cron: Date.now() });
}
