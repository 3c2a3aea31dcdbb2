import type { SiteContext } from '../../core/site/context.js';

/**
 * Throttling by counting recent events in the `flood` table (Drupal's flood
 * control): an event is allowed while fewer than `threshold` events of the
 * same kind and identifier happened within the last `windowMs`.
 */
export interface FloodRule {
  /** Event name (`user.failed_login_ip`). */
  readonly event: string;
  readonly threshold: number;
  readonly windowMs: number;
}

const HOUR = 3600 * 1000;

/** Failed logins from one IP address: at most 50 an hour, whatever the account. */
export const FAILED_LOGIN_IP: FloodRule = { event: 'user.failed_login_ip', threshold: 50, windowMs: HOUR };
/** Failed logins for one account (or one unknown name, counted alike) from one IP address: at most 5 in 6 hours. */
export const FAILED_LOGIN_USER: FloodRule = { event: 'user.failed_login_user', threshold: 5, windowMs: 6 * HOUR };
/** Password reset requests from one IP address: at most 50 an hour. */
export const RESET_IP: FloodRule = { event: 'user.password_request_ip', threshold: 50, windowMs: HOUR };
/** Reset mails for one account: at most 5 in 6 hours. */
export const RESET_USER: FloodRule = { event: 'user.password_request_user', threshold: 5, windowMs: 6 * HOUR };

/** Whether another event is allowed for this identifier. */
export async function floodAllowed(site: SiteContext, rule: FloodRule, identifier: string, now = Date.now()): Promise<boolean> {
  const row = (await site.db('flood')
    .where({ event: rule.event, identifier })
    .andWhere('created', '>', now - rule.windowMs)
    .count({ n: '*' })
    .first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0) < rule.threshold;
}

/** Count one event for an identifier; it is kept until its window has passed. */
export async function floodRegister(site: SiteContext, rule: FloodRule, identifier: string, now = Date.now()): Promise<void> {
  await site.db('flood').insert({ event: rule.event, identifier, created: now, expires: now + rule.windowMs });
}

/** Forget the events of an identifier (a successful login clears its failures). */
export async function floodClear(site: SiteContext, rule: FloodRule, identifier: string): Promise<void> {
  await site.db('flood').where({ event: rule.event, identifier }).delete();
}

/** Remove events whose window has passed (cron); returns how many. */
export async function floodPurge(site: SiteContext, now = Date.now()): Promise<number> {
  return site.db('flood').where('expires', '<=', now).delete();
}
