import { createHmac } from 'node:crypto';
import type { SiteContext } from '../../../../core/site/context.js';
import type { TaskEndEvent } from '../../../../modules/hosting/hooks.js';
import { queueMessage, sendDue } from '../../../../modules/hosting/outbox/outbox.js';
import type { OutboxSender } from '../../../../modules/hosting/outbox/types.js';
import { listOf } from './node-type.js';

type Hook = { nid: number; url: string; secret: string; types: string[]; statuses: string[] };

/** The published webhooks. */
async function webhooks(site: SiteContext): Promise<Hook[]> {
  const rows = (await site.db('node').where({ type: 'webhook', status: 1 }).select('nid', 'data')) as { nid: number; data: string }[];
  return rows.map((r) => { const f = JSON.parse(r.data) as Record<string, string>; return { nid: Number(r.nid), url: f.url!, secret: f.secret!, types: listOf(f.task_types), statuses: listOf(f.statuses) }; });
}

/** One POST of a message to its webhook, signed with the webhook's secret; redirects are not followed. */
export const webhookSender: OutboxSender = {
  channel: 'webhooks',
  label: 'Webhook delivery',
  async send(site, m) {
    const hook = (await webhooks(site)).find((h) => h.nid === m.ref);
    if (!hook) return { to: `webhook ${m.ref}`, error: 'the webhook is gone or unpublished', final: true };
    const to = `webhook ${hook.nid} (${new URL(hook.url).origin})`;
    try {
      const r = await fetch(hook.url, { method: 'POST', body: m.body, redirect: 'manual', signal: AbortSignal.timeout(5000), headers: {
        'content-type': 'application/json', 'x-aegir-delivery': String(m.id), 'x-aegir-signature': `sha256=${createHmac('sha256', hook.secret).update(m.body).digest('hex')}` } });
      await r.body?.cancel();
      return r.status >= 200 && r.status <= 299 ? { to, status: r.status } : { to, status: r.status, error: `answered ${r.status}` };
    } catch (e) {
      return { to, error: (e as Error).cause ? String((e as Error & { cause: Error }).cause.message) : (e as Error).message };
    }
  },
};

/** hosting.task_succeeded / task_failed: a message for each matching webhook, attempted at once (the outbox retries). */
export async function enqueue(e: TaskEndEvent): Promise<void> {
  const now = Date.now();
  const body = JSON.stringify({ event: 'task.ended', task: { nid: e.task.nid, type: e.task.taskType, status: e.outcome.status, errorCode: e.outcome.errorCode ?? null, queuedAt: e.task.queuedAt },
    object: { nid: e.object.nid, kind: e.object.kind, title: e.object.title, status: e.object.status }, sentAt: now });
  const ids: number[] = [];
  for (const h of await webhooks(e.site)) {
    if ((h.types.length && !h.types.includes(e.task.taskType)) || (h.statuses.length && !h.statuses.includes(e.outcome.status))) continue;
    ids.push(await queueMessage(e.site, { channel: 'webhooks', ref: h.nid, taskNid: e.task.nid, body }, now));
  }
  if (ids.length) await sendDue(e.site, now, ids);
}
