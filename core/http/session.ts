import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Json } from '../config/config-store.js';
import type { Message } from './types.js';

/** How long a session lives without a request. */
export const SESSION_IDLE_MS = 14 * 24 * 3600 * 1000;
/** How often an active session's expiry is pushed forward (at most). */
const TOUCH_MS = 60 * 1000;

interface Row {
  sid: string;
  uid: number;
  data: string;
  created: number;
  accessed: number;
  expires: number;
}

/** The session token's hash, which is all the database keeps: a leaked table gives no live session. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * One visitor's session, loaded lazily from the `core_sessions` table. A
 * session row and cookie exist only once something is stored (a form's
 * CSRF seed, a message, a login). Logging in or out replaces the token, so
 * a token planted before login is worthless after (session fixation).
 */
export class Session {
  private row: Row | undefined;
  private data: Record<string, Json> = {};
  private token: string | undefined;
  private dirty = false;
  private issued = false;

  constructor(
    private readonly db: Knex,
    private readonly hashSalt: string,
    incomingToken: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.token = incomingToken && /^[A-Za-z0-9_-]{43}$/.test(incomingToken) ? incomingToken : undefined;
  }

  /** Load the session the cookie names, if it exists and has not expired. */
  async load(): Promise<void> {
    if (!this.token) return;
    const row = (await this.db('core_sessions').where({ sid: hashToken(this.token) }).first()) as Row | undefined;
    if (!row || Number(row.expires) <= this.now()) {
      this.token = undefined;
      return;
    }
    this.row = { ...row, uid: Number(row.uid), created: Number(row.created), accessed: Number(row.accessed), expires: Number(row.expires) };
    this.data = JSON.parse(row.data) as Record<string, Json>;
  }

  /** The logged-in user's id, 0 for anonymous. */
  get uid(): number {
    return this.row?.uid ?? 0;
  }

  get<T extends Json>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }

  set(key: string, value: Json | undefined): void {
    if (value === undefined) delete this.data[key];
    else this.data[key] = value;
    this.dirty = true;
  }

  /** Queue a message for the next page. */
  addMessage(m: Message): void {
    const list = (this.data.messages as unknown as Message[] | undefined) ?? [];
    // The same message twice in a row says nothing new.
    if (!list.some((x) => x.type === m.type && x.text === m.text)) this.set('messages', [...list, m] as unknown as Json);
  }

  /** Messages queued so far, removed from the session. */
  takeMessages(): Message[] {
    const list = (this.data.messages as unknown as Message[] | undefined) ?? [];
    if (list.length) this.set('messages', undefined);
    return list;
  }

  /** Log a user in: a new token, the old session gone, the CSRF seed renewed. */
  async login(uid: number): Promise<void> {
    await this.destroyRow();
    const keep = this.data.messages;
    this.data = keep ? { messages: keep } : {};
    this.row = undefined;
    this.token = undefined;
    await this.start(uid);
  }

  /** Log out: the session row is deleted and the cookie cleared. */
  async logout(): Promise<void> {
    await this.destroyRow();
    this.row = undefined;
    this.token = undefined;
    this.data = {};
    this.dirty = false;
    this.issued = true;
  }

  /** A CSRF token for a form, bound to this session and the form's id. */
  csrfToken(formId: string): string {
    let seed = this.get<string>('csrf');
    if (!seed) {
      seed = randomBytes(32).toString('base64url');
      this.set('csrf', seed);
    }
    return createHmac('sha256', this.hashSalt).update(`${seed}:${formId}`).digest('base64url');
  }

  /** Whether a submitted token is this session's token for the form (constant-time). */
  checkCsrf(formId: string, token: unknown): boolean {
    const seed = this.get<string>('csrf');
    if (!seed || typeof token !== 'string') return false;
    const want = Buffer.from(createHmac('sha256', this.hashSalt).update(`${seed}:${formId}`).digest('base64url'));
    const got = Buffer.from(token);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /**
   * Persist what changed. Returns the cookie to send: a new token, `null` to
   * clear the cookie, or undefined to leave it alone.
   */
  async save(): Promise<string | null | undefined> {
    const now = this.now();
    if (this.dirty && !this.row) await this.start(0);
    else if (this.row && (this.dirty || now - this.row.accessed > TOUCH_MS)) {
      const patch: Partial<Row> = { accessed: now, expires: now + SESSION_IDLE_MS };
      if (this.dirty) patch.data = JSON.stringify(this.data);
      await this.db('core_sessions').where({ sid: this.row.sid }).update(patch);
    }
    this.dirty = false;
    if (!this.issued) return undefined;
    this.issued = false;
    return this.token ?? null;
  }

  private async start(uid: number): Promise<void> {
    const now = this.now();
    this.token = randomBytes(32).toString('base64url');
    this.row = { sid: hashToken(this.token), uid, data: JSON.stringify(this.data), created: now, accessed: now, expires: now + SESSION_IDLE_MS };
    await this.db('core_sessions').insert(this.row);
    this.issued = true;
    this.dirty = false;
  }

  private async destroyRow(): Promise<void> {
    if (this.row) await this.db('core_sessions').where({ sid: this.row.sid }).delete();
  }
}

/** Remove expired sessions (cron); returns how many. */
export async function purgeSessions(db: Knex, now = Date.now()): Promise<number> {
  return db('core_sessions').where('expires', '<=', now).delete();
}

/** Remove every session of a user (password change, blocking). */
export async function endSessionsOf(db: Knex, uid: number): Promise<number> {
  return db('core_sessions').where({ uid }).delete();
}
