import { createHash } from 'node:crypto';
import type { RequestContext } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import { loadAccount, loadUserByName, passwordHash, recordLogin, type UserRecord } from './accounts.js';
import { FAILED_LOGIN_IP, FAILED_LOGIN_USER, floodAllowed, floodClear, floodRegister } from './flood.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

/** A hash of a random password nobody knows: checked for unknown names so they take as long as known ones. */
const DUMMY_HASH = 'scrypt$32768$8$1$Z41TQIHiJeDbB2S1joyieg$NOLOqF2jkdf5IMvg95ZJqkY8zACfcBbTBr9LaLRv-tk';

/** What a login attempt came to. */
export type LoginOutcome =
  | { readonly ok: true; readonly user: UserRecord }
  | { readonly ok: false; readonly reason: 'wrong' | 'blocked' | 'throttled_ip' | 'throttled_user' };

/** The address a request came from, as throttling counts it. */
export function clientIp(ctx: RequestContext): string {
  return ctx.req.ip ?? ctx.req.socket.remoteAddress ?? 'unknown';
}

/**
 * The identifier failed logins for a name are counted under, per address:
 * the account's id when the name is known, else a hash of the name (never
 * the name itself: people type passwords into the name field too).
 */
function accountKey(user: UserRecord | undefined, name: string, ip: string): string {
  const who = user ? String(user.uid) : `name:${createHash('sha256').update(name.toLowerCase()).digest('base64url').slice(0, 22)}`;
  return `${who}-${ip}`;
}

/**
 * Check a name and password with login throttling: at most 50 failed
 * attempts per IP address an hour and 5 per account and address in 6 hours;
 * past either, the attempt is refused without checking the password. A
 * failure counts against both; a success clears the account's count for
 * that address. Unknown names are counted and refused exactly like known
 * ones, and cost the same scrypt work, so neither the answer nor its time
 * tells whether an account exists.
 */
export async function authenticate(site: SiteContext, name: string, password: string, ip: string): Promise<LoginOutcome> {
  if (!(await floodAllowed(site, FAILED_LOGIN_IP, ip))) {
    site.logger.warning(`Login refused: too many failed attempts from ${ip}.`);
    return { ok: false, reason: 'throttled_ip' };
  }
  const user = await loadUserByName(site, name);
  const userKey = accountKey(user, name, ip);
  if (!(await floodAllowed(site, FAILED_LOGIN_USER, userKey))) {
    site.logger.warning(`Login refused: too many failed attempts for ${user ? `user ${user.uid}` : 'an unknown name'} from ${ip}.`);
    return { ok: false, reason: 'throttled_user' };
  }
  const stored = user ? await passwordHash(site, user.uid) : DUMMY_HASH;
  const ok = (await verifyPassword(password, stored)) && user !== undefined;
  if (!ok) {
    await floodRegister(site, FAILED_LOGIN_IP, ip);
    await floodRegister(site, FAILED_LOGIN_USER, userKey);
    // Never the name as typed: people type passwords into the name field too.
    site.logger.notice(`Login attempt failed for ${user ? `user ${user.uid}` : 'an unknown name'} from ${ip}.`);
    return { ok: false, reason: 'wrong' };
  }
  if (user.status !== 1) return { ok: false, reason: 'blocked' };
  await floodClear(site, FAILED_LOGIN_USER, userKey);
  if (needsRehash(stored)) await site.db('users').where({ uid: user.uid }).update({ pass: await hashPassword(password) });
  return { ok: true, user };
}

/**
 * Log the request's visitor in as a user: a new session token (the old
 * one dies, against session fixation), the login time recorded (which also
 * spends one-time login links), then the 'user.login' event.
 */
export async function logIn(ctx: RequestContext, user: UserRecord): Promise<void> {
  const { site } = ctx;
  await ctx.session.login(user.uid);
  await recordLogin(site, user.uid);
  const account = await loadAccount(site, user.uid);
  if (account) await site.hooks.emit('user.login', { site, account });
  site.logger.info(`Session opened for user ${user.uid}.`);
}

/** Log the request's visitor out: the 'user.logout' event, then the session ends. */
export async function logOut(ctx: RequestContext): Promise<void> {
  const { site, account } = ctx;
  await site.hooks.emit('user.logout', { site, account });
  await ctx.session.logout();
  site.logger.info(`Session closed for user ${account.uid}.`);
}

/** A `?destination=` that is a path on this site, or undefined. */
export function localDestination(value: string | undefined): string | undefined {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  return /[\0-\x1f\x7f\\]/.test(value) ? undefined : value;
}
