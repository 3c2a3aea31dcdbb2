import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ParsedKey } from 'ssh2';
import { ssh2 } from './ssh2-lazy.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../../core/util/fs.js';
import { fingerprint } from './known-hosts.js';

/** The SSH key pair the back end logs in to its servers with. */
export interface BackendKey {
  /** `<home>/keys/id_ed25519`, mode 0600. */
  readonly privatePath: string;
  /** `<home>/keys/id_ed25519.pub`. */
  readonly publicPath: string;
  /** The private key in OpenSSH format (what ssh2 and ssh(1) read). */
  readonly privateKey: string;
  /** The public key as one authorized_keys line: `ssh-ed25519 AAAA... comment`. */
  readonly publicKey: string;
  /** SHA256 fingerprint of the public key, as ssh-keygen -l shows it. */
  readonly fingerprint: string;
}

/** Where the key pair of a home lives. */
export function keyPaths(home: string): { dir: string; privatePath: string; publicPath: string } {
  const dir = join(home, 'keys');
  return { dir, privatePath: join(dir, 'id_ed25519'), publicPath: join(dir, 'id_ed25519.pub') };
}

/**
 * The back end's key pair, generated (ed25519, OpenSSH format) when the
 * private key is missing. A missing or stale `.pub` is rewritten from the
 * private key, and a private key readable by others is made 0600 again.
 * Safe against another process generating at the same time: the private key
 * is published with link(2), which only one of them wins.
 */
export function backendKey(home: string): BackendKey {
  const { dir, privatePath, publicPath } = keyPaths(home);
  let privateKey = readIfPresent(privatePath);
  if (privateKey === undefined) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generatePair();
    const tmp = join(dir, `.id_ed25519.${randomBytes(6).toString('hex')}.tmp`);
    try {
      writeFileSync(tmp, pair.private, { mode: 0o600, flag: 'wx' });
      linkSync(tmp, privatePath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
    privateKey = readFileSync(privatePath, 'utf8');
  }
  if ((statSync(privatePath).mode & 0o077) !== 0) chmodSync(privatePath, 0o600);
  // A file holding several keys parses to an array; the first one is used, as ssh(1) does.
  const raw = ssh2().utils.parseKey(privateKey) as ParsedKey | ParsedKey[] | Error;
  const parsed = Array.isArray(raw) ? raw[0] ?? new Error('no key in the file') : raw;
  if (parsed instanceof Error || parsed.isPrivateKey() !== true) {
    throw new AegirError('ERR_PATH_INVALID', {
      path: privatePath,
      problem: `it is not an unencrypted OpenSSH private key (${parsed instanceof Error ? parsed.message : 'public key only'}); move it away and a new key is generated`,
    });
  }
  const blob = parsed.getPublicSSH();
  const publicKey = `${parsed.type} ${blob.toString('base64')}${parsed.comment ? ` ${parsed.comment}` : ''}`;
  if (readIfPresent(publicPath)?.trim() !== publicKey) writeFileAtomic(publicPath, `${publicKey}\n`, 0o644);
  return { privatePath, publicPath, privateKey, publicKey, fingerprint: fingerprint(blob) };
}

/**
 * A new ed25519 pair in OpenSSH format that parses back. ssh2's generator
 * drops a leading zero byte of the public key about once in 256 keys (a
 * 31-byte key that nothing can read, seen as a flaky "Malformed OpenSSH
 * private key"), so a pair is made again until it reads back whole.
 */
function generatePair(): { private: string } {
  for (let i = 0; i < 64; i++) {
    const pair = ssh2().utils.generateKeyPairSync('ed25519', { comment: `aegir@${hostname()}` });
    const parsed = ssh2().utils.parseKey(pair.private);
    if (!(parsed instanceof Error) && !Array.isArray(parsed) && parsed.getPublicSSH().length === 51) return pair;
  }
  throw new AegirError('ERR_TOOL_FAILED', { tool: 'ssh2 key generation', code: 'none', problem: 'no readable ed25519 key in 64 tries' });
}

/**
 * The line to add to `~/.ssh/authorized_keys` of a server's user so that the
 * back end can log in; generates the key pair if missing.
 */
export function publicKeyLine(home: string): string {
  return backendKey(home).publicKey;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
