import type { Knex } from 'knex';
import type { Json } from '../config/config-store.js';
import { checkFormToken, formToken, hashToken, isSiteToken, mintToken } from './session-token.js';
import type { Message } from './types.js';

/** How long a logged-in session lives without a request (also the cookie's lifetime). */
export const SESSION_IDLE_MS = 14 * 24 * 3600 * 1000;
/** How long a stored anonymous session lives without a request: it only carries a message or two to the next page. */
export const ANONYMOUS_IDLE_MS = 3 * 3600 * 1000;
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

const idleFor = (uid: number): number => (uid > 0 ? SESSION_IDLE_MS : ANONYMOUS_IDLE_MS);

/**
 * One visitor's session. The cookie holds a token the site minted (see
 * session-token.ts); the `core_sessions` table holds a row for it only
 * while there is something to keep: a logged-in user, or data such as a
 * message for the next page. A form's CSRF token is derived from the
 * cookie's token alone, so showing a form to a cookieless visitor sets a
 * cookie but stores nothing: a flood of anonymous requests cannot fill the
 * database. An anonymous row is deleted once its data is used up, and
 * expires after ANONYMOUS_IDLE_MS. Logging in or out replaces the token
 * (and so every CSRF token), so a token planted before login is worthless
 * after (session fixation).
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
    this.token = incomingToken !== undefined && isSiteToken(hashSalt, incomingToken) ? incomingToken : undefined;
  }

  /** Load the row of the cookie's token, if there is one and it has not expired (an expired one is removed). */
  async load(): Promise<void> {
    if (!this.token) return;
    const sid = hashToken(this.token);
    const row = (await this.db('core_sessions').where({ sid }).first()) as Row | undefined;
    if (!row) return;
    if (Number(row.expires) <= this.now()) {
      await this.db('core_sessions').where({ sid }).delete();
      return;
    }
    this.row = { ...row, uid: Number(row.uid), created: Number(row.created), accessed: Number(row.accessed), expires: Number(row.expires) };
    this.data = JSON.parse(row.data) as Record<string, Json>;
  }

  /** The logged-in user's id, 0 for anonymous. */
  get uid(): number {
    return this.row?.uid ?? 0;
  }

  /** Whether the visitor has a session cookie (sent with the request or set by it): the answer then depends on it. */
  get active(): boolean {
    return this.token !== undefined;
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

  /** Log a user in: a new token (so new CSRF tokens), the old row gone, only the messages kept. */
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

  /** A CSRF token for a form, bound to this visitor's session token and the form's id; mints the session token if there is none. */
  csrfToken(formId: string): string {
    return formToken(this.hashSalt, this.ensureToken(), formId);
  }

  /** Whether a submitted token is this session's token for the form (constant-time). */
  checkCsrf(formId: string, submitted: unknown): boolean {
    return this.token !== undefined && checkFormToken(this.hashSalt, this.token, formId, submitted);
  }

  /**
   * Persist what changed: a row is created once there is data to keep,
   * updated when the data changed (or its expiry is a minute old), and, for
   * an anonymous visitor, deleted once the data is used up. Returns the
   * cookie to send: a new token, `null` to clear the cookie, or undefined
   * to leave it alone.
   */
  async save(): Promise<string | null | undefined> {
    const now = this.now();
    const worth = Object.keys(this.data).length > 0;
    if (!this.row) {
      if (this.dirty && worth) await this.start(0);
    } else if (this.row.uid === 0 && !worth) {
      await this.destroyRow();
      this.row = undefined;
    } else if (this.dirty || now - this.row.accessed > TOUCH_MS) {
      const patch: Partial<Row> = { accessed: now, expires: now + idleFor(this.row.uid) };
      if (this.dirty) patch.data = JSON.stringify(this.data);
      await this.db('core_sessions').where({ sid: this.row.sid }).update(patch);
      this.row = { ...this.row, ...patch };
    }
    this.dirty = false;
    if (!this.issued) return undefined;
    this.issued = false;
    return this.token ?? null;
  }

  private ensureToken(): string {
    if (!this.token) {
      this.token = mintToken(this.hashSalt);
      this.issued = true;
    }
    return this.token;
  }

  /** Store a row for the current token (minted if needed; an anonymous visitor keeps theirs, so forms already shown stay valid). */
  private async start(uid: number): Promise<void> {
    const now = this.now();
    const sid = hashToken(this.ensureToken());
    this.row = { sid, uid, data: JSON.stringify(this.data), created: now, accessed: now, expires: now + idleFor(uid) };
    // Two requests of one visitor may both store their first value: the later one wins, neither fails.
    await this.db('core_sessions').insert(this.row).onConflict('sid').merge();
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
