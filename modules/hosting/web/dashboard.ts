import { page, type RequestContext } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { scopeOf, whereSiteInScope, whereTaskInScope, type Scope } from '../access/scope.js';
import { badgeOf } from './badges.js';
import { tasksList } from './lists/tasks.js';

const DAY_MS = 24 * 3_600_000;
/** Tasks shown on the dashboard. */
const LATEST = 10;

/** The counts of the queue the account sees: queued, running, and failed in the last day. */
export async function queueCounts(ctx: Pick<RequestContext, 'site' | 'account'>, scope?: Scope): Promise<{ queued: number; running: number; failed: number }> {
  const s = scope ?? (await scopeOf(ctx.site, ctx.account));
  const db = ctx.site.db;
  const rows = (await whereTaskInScope(db, db('hosting_task as t'), s)
    .where((w) => { w.whereIn('t.status', ['queued', 'processing']).orWhere((f) => f.where('t.status', 'error').where('t.finished_at', '>', Date.now() - DAY_MS)); })
    .groupBy('t.status').select('t.status').count({ n: '*' })) as { status: string; n: number | string }[];
  const n = (status: string): number => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { queued: n('queued'), running: n('processing'), failed: n('error') };
}

/** /hosting: sites by status, the queue, and the latest tasks, each linked to its list or node. */
export async function dashboard(ctx: RequestContext): Promise<ReturnType<typeof page>> {
  const scope = await scopeOf(ctx.site, ctx.account);
  const db = ctx.site.db;
  const bySite = (await whereSiteInScope(db('hosting_site as s'), scope, 's.client_nid').whereNot('s.status', 'deleted').groupBy('s.status').select('s.status').count({ n: '*' })) as { status: string; n: number | string }[];
  const sites = ['installed', 'disabled', 'failed', 'new'].map((status) => ({
    status, badge: badgeOf(status), count: Number(bySite.find((r) => r.status === status)?.n ?? 0), href: `/hosting/sites?status=${status}`,
  }));
  const queue = await queueCounts(ctx, scope);
  const rows = (await tasksList.query(ctx, scope).orderBy('t.nid', 'desc').limit(LATEST)) as Parameters<typeof tasksList.row>[0][];
  const latest = { headers: Object.values(tasksList.columns).map((c) => ({ label: c.label, ...(c.class ? { class: c.class } : {}) })), rows: await Promise.all(rows.map((r) => tasksList.row(r, ctx))) };
  return page('Hosting', template('hosting/dashboard', {
    sites, total: sites.reduce((a, s) => a + s.count, 0), queue, latest, mayAddSite: scope.all || scope.clients.length > 0,
  }));
}
