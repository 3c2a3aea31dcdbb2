import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens that prove they were minted by this site: 16 random bytes
 * followed by the first 16 bytes of an HMAC of them keyed with the site's
 * hash salt, as 43 characters of base64url. A cookie that fails the check
 * is ignored without a database query, and an anonymous visitor's token is
 * good for CSRF protection before (or without) any session row: nobody can
 * choose one, and only the visitor's browser holds it.
 */
const RANDOM_BYTES = 16;
const MAC_BYTES = 16;
const FORMAT = /^[A-Za-z0-9_-]{43}$/;

function mac(hashSalt: string, random: Buffer): Buffer {
  return createHmac('sha256', hashSalt).update('aegir-session-token:').update(random).digest().subarray(0, MAC_BYTES);
}

/** A new token for this site. */
export function mintToken(hashSalt: string): string {
  const random = randomBytes(RANDOM_BYTES);
  return Buffer.concat([random, mac(hashSalt, random)]).toString('base64url');
}

/** Whether a cookie value is a token this site minted (constant-time; one spelling per token). */
export function isSiteToken(hashSalt: string, token: string): boolean {
  if (!FORMAT.test(token)) return false;
  const bytes = Buffer.from(token, 'base64url');
  // 43 characters carry 258 bits: only the canonical spelling of the 32 bytes counts.
  if (bytes.length !== RANDOM_BYTES + MAC_BYTES || bytes.toString('base64url') !== token) return false;
  return timingSafeEqual(bytes.subarray(RANDOM_BYTES), mac(hashSalt, bytes.subarray(0, RANDOM_BYTES)));
}

/** The token's hash, which is all the database keeps: a leaked table gives no live session. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The CSRF token of a form for a session token: an HMAC of both with the site's hash salt. */
export function formToken(hashSalt: string, token: string, formId: string): string {
  return createHmac('sha256', hashSalt).update(`csrf:${token}:${formId}`).digest('base64url');
}

/** Whether a submitted value is the CSRF token of a form for a session token (constant-time). */
export function checkFormToken(hashSalt: string, token: string, formId: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const want = Buffer.from(formToken(hashSalt, token, formId));
  const got = Buffer.from(submitted);
  return want.length === got.length && timingSafeEqual(want, got);
}
