import { AegirError } from '../../core/errors/aegir-error.js';
import { endSessionsOf } from '../../core/http/session.js';
import type { Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import { hashPassword } from './password.js';
import { ANONYMOUS_ROLE, AUTHENTICATED_ROLE, permissionsOf, setUserRoles, userRoles } from './roles.js';

/** A user account as stored, without the password hash. */
export interface UserRecord {
  readonly uid: number;
  readonly name: string;
  readonly mail: string;
  /** 1 active, 0 blocked. */
  readonly status: number;
  readonly created: number;
  readonly changed: number;
  /** Last login in ms since the epoch, 0 for never. */
  readonly login: number;
  /** Stored roles (without the implied `authenticated`). */
  readonly roles: readonly string[];
}

const COLUMNS = ['uid', 'name', 'mail', 'status', 'created', 'changed', 'login'] as const;
const NAME = /^[\p{L}\p{N}._@+-]+(?: [\p{L}\p{N}._@+-]+)*$/u;

/** Why a user name cannot be used, or undefined when it can (1 to 60 letters, digits, single spaces and ._@+-). */
export function nameProblem(name: string): string | undefined {
  if (!name.length || name.length > 60) return 'use 1 to 60 characters';
  if (!NAME.test(name)) return 'use only letters, digits, single spaces and . _ @ + -, without spaces at either end';
  return undefined;
}

type Row = Record<(typeof COLUMNS)[number], unknown>;

async function record(site: SiteContext, row: Row | undefined): Promise<UserRecord | undefined> {
  if (!row) return undefined;
  const uid = Number(row.uid);
  return {
    uid, name: String(row.name), mail: String(row.mail), status: Number(row.status),
    created: Number(row.created), changed: Number(row.changed), login: Number(row.login),
    roles: await userRoles(site, uid),
  };
}

/** A user by id, or undefined. */
export async function loadUser(site: SiteContext, uid: number): Promise<UserRecord | undefined> {
  if (!Number.isSafeInteger(uid) || uid <= 0) return undefined;
  return record(site, await site.db('users').where({ uid }).first(...COLUMNS));
}

/** A user by name, compared without regard to case. */
export async function loadUserByName(site: SiteContext, name: string): Promise<UserRecord | undefined> {
  return record(site, await site.db('users').whereRaw('LOWER(name) = ?', [name.toLowerCase()]).first(...COLUMNS));
}

/** A user by e-mail address, compared without regard to case. */
export async function loadUserByMail(site: SiteContext, mail: string): Promise<UserRecord | undefined> {
  return record(site, await site.db('users').whereRaw('LOWER(mail) = ?', [mail.toLowerCase()]).first(...COLUMNS));
}

/** The stored password hash of a user ('' when there is none). */
export async function passwordHash(site: SiteContext, uid: number): Promise<string> {
  const row = (await site.db('users').where({ uid }).first('pass')) as { pass: string } | undefined;
  return row?.pass ?? '';
}

/** What a new account needs. */
export interface NewUser {
  readonly name: string;
  readonly mail: string;
  readonly password: string;
  readonly status?: number;
  readonly roles?: readonly string[];
}

/** Create an account (the caller checked name and mail); returns its uid. */
export async function createUser(site: SiteContext, u: NewUser): Promise<number> {
  const now = Date.now();
  const pass = await hashPassword(u.password);
  // SQLite and MySQL both answer an insert with the new row's id.
  const [id] = await site.db('users').insert({ name: u.name, mail: u.mail, pass, status: u.status ?? 1, created: now, changed: now, login: 0 });
  const uid = Number(id);
  if (u.roles?.length) await setUserRoles(site, uid, u.roles);
  return uid;
}

/** Change name, mail or status. Blocking a user ends their sessions. */
export async function updateUser(site: SiteContext, uid: number, patch: { name?: string; mail?: string; status?: number }): Promise<void> {
  const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (!Object.keys(values).length) return;
  await site.db('users').where({ uid }).update({ ...values, changed: Date.now() });
  if (patch.status === 0) await endSessionsOf(site.db, uid);
}

/** Set a new password and end every session of the user (a stolen session dies with the old password). */
export async function setPassword(site: SiteContext, uid: number, password: string): Promise<void> {
  await site.db('users').where({ uid }).update({ pass: await hashPassword(password), changed: Date.now() });
  await endSessionsOf(site.db, uid);
}

/** Record a login time (ms); this also invalidates one-time login links issued before. */
export async function recordLogin(site: SiteContext, uid: number, when = Date.now()): Promise<void> {
  await site.db('users').where({ uid }).update({ login: when });
}

/** Delete an account with its roles and sessions. User 1 is never deleted. */
export async function deleteUser(site: SiteContext, uid: number): Promise<void> {
  if (uid === 1) throw new AegirError('ERR_USER_PROTECTED', { action: 'deleted' });
  await site.db.transaction(async (trx) => {
    await trx('users_roles').where({ uid }).delete();
    await trx('users').where({ uid }).delete();
  });
  await endSessionsOf(site.db, uid);
}

function account(uid: number, name: string, roles: readonly string[], permissions: ReadonlySet<string>): Account {
  return Object.freeze({
    uid, name, roles: Object.freeze([...roles]), anonymous: uid === 0,
    // User 1 can do everything, whatever the roles say.
    hasPermission: (p: string) => uid === 1 || permissions.has(p),
  });
}

/** The account of anonymous visitors: the anonymous role's permissions. */
export async function anonymousAccount(site: SiteContext): Promise<Account> {
  return account(0, 'Anonymous', [ANONYMOUS_ROLE], await permissionsOf(site, [ANONYMOUS_ROLE]));
}

/**
 * The account a request runs as for a user id: an active user with the
 * implied `authenticated` role and the union of the permissions of every
 * role; undefined for a blocked or missing user.
 */
export async function loadAccount(site: SiteContext, uid: number): Promise<Account | undefined> {
  const u = await loadUser(site, uid);
  if (!u || u.status !== 1) return undefined;
  const roles = [AUTHENTICATED_ROLE, ...u.roles];
  return account(u.uid, u.name, roles, await permissionsOf(site, roles));
}
