import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../../core/util/fs.js';
import { MISSING, readJsonFile } from '../../../core/util/json-file.js';

/** The host key pinned for one server. */
export interface PinnedKey {
  /** `host:port` it was pinned for (informative; the server context name is the key). */
  readonly target: string;
  /** The key as in a known_hosts line: `ssh-ed25519 AAAA...`. */
  readonly key: string;
  /** `SHA256:...` as ssh(1) and ssh-keygen -l show it. */
  readonly fingerprint: string;
  /** ISO time of pinning. */
  readonly pinnedAt: string;
}

/** What checking a presented host key found. */
export interface HostKeyCheck {
  readonly fingerprint: string;
  /** Nothing is pinned for the server yet (only in pin mode; pin() records the key). */
  readonly isNew: boolean;
}

/** The fingerprint of a raw SSH public key blob, like OpenSSH: `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of a raw SSH public key blob (`ssh-ed25519`). */
export function keyType(blob: Buffer): string {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = len > 0 && len <= 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : '';
  return /^[a-z0-9@.-]+$/.test(type) ? type : 'unknown';
}

/** A key as in a known_hosts line: `ssh-ed25519 AAAA...`. */
function lineOf(blob: Buffer): string {
  return `${keyType(blob)} ${blob.toString('base64')}`;
}

/**
 * Host key algorithms that prove a key of this type, for offering only
 * those once a key is pinned: a server (or an attacker) cannot then make the
 * client accept another kind of key it has never seen.
 */
export function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

/**
 * Pinned SSH host keys per server context, in `<home>/known_hosts.json`
 * (mode 0640). A key is pinned only by an explicit verify in pin mode; every
 * later connection must present the same key. Read fresh on every check, so
 * that a pin by another process counts at once.
 */
export class KnownHosts {
  readonly path: string;

  constructor(readonly home: string) {
    this.path = join(home, 'known_hosts.json');
  }

  /** Every pinned key by server name. */
  all(): Map<string, PinnedKey> {
    const raw = readJsonFile(this.path, 'ERR_SETTINGS_INVALID', { optional: true });
    const pins = new Map<string, PinnedKey>();
    if (raw === MISSING) return pins;
    const bad = (problem: string): never => { throw new AegirError('ERR_SETTINGS_INVALID', { path: this.path, problem }); };
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('it must be a JSON object of server names');
    for (const [server, v] of Object.entries(raw as Record<string, unknown>)) {
      const p = v as Record<string, unknown>;
      if (typeof p !== 'object' || p === null || typeof p.key !== 'string' || typeof p.fingerprint !== 'string' || !/^[a-z0-9@.-]+ [A-Za-z0-9+/=]+$/.test(p.key)) {
        bad(`the entry of "${server.slice(0, 80)}" needs "key" ("type base64") and "fingerprint"`);
      }
      pins.set(server, { target: String(p.target ?? ''), key: p.key as string, fingerprint: p.fingerprint as string, pinnedAt: String(p.pinnedAt ?? '') });
    }
    return pins;
  }

  /** The pinned key of a server, if any. */
  get(server: string): PinnedKey | undefined {
    return this.all().get(server);
  }

  /**
   * Check the raw host key a server presented. Same as pinned: fine. Another
   * key: ERR_HOST_KEY_MISMATCH naming both fingerprints, also in pin mode.
   * Nothing pinned: ERR_HOST_KEY_UNKNOWN, or in pin mode `isNew`, for the
   * caller to pin() once the connection proved good.
   */
  check(server: string, target: string, blob: Buffer, opts: { pin?: boolean } = {}): HostKeyCheck {
    const pinned = this.get(server);
    const actual = fingerprint(blob);
    if (pinned) {
      if (pinned.key !== lineOf(blob)) {
        throw new AegirError('ERR_HOST_KEY_MISMATCH', { server, target, expected: pinned.fingerprint, actual, file: this.path });
      }
      return { fingerprint: actual, isNew: false };
    }
    if (!opts.pin) throw new AegirError('ERR_HOST_KEY_UNKNOWN', { server, target, actual });
    return { fingerprint: actual, isNew: true };
  }

  /**
   * Pin a server's host key. The same key pinned meanwhile (by another
   * process) is fine; another one is ERR_HOST_KEY_MISMATCH.
   */
  pin(server: string, target: string, blob: Buffer): void {
    const pins = this.all();
    if (pins.has(server)) {
      this.check(server, target, blob);
      return;
    }
    pins.set(server, { target, key: lineOf(blob), fingerprint: fingerprint(blob), pinnedAt: new Date().toISOString() });
    this.write(pins);
  }

  /** Forget the pinned key of a server (after it was really reinstalled); whether there was one. */
  forget(server: string): boolean {
    const pins = this.all();
    const had = pins.delete(server);
    if (had) this.write(pins);
    return had;
  }

  private write(pins: Map<string, PinnedKey>): void {
    mkdirSync(this.home, { recursive: true, mode: 0o750 });
    const sorted = [...pins].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    writeFileAtomic(this.path, `${JSON.stringify(Object.fromEntries(sorted), null, 2)}\n`, 0o640);
  }
}
