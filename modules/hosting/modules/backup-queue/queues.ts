import type { PeriodicQueue } from '../../periodic/types.js';
import { BATCH, DAY, setting, tryQueue } from '../../periodic/try-queue.js';

/**
 * Scheduled backups: sites (installed or disabled) whose newest backup is
 * older than their interval (the site's own `backup_interval`, else the
 * setting `hosting.backup_interval`, default 0: none). One query finds
 * them with their newest backup, the longest waiting first.
 */
export const backupQueue: PeriodicQueue = {
  name: 'backups', description: 'Back up sites whose scheduled backup is due.', everyMs: 5 * 60_000,
  async run(site, now) {
    const fallback = await setting(site, 'hosting.backup_interval', 0);
    const rows = (await site.db('hosting_site as s').leftJoin('hosting_backup as b', 'b.site_nid', 's.nid')
      .whereIn('s.status', ['installed', 'disabled'])
      .groupBy('s.nid', 's.backup_interval')
      .select('s.nid', 's.backup_interval').max({ last: 'b.created' })) as { nid: number; backup_interval: number | null; last: number | null }[];
    const due = rows
      .map((r) => ({ nid: Number(r.nid), every: r.backup_interval === null ? fallback : Number(r.backup_interval), last: r.last === null ? 0 : Number(r.last) }))
      .filter((r) => r.every > 0 && r.last <= now - r.every)
      .sort((a, b) => a.last - b.last);
    let n = 0;
    for (const s of due) {
      if (await tryQueue(site, 'backup', s.nid, { description: 'scheduled' })) n++;
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
    for (const r of rows) {
      const list = bySite.get(Number(r.site_nid)) ?? [];
      list.push({ bid: Number(r.bid), created: Number(r.created) });
      bySite.set(Number(r.site_nid), list);
    }
    let n = 0;
    for (const [nid, list] of bySite) {
      const gone = expired(list, keep, days, now);
      if (gone.length && (await tryQueue(site, 'backup-delete', nid, { backup: gone.at(-1)! }))) n++;
      if (n >= BATCH) break;
    }
    return n;
  },
};
