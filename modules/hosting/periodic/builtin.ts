import type { Knex } from 'knex';
import type { SiteContext } from '../../../core/site/context.js';
import { CONSOLE_ACCOUNT } from '../commands/common.js';
import { checkRequest, queueTask } from '../tasks/queue-task.js';
import type { PeriodicQueue } from './types.js';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
/** At most this many tasks per round of a queue, so one round never floods the dispatcher. */
const BATCH = 50;

/** Queue a task if it may be (state, no queued one of its kind); true when it was. */
async function tryQueue(site: SiteContext, type: string, object: number, args: Record<string, unknown> = {}): Promise<boolean> {
  try {
    await checkRequest(site, { type, object, args, account: CONSOLE_ACCOUNT });
    if (await site.db('hosting_task').where({ object_nid: object, task_type: type }).whereIn('status', ['queued', 'processing']).first('nid')) return false;
    await queueTask(site, { type, object, args, account: CONSOLE_ACCOUNT });
    return true;
  } catch {
    return false;
  }
}

const setting = async (site: SiteContext, key: string, fallback: number): Promise<number> => (await site.config.get<number>(key, fallback)) ?? fallback;

/** Site cron: installed sites whose cron last ran longer ago than `hosting.cron_interval` (default 1 hour; 0: never). */
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

/** Scheduled backups: sites whose newest backup is older than their interval (the site's, else `hosting.backup_interval`, default 0: none). */
export const backupQueue: PeriodicQueue = {
  name: 'backups', description: 'Back up sites whose scheduled backup is due.', everyMs: 5 * 60_000,
  async run(site, now) {
    const fallback = await setting(site, 'hosting.backup_interval', 0);
    const sites = (await site.db('hosting_site').whereIn('status', ['installed', 'disabled']).select('nid', 'backup_interval')) as { nid: number; backup_interval: number | null }[];
    let n = 0;
    for (const s of sites) {
      const every = s.backup_interval === null ? fallback : Number(s.backup_interval);
      if (every <= 0) continue;
      const last = (await site.db('hosting_backup').where({ site_nid: s.nid }).max({ m: 'created' }).first()) as { m: number | null } | undefined;
      if (last?.m && Number(last.m) > now - every) continue;
      if (await tryQueue(site, 'backup', Number(s.nid), { description: 'scheduled' })) n++;
      if (n >= BATCH) break;
    }
    return n;
  },
};

/** The backups retention would remove from one site's list (newest first): beyond the newest `keep`, and older than `days` when days is set; never the only one. */
export function expired(backups: readonly { bid: number; created: number }[], keep: number, days: number, now: number): number[] {
  if (backups.length <= 1) return [];
  const sorted = [...backups].sort((a, b) => b.created - a.created);
  return sorted.slice(Math.max(1, keep)).filter((b) => days <= 0 || b.created < now - days * DAY).map((b) => b.bid);
}

/** Backup retention: keep the newest `hosting.backup_keep` (default 5) and, with `hosting.backup_keep_days` (default 0: off), those younger; one backup-delete at a time per site. */
export const retentionQueue: PeriodicQueue = {
  name: 'retention', description: 'Remove backups the retention settings no longer keep.', everyMs: 60 * 60_000,
  async run(site, now) {
    const keep = await setting(site, 'hosting.backup_keep', 5);
    const days = await setting(site, 'hosting.backup_keep_days', 0);
    const rows = (await site.db('hosting_backup').select('bid', 'site_nid', 'created')) as { bid: number; site_nid: number; created: number }[];
    const bySite = new Map<number, { bid: number; created: number }[]>();
    for (const r of rows) bySite.set(Number(r.site_nid), [...(bySite.get(Number(r.site_nid)) ?? []), { bid: Number(r.bid), created: Number(r.created) }]);
    let n = 0;
    for (const [nid, list] of bySite) {
      const gone = expired(list, keep, days, now);
      if (gone.length && (await tryQueue(site, 'backup-delete', nid, { backup: gone.at(-1)! }))) n++;
      if (n >= BATCH) break;
    }
    return n;
  },
};

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

/** The periodic queues of the hosting module. */
export const builtinQueues: readonly PeriodicQueue[] = [cronQueue, backupQueue, retentionQueue, oldTasksQueue];
