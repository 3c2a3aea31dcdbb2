import { AegirError } from '../../core/errors/aegir-error.js';
import type { Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import { deleteUser, loadUser, setPassword, updateUser, type UserRecord } from './accounts.js';
import { ANONYMOUS_ROLE, AUTHENTICATED_ROLE } from './roles.js';

/**
 * Who changes an account: the account of a web request, or the operator at
 * the command line. The operator holds the site's files and database, so
 * they are trusted as user 1 is; saying so explicitly keeps every change of
 * an account behind the one rule below.
 */
export type Actor = Account | typeof CONSOLE;

/** The operator running `aegir` commands on the site. */
export const CONSOLE = Object.freeze({ console: true as const });

function isConsole(actor: Actor): actor is typeof CONSOLE {
  return 'console' in actor;
}

/**
 * Whether an actor may give users a role: only with "administer
 * permissions" (user 1 has every permission), and never the implied
 * anonymous and authenticated roles. Someone who may not give a role may
 * not take over an account that has it either.
 */
export function mayGrantRole(actor: Actor, rid: string): boolean {
  if (rid === ANONYMOUS_ROLE || rid === AUTHENTICATED_ROLE) return false;
  return isConsole(actor) || actor.hasPermission('administer permissions');
}

/**
 * The one rule for changing another account's password, e-mail address,
 * name or status, or deleting it: user 1 only by user 1; one's own account
 * always; any other account only with "administer users" and only when
 * every role it holds is one the actor could give. Without the last part
 * a user administrator could set an administrator's password and log in as
 * them, gaining roles that were withheld from him.
 */
export function mayManageAccount(actor: Actor, target: Pick<UserRecord, 'uid' | 'roles'>): boolean {
  if (isConsole(actor)) return true;
  if (target.uid === 1) return actor.uid === 1;
  if (!actor.anonymous && actor.uid === target.uid) return true;
  return actor.hasPermission('administer users') && target.roles.every((rid) => mayGrantRole(actor, rid));
}

/** What a change of an account may set; absent keys are left alone. */
export interface AccountChange {
  readonly name?: string;
  readonly mail?: string;
  readonly status?: number;
  readonly password?: string;
}

/**
 * Apply a change to an account after checking the rule against the account
 * as stored now (its roles may have changed since a form was shown).
 * ERR_USER_ACCESS_DENIED when the actor may not; ERR_USER_PROTECTED for
 * blocking user 1, whoever asks.
 */
export async function changeAccount(site: SiteContext, actor: Actor, uid: number, change: AccountChange): Promise<UserRecord> {
  const target = await requireManageable(site, actor, uid, 'changed');
  if (change.status !== undefined && change.status !== 1 && target.uid === 1) throw new AegirError('ERR_USER_PROTECTED', { action: 'blocked' });
  await updateUser(site, uid, { name: change.name, mail: change.mail, status: change.status });
  if (change.password !== undefined) await setPassword(site, uid, change.password);
  return target;
}

/** Delete an account under the same rule (user 1 is never deleted). */
export async function deleteAccount(site: SiteContext, actor: Actor, uid: number): Promise<void> {
  const target = await requireManageable(site, actor, uid, 'deleted');
  await site.hooks.emit('user.delete', { site, user: target });
  await deleteUser(site, uid);
}

async function requireManageable(site: SiteContext, actor: Actor, uid: number, action: string): Promise<UserRecord> {
  const target = await loadUser(site, uid);
  if (!target) throw new AegirError('ERR_USER_UNKNOWN', { uid });
  if (!mayManageAccount(actor, target)) {
    throw new AegirError('ERR_USER_ACCESS_DENIED', { uid, action, who: isConsole(actor) ? 'the console' : `user ${actor.uid}` });
  }
  return target;
}
