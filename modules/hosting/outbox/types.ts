import type { SiteContext } from '../../../core/site/context.js';

/** A message waiting in the outbox, as its sender gets it. */
export interface OutboxMessage {
  readonly id: number;
  /** The channel it was queued on: which sender delivers it. */
  readonly channel: string;
  /** What the sender delivers it to (the nid of a webhook node), or null. */
  readonly ref: number | null;
  /** The task it is about, or null. */
  readonly taskNid: number | null;
  readonly body: string;
  /** Attempts before this one. */
  readonly attempts: number;
}

/** How one attempt went. No `error`: delivered. */
export interface OutboxAnswer {
  /** Where it went, for the log (an origin, never a secret). */
  readonly to: string;
  /** The receiver's status code, if it answered. */
  readonly status?: number;
  /** Why it was not delivered; it is tried again with back-off unless `final`. */
  readonly error?: string;
  /** Trying again cannot help (the webhook is gone). */
  readonly final?: boolean;
}

/**
 * A module that delivers messages of one channel (through
 * `hosting.outbox_senders`): a webhook's POST, a mail, a chat message.
 * The outbox keeps each message, attempts it, retries it with back-off
 * and logs every attempt; the sender only tries once.
 */
export interface OutboxSender {
  /** The channel it delivers (a machine name, `webhooks`); one sender per channel. */
  readonly channel: string;
  /** What the log calls its messages (`Webhook delivery`). */
  readonly label: string;
  /** Try to deliver one message. A failed delivery is an answer with `error`; a throw counts as one. */
  send(site: SiteContext, message: OutboxMessage): Promise<OutboxAnswer>;
}
