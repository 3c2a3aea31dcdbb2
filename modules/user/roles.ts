import { AegirError } from '../../core/errors/aegir-error.js';
import type { SiteContext } from '../../core/site/context.js';

/** A role: a named set of permissions given to users. */
export interface Role {
  /** Machine name (`editor`). */
  readonly rid: string;
  readonly label: string;
  readonly weight: number;
}

/** The role of every visitor who is not logged in. */
export const ANONYMOUS_ROLE = 'anonymous';
/** The role every logged-in user has, implied rather than stored. */
export const AUTHENTICATED_ROLE = 'authenticated';
/** The role of site administrators; user 1 gets it at install. */
export const ADMINISTRATOR_ROLE = 'administrator';

/** Roles every site has; they cannot be deleted. */
export const BUILT_IN_ROLES: readonly Role[] = Object.freeze([
  { rid: ANONYMOUS_ROLE, label: 'Anonymous user', weight: 0 },
  { rid: AUTHENTICATED_ROLE, label: 'Authenticated user', weight: 1 },
  { rid: ADMINISTRATOR_ROLE, label: 'Administrator', weight: 2 },
]);

const RID = /^[a-z][a-z0-9_]{0,63}$/;

/** Whether a string can be a role's machine name (lower case letters, digits and "_", starting with a letter). */
export function isRoleName(rid: string): boolean {
  return RID.test(rid);
}

/** Whether a role is one of the three built-in roles. */
export function isBuiltInRole(rid: string): boolean {
  return BUILT_IN_ROLES.some((r) => r.rid === rid);
}

/** Create the built-in roles that are missing (install, update 1). */
export async function ensureBuiltInRoles(site: SiteContext): Promise<void> {
  for (const r of BUILT_IN_ROLES) await site.db('roles').insert(r).onConflict('rid').ignore();
}

/** Every role, by weight then label. */
export async function listRoles(site: SiteContext): Promise<Role[]> {
  const rows = (await site.db('roles').select('rid', 'label', 'weight')) as { rid: string; label: string; weight: number | string }[];
  return rows.map((r) => ({ rid: r.rid, label: r.label, weight: Number(r.weight) }))
    .sort((a, b) => a.weight - b.weight || a.label.localeCompare(b.label));
}

/** One role, or undefined. */
export async function loadRole(site: SiteContext, rid: string): Promise<Role | undefined> {
  const r = (await site.db('roles').where({ rid }).first('rid', 'label', 'weight')) as { rid: string; label: string; weight: number | string } | undefined;
  return r && { rid: r.rid, label: r.label, weight: Number(r.weight) };
}

/**
 * Add a role. Returns false when a role of that machine name exists (the
 * existing one is left alone). The weight defaults to after every other role.
 */
export async function createRole(site: SiteContext, role: { rid: string; label: string; weight?: number }): Promise<boolean> {
  if (!isRoleName(role.rid)) throw new AegirError('ERR_ROLE_INVALID', { role: role.rid });
  if (await loadRole(site, role.rid)) return false;
  const weight = role.weight ?? Math.max(0, ...(await listRoles(site)).map((r) => r.weight + 1));
  await site.db('roles').insert({ rid: role.rid, label: role.label, weight });
  return true;
}

/** Rename a role (its label). */
export async function updateRoleLabel(site: SiteContext, rid: string, label: string): Promise<void> {
  await site.db('roles').where({ rid }).update({ label });
}

/** Delete a role with its permissions and memberships; false if there was none. Built-in roles cannot be deleted. */
export async function deleteRole(site: SiteContext, rid: string): Promise<boolean> {
  if (isBuiltInRole(rid)) throw new AegirError('ERR_ROLE_BUILTIN', { role: rid, action: 'deleted' });
  return site.db.transaction(async (trx) => {
    await trx('role_permissions').where({ rid }).delete();
    await trx('users_roles').where({ rid }).delete();
    return (await trx('roles').where({ rid }).delete()) > 0;
  });
}

async function requireRole(site: SiteContext, rid: string): Promise<void> {
  if (!(await loadRole(site, rid))) throw new AegirError('ERR_ROLE_UNKNOWN', { role: rid });
}

/** Grant permissions to a role; those it already has are kept. The role must exist. */
export async function grantPermissions(site: SiteContext, rid: string, permissions: readonly string[]): Promise<void> {
  await requireRole(site, rid);
  for (const permission of new Set(permissions)) {
    await site.db('role_permissions').insert({ rid, permission }).onConflict(['rid', 'permission']).ignore();
  }
}

/** Take permissions away from a role; those it does not have are ignored. */
export async function revokePermissions(site: SiteContext, rid: string, permissions: readonly string[]): Promise<void> {
  if (!permissions.length) return;
  await site.db('role_permissions').where({ rid }).whereIn('permission', [...new Set(permissions)]).delete();
}

/**
 * Set which of the `managed` permissions each role of `want` has: exactly
 * those listed (others of `managed` are revoked, permissions outside it are
 * left alone), in one transaction, so a failure changes nothing.
 */
export async function setRolePermissions(site: SiteContext, managed: readonly string[], want: Readonly<Record<string, readonly string[]>>): Promise<void> {
  await site.db.transaction(async (trx) => {
    for (const [rid, permissions] of Object.entries(want)) {
      if (!(await trx('roles').where({ rid }).first('rid'))) throw new AegirError('ERR_ROLE_UNKNOWN', { role: rid });
      const keep = new Set(permissions);
      const revoke = managed.filter((p) => !keep.has(p));
      if (revoke.length) await trx('role_permissions').where({ rid }).whereIn('permission', revoke).delete();
      for (const permission of keep) await trx('role_permissions').insert({ rid, permission }).onConflict(['rid', 'permission']).ignore();
    }
  });
}

/** Permissions of each role, by role. */
export async function rolePermissions(site: SiteContext): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const r of (await site.db('role_permissions').select('rid', 'permission')) as { rid: string; permission: string }[]) {
    if (!out.has(r.rid)) out.set(r.rid, new Set());
    out.get(r.rid)!.add(r.permission);
  }
  return out;
}

/** The union of the permissions of some roles. */
export async function permissionsOf(site: SiteContext, rids: readonly string[]): Promise<Set<string>> {
  if (!rids.length) return new Set();
  const rows = (await site.db('role_permissions').whereIn('rid', [...rids]).distinct('permission')) as { permission: string }[];
  return new Set(rows.map((r) => r.permission));
}

/** Roles stored for a user (without the implied `authenticated`). */
export async function userRoles(site: SiteContext, uid: number): Promise<string[]> {
  const rows = (await site.db('users_roles').where({ uid }).select('rid').orderBy('rid')) as { rid: string }[];
  return rows.map((r) => r.rid);
}

/** Give a user a role (anonymous and authenticated are implied, never stored). */
export async function addUserRole(site: SiteContext, uid: number, rid: string): Promise<void> {
  if (rid === ANONYMOUS_ROLE || rid === AUTHENTICATED_ROLE) return;
  await requireRole(site, rid);
  await site.db('users_roles').insert({ uid, rid }).onConflict(['uid', 'rid']).ignore();
}

/** Take a role from a user. */
export async function removeUserRole(site: SiteContext, uid: number, rid: string): Promise<void> {
  await site.db('users_roles').where({ uid, rid }).delete();
}

/** Replace a user's roles with exactly these (implied roles are dropped). */
export async function setUserRoles(site: SiteContext, uid: number, rids: readonly string[]): Promise<void> {
  const want = [...new Set(rids)].filter((r) => r !== ANONYMOUS_ROLE && r !== AUTHENTICATED_ROLE);
  for (const rid of want) await requireRole(site, rid);
  await site.db.transaction(async (trx) => {
    await trx('users_roles').where({ uid }).delete();
    for (const rid of want) await trx('users_roles').insert({ uid, rid });
  });
}
