/**
 * The outbox: messages modules owe other systems (a webhook's POST after a
 * task), kept in the database, attempted at once and again with back-off
 * (10 s, 20 s, 40 s, ... at most an hour) until delivered or given up
 * after MAX_ATTEMPTS, every attempt recorded in its row and logged. The
 * delivering is the channel's sender's (`hosting.outbox_senders`).
 */
import { AegirError, describe } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { SiteContext } from '../../../core/site/context.js';
import type { PeriodicQueue } from '../periodic/types.js';
import type { OutboxAnswer, OutboxSender } from './types.js';

/** After this many attempts a message is failed for good. */
export const MAX_ATTEMPTS = 6;

/** The wait before attempt n+1: 10 s, 20 s, 40 s, ... at most an hour. */
export const backoffMs = (attempts: number): number => Math.min(3_600_000, 10_000 * 2 ** (attempts - 1));

const CHANNEL = /^[a-z][a-z0-9_]{0,63}$/;

/** The senders of a kernel by channel, collected once; two for one channel is an error naming both modules. */
export function outboxSenders(kernel: Kernel): ReadonlyMap<string, OutboxSender & { module: string }> {
  return kernel.registry('hosting.outbox_senders', () => {
    const out = new Map<string, OutboxSender & { module: string }>();
    if (!kernel.hooks.has('hosting.outbox_senders')) return out;
    for (const { module, value } of kernel.hooks.collect('hosting.outbox_senders')) {
      if (!CHANNEL.test(value.channel)) throw new AegirError('ERR_OUTBOX_SENDER_INVALID', { module, channel: String(value.channel).slice(0, 80) });
      const prev = out.get(value.channel);
      if (prev) throw new AegirError('ERR_OUTBOX_SENDER_DUPLICATE', { channel: value.channel, first: prev.module, second: module });
      out.set(value.channel, { ...value, module });
    }
    return out;
  });
}

/** What a module queues. */
export interface NewMessage {
  readonly channel: string;
  readonly ref?: number | null;
  readonly taskNid?: number | null;
  readonly body: string;
}

/** Queue a message, due at once; resolves with its id (attempt it with sendDue, or let the outbox queue do so). */
export async function queueMessage(site: SiteContext, m: NewMessage, now = Date.now()): Promise<number> {
  if (!CHANNEL.test(m.channel)) throw new AegirError('ERR_OUTBOX_SENDER_INVALID', { module: '(caller)', channel: m.channel.slice(0, 80) });
  const [id] = (await site.db('hosting_outbox').insert({
    channel: m.channel, ref: m.ref ?? null, task_nid: m.taskNid ?? null, body: m.body, status: 'pending', attempts: 0, next_at: now, last_error: '', created: now,
  })) as number[];
  return Number(id);
}

interface Row { id: number; channel: string; ref: number | null; task_nid: number | null; body: string; attempts: number }

/** One attempt through the channel's sender; the row records the answer and when to try again, the log says what happened. */
async function attempt(site: SiteContext, row: Row, now: number): Promise<void> {
  const sender = outboxSenders(site.kernel).get(row.channel);
  const message = { id: Number(row.id), channel: row.channel, ref: row.ref === null ? null : Number(row.ref), taskNid: row.task_nid === null ? null : Number(row.task_nid), body: row.body, attempts: Number(row.attempts) };
  const answer: OutboxAnswer = sender
    ? await sender.send(site, message).catch((e: unknown) => ({ to: row.channel, error: describe(e) }))
    : { to: row.channel, error: `no enabled module sends on channel "${row.channel}"`, final: true };
  const attempts = message.attempts + 1;
  const state = answer.error === undefined ? 'delivered' : answer.final || attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
  await site.db('hosting_outbox').where({ id: message.id }).update({
    status: state, attempts, last_status: answer.status ?? null, last_error: (answer.error ?? '').slice(0, 500), next_at: now + backoffMs(attempts),
  });
  const said = `${sender?.label ?? 'Message'} ${message.id} to ${answer.to}`;
  if (state === 'delivered') site.logger.info(`${said}: delivered${answer.status ? ` (${answer.status})` : ''}.`);
  else site.logger.warning(`${said} failed (${answer.error}); ${state === 'failed' ? `given up after ${attempts} attempt(s)` : `next attempt in ${backoffMs(attempts) / 1000} s`}.`);
}

/** Attempt the pending messages that are due (all channels, or only these ids), at most 50; resolves with how many were attempted. */
export async function sendDue(site: SiteContext, now: number, only?: readonly number[]): Promise<number> {
  const q = site.db('hosting_outbox').where({ status: 'pending' }).andWhere('next_at', '<=', now).orderBy('next_at').orderBy('id').limit(50);
  const rows = (await (only ? q.whereIn('id', only) : q).select('id', 'channel', 'ref', 'task_nid', 'body', 'attempts')) as Row[];
  for (const r of rows) await attempt(site, r, now);
  return rows.length;
}

/** The periodic queue that attempts what is due. */
export const outboxQueue: PeriodicQueue = {
  name: 'outbox', description: 'Attempt the messages to other systems (webhooks) that are due, retrying with back-off.', everyMs: 10_000,
  run: (site, now) => sendDue(site, now),
};
