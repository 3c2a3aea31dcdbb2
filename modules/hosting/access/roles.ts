import type { SiteContext } from '../../../core/site/context.js';
import { createRole, grantPermissions } from '../../user/roles.js';
import { taskTypes } from '../tasks/registry.js';
import type { HostingRole } from '../tasks/types.js';
import { DOWNLOAD_BACKUPS } from './permissions.js';
import { ACCESS_HOSTING, ADMINISTER_CLIENTS, ADMINISTER_HOSTING, MANAGE_PLATFORMS } from './scope.js';

/** The roles hosting creates, by what a task type's `roles` names them, with their labels. */
export const HOSTING_ROLES: Readonly<Record<HostingRole | 'admin', { rid: string; label: string }>> = {
  client: { rid: 'hosting_client', label: 'Client' },
  manager: { rid: 'platform_manager', label: 'Platform manager' },
  admin: { rid: 'hosting_admin', label: 'Hosting administrator' },
};

const content = (types: readonly string[], ops: readonly string[]): string[] => types.flatMap((t) => ops.map((op) => (op === 'create' ? `create ${t} content` : `${op} any ${t} content`)));

/** What each role may do besides its task types. */
const BASE: Readonly<Record<keyof typeof HOSTING_ROLES, readonly string[]>> = {
  client: [ACCESS_HOSTING, DOWNLOAD_BACKUPS, ...content(['site'], ['create', 'edit'])],
  manager: [ACCESS_HOSTING, DOWNLOAD_BACKUPS, MANAGE_PLATFORMS, ...content(['site'], ['create', 'edit']), ...content(['server', 'platform'], ['create', 'edit', 'delete'])],
  admin: [ADMINISTER_HOSTING, ACCESS_HOSTING, ADMINISTER_CLIENTS, DOWNLOAD_BACKUPS, MANAGE_PLATFORMS, ...content(['server', 'platform', 'site', 'client'], ['create', 'edit', 'delete'])],
};

/**
 * Give the hosting roles their default permissions: on hosting's install,
 * the roles themselves with their base permissions; then, whenever modules
 * are installed (hosting or a sub-module such as clone), the permissions
 * of the task types those modules declare, to the roles each type names
 * (the administrator role gets every one). Roles an administrator changed
 * keep their changes: permissions are only added, never taken.
 */
export async function grantDefaults(site: SiteContext, modules: readonly string[]): Promise<void> {
  if (modules.includes('hosting')) {
    for (const [key, r] of Object.entries(HOSTING_ROLES)) {
      await createRole(site, { rid: r.rid, label: r.label });
      await grantPermissions(site, r.rid, BASE[key as keyof typeof HOSTING_ROLES]);
    }
  }
  const grants = new Map<string, Set<string>>();
  const give = (rid: string, permission: string): void => { grants.set(rid, (grants.get(rid) ?? new Set()).add(permission)); };
  for (const t of taskTypes(site.kernel).values()) {
    if (!modules.includes(t.module)) continue;
    give(HOSTING_ROLES.admin.rid, t.permission);
    for (const role of t.roles ?? []) give(HOSTING_ROLES[role].rid, t.permission);
  }
  for (const [rid, permissions] of grants) {
    if (await site.db('roles').where({ rid }).first('rid')) await grantPermissions(site, rid, [...permissions]);
  }
}
