import type { Knex } from 'knex';
import { DAY, setting } from './try-queue.js';
import type { PeriodicQueue } from './types.js';

/** Remove finished tasks older than `keepDays`: their logs, runs, rows and nodes, in batches. */
export async function removeOldTasks(db: Knex, before: number, batch = 1000): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = ((await db('hosting_task').whereIn('status', ['success', 'warning', 'error', 'cancelled']).andWhere('finished_at', '<', before).limit(batch).select('nid')) as { nid: number }[]).map((r) => Number(r.nid));
    if (!ids.length) return removed;
    await db.transaction(async (trx) => {
      const runs = ((await trx('hosting_task_run').whereIn('task_nid', ids).select('rid')) as { rid: number }[]).map((r) => Number(r.rid));
      for (let i = 0; i < runs.length; i += 500) await trx('hosting_task_log').whereIn('rid', runs.slice(i, i + 500)).delete();
      await trx('hosting_task_run').whereIn('task_nid', ids).delete();
      await trx('hosting_task').whereIn('nid', ids).delete();
      await trx('node').whereIn('nid', ids).andWhere({ type: 'task' }).delete();
    });
    removed += ids.length;
  }
}

/** Old tasks: finished longer ago than `hosting.task_keep_days` (default 90; 0: kept for ever). */
export const oldTasksQueue: PeriodicQueue = {
  name: 'old_tasks', description: 'Remove finished tasks (with their logs) older than the settings keep.', everyMs: 60 * 60_000,
  async run(site, now) {
    const days = await setting(site, 'hosting.task_keep_days', 90);
    return days > 0 ? removeOldTasks(site.db, now - days * DAY) : 0;
  },
};

/** The periodic queues of the hosting module itself (site cron and scheduled backups come with its sub-modules). */
export const builtinQueues: readonly PeriodicQueue[] = [oldTasksQueue];
