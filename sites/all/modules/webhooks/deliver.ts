import { createHmac } from 'node:crypto';
import type { SchemaDefinition } from '../../../../core/database/schema.js';
import type { SiteContext } from '../../../../core/site/context.js';
import type { TaskEndEvent } from '../../../../modules/hosting/hooks.js';
import type { PeriodicQueue } from '../../../../modules/hosting/periodic/types.js';
import { listOf } from './node-type.js';

/** Deliveries: one row per webhook and task, updated at each attempt. */
export const deliverySchema: SchemaDefinition = {
  webhook_delivery: {
    description: 'Each POST a webhook owes or made: its body, attempts and last answer.',
    columns: {
      did: { type: 'serial' },
      webhook_nid: { type: 'integer' },
      task_nid: { type: 'integer' },
      body: { type: 'text', description: 'The JSON body, as signed' },
      status: { type: 'string', length: 16, description: 'pending, delivered or failed (gave up)' },
      attempts: { type: 'integer', default: 0 },
      next_at: { type: 'bigint', description: 'When to try again (ms since the epoch)' },
      last_status: { type: 'integer', nullable: true, description: 'The HTTP status of the last answer' },
      last_error: { type: 'string', length: 500, default: '' },
    },
    indexes: { due: ['status', 'next_at'] },
  },
};

/** After this many attempts a delivery is failed for good. */
export const MAX_ATTEMPTS = 6;
/** The wait before attempt n+1: 10 s, 20 s, 40 s, ... at most an hour. */
export const backoffMs = (attempts: number): number => Math.min(3_600_000, 10_000 * 2 ** (attempts - 1));
/** The signature header of a body. */
export const signature = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

type Hook = { nid: number; url: string; secret: string; types: string[]; statuses: string[] };
async function webhooks(site: SiteContext): Promise<Hook[]> {
  const rows = (await site.db('node').where({ type: 'webhook', status: 1 }).select('nid', 'data')) as { nid: number; data: string }[];
  return rows.map((r) => { const f = JSON.parse(r.data) as Record<string, string>; return { nid: Number(r.nid), url: f.url!, secret: f.secret!, types: listOf(f.task_types), statuses: listOf(f.statuses) }; });
}

/** One attempt: POST the body signed; the row records the answer, and when to try again. */
async function attempt(site: SiteContext, row: { did: number; body: string; attempts: number }, hook: Hook, now: number): Promise<void> {
  let [status, error]: [number | null, string] = [null, ''];
  try {
    const r = await fetch(hook.url, { method: 'POST', body: row.body, redirect: 'manual', signal: AbortSignal.timeout(5000),
      headers: { 'content-type': 'application/json', 'x-aegir-delivery': String(row.did), 'x-aegir-signature': signature(hook.secret, row.body) } });
    status = r.status;
    await r.body?.cancel();
    if (r.status < 200 || r.status > 299) error = `answered ${r.status}`;
  } catch (e) { error = (e as Error).cause ? String((e as Error & { cause: Error }).cause.message) : (e as Error).message; }
  const attempts = row.attempts + 1;
  const state = !error ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
  await site.db('webhook_delivery').where({ did: row.did }).update({ status: state, attempts, last_status: status, last_error: error.slice(0, 500), next_at: now + backoffMs(attempts) });
  const said = `Webhook ${hook.nid}: delivery ${row.did} to ${new URL(hook.url).origin}`;
  if (state === 'delivered') site.logger.info(`${said} answered ${status}.`);
  else site.logger.warning(`${said} failed (${error}); ${state === 'failed' ? `given up after ${attempts} attempts` : `next attempt in ${backoffMs(attempts) / 1000} s`}.`);
}

/** Attempt the pending deliveries that are due (all, or these ones); how many were attempted. */
export async function deliverDue(site: SiteContext, now: number, only?: readonly number[]): Promise<number> {
  const q = site.db('webhook_delivery').where({ status: 'pending' }).andWhere('next_at', '<=', now).orderBy('next_at').limit(50);
  const rows = (await (only ? q.whereIn('did', only) : q).select('did', 'webhook_nid', 'body', 'attempts')) as { did: number; webhook_nid: number; body: string; attempts: number }[];
  const hooks = new Map((await webhooks(site)).map((h) => [h.nid, h]));
  for (const r of rows) {
    const hook = hooks.get(Number(r.webhook_nid));
    await (hook ? attempt(site, r, hook, now) : site.db('webhook_delivery').where({ did: r.did }).update({ status: 'failed', last_error: 'the webhook is gone or unpublished' }));
  }
  return rows.length;
}

/** hosting.task_succeeded / task_failed: a delivery for each matching webhook, attempted at once. */
export async function enqueue(e: TaskEndEvent): Promise<void> {
  const now = Date.now();
  const body = JSON.stringify({ event: 'task.ended', task: { nid: e.task.nid, type: e.task.taskType, status: e.outcome.status, errorCode: e.outcome.errorCode ?? null, queuedAt: e.task.queuedAt },
    object: { nid: e.object.nid, kind: e.object.kind, title: e.object.title, status: e.object.status }, sentAt: now });
  const ids: number[] = [];
  for (const h of await webhooks(e.site)) {
    if ((h.types.length && !h.types.includes(e.task.taskType)) || (h.statuses.length && !h.statuses.includes(e.outcome.status))) continue;
    const [did] = (await e.site.db('webhook_delivery').insert({ webhook_nid: h.nid, task_nid: e.task.nid, body, status: 'pending', attempts: 0, next_at: now }, ['did'])) as (number | { did: number })[];
    ids.push(typeof did === 'object' ? Number(did.did) : Number(did));
  }
  if (ids.length) await deliverDue(e.site, now, ids);
}

/** Retries that are due, beside the dispatcher. */
export const deliveryQueue: PeriodicQueue = { name: 'webhooks', description: 'Retry the webhook deliveries that are due.', everyMs: 10_000, run: (site, now) => deliverDue(site, now) };
