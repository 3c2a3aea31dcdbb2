import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SiteContext } from '../../core/site/context.js';
import { loadUser, passwordHash, type UserRecord } from './accounts.js';

/** How long a one-time login link works, in seconds. */
export const ONE_TIME_LINK_TTL_S = 24 * 3600;

/**
 * The hash of a one-time login link: an HMAC keyed with the site's hash
 * salt over the user id, the link's timestamp, the user's current password
 * hash and last login time. Logging in changes the login time and setting a
 * password changes the hash, so a link works once and dies with the
 * password it was issued under.
 */
export function oneTimeHash(hashSalt: string, uid: number, timestamp: number, pass: string, login: number): string {
  return createHmac('sha256', hashSalt).update(`${uid}:${timestamp}:${login}:${pass}`).digest('base64url');
}

/** The path of a fresh one-time login link for a user (`/user/reset/UID/TIMESTAMP/HASH`). */
export async function oneTimeLoginPath(site: SiteContext, user: UserRecord, now = Date.now()): Promise<string> {
  const timestamp = Math.floor(now / 1000);
  const hash = oneTimeHash(site.settings.hashSalt, user.uid, timestamp, await passwordHash(site, user.uid), user.login);
  return `/user/reset/${user.uid}/${timestamp}/${hash}`;
}

/** Why a link was refused: `invalid` (wrong, used, or for a blocked user) or `expired`. */
export type LinkCheck = { readonly ok: true; readonly user: UserRecord; readonly timestamp: number } | { readonly ok: false; readonly reason: 'invalid' | 'expired' };

/**
 * Check a one-time login link from its raw path parts. The hash is checked
 * first (in constant time), so only a genuine link can learn that it expired.
 */
export async function checkOneTimeLink(site: SiteContext, raw: { uid: string; timestamp: string; hash: string }, now = Date.now()): Promise<LinkCheck> {
  const invalid = { ok: false, reason: 'invalid' } as const;
  if (!/^[1-9]\d{0,9}$/.test(raw.uid) || !/^\d{1,12}$/.test(raw.timestamp) || !/^[A-Za-z0-9_-]{43}$/.test(raw.hash)) return invalid;
  const user = await loadUser(site, Number(raw.uid));
  if (!user || user.status !== 1) return invalid;
  const timestamp = Number(raw.timestamp);
  const want = Buffer.from(oneTimeHash(site.settings.hashSalt, user.uid, timestamp, await passwordHash(site, user.uid), user.login));
  const got = Buffer.from(raw.hash);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return invalid;
  const nowS = Math.floor(now / 1000);
  if (timestamp > nowS) return invalid;
  if (nowS - timestamp > ONE_TIME_LINK_TTL_S) return { ok: false, reason: 'expired' };
  return { ok: true, user, timestamp };
}
