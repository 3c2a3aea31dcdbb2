import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../core/util/fs.js';
import { MISSING, readJsonFile } from '../../core/util/json-file.js';

/** How long a setup token works. */
export const TOKEN_LIFE_MS = 60 * 60_000;
/** Wrong tokens allowed per minute before the wizard answers "too many". */
export const TOKEN_TRIES_PER_MINUTE = 5;

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const hash = (token: string): Buffer => createHash('sha256').update(normalise(token)).digest();
const normalise = (token: string): string => token.toUpperCase().replace(/[^A-Z0-9]/g, '');
const tokenFile = (home: string): string => join(home, 'setup-token.json');

/**
 * A new one-time setup token (`ABCD-EFGH-JKLM-NPQR`, 80 bits): its sha256
 * and expiry are kept in `<home>/setup-token.json` (0600), never the token
 * itself; the console prints it once. A new token replaces the old one.
 */
export function newSetupToken(home: string, now = Date.now()): { token: string; expires: number } {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  const token = chars.match(/.{4}/g)!.join('-');
  const expires = now + TOKEN_LIFE_MS;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileAtomic(tokenFile(home), `${JSON.stringify({ sha256: hash(token).toString('hex'), expires })}\n`, 0o600);
  return { token, expires };
}

/**
 * Check a token someone typed and use it up: it must match the one on file
 * (compared in constant time) and not be expired; on success the file is
 * removed, so the token works once. ERR_SETUP_TOKEN_INVALID says why not
 * (wrong, expired, used or never issued).
 */
export function consumeSetupToken(home: string, typed: string, now = Date.now()): void {
  const raw = readJsonFile(tokenFile(home), 'ERR_SETUP_TOKEN_INVALID', { optional: true });
  if (raw === MISSING) throw new AegirError('ERR_SETUP_TOKEN_INVALID', { problem: 'no token is waiting (it was used already, or the wizard was not started)' });
  const f = raw as { sha256?: unknown; expires?: unknown };
  if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256) || typeof f.expires !== 'number') {
    throw new AegirError('ERR_SETUP_TOKEN_INVALID', { problem: 'the token file is damaged' });
  }
  if (now > f.expires) throw new AegirError('ERR_SETUP_TOKEN_INVALID', { problem: 'it has expired' });
  if (!timingSafeEqual(hash(typed), Buffer.from(f.sha256, 'hex'))) throw new AegirError('ERR_SETUP_TOKEN_INVALID', { problem: 'it is not the token the console printed' });
  rmSync(tokenFile(home), { force: true });
}

/** Forget any waiting token (the install is done, or the wizard stops). */
export function dropSetupToken(home: string): void {
  rmSync(tokenFile(home), { force: true });
}
