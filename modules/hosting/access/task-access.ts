import type { Account } from '../../../core/http/types.js';
import type { TaskTypeDefinition } from '../tasks/types.js';
import { ADMINISTER_HOSTING, MANAGE_PLATFORMS } from './scope.js';

/**
 * Whether an account may ask for a task type at all (the queue then checks
 * the object's scope and state): its permission, and for server and
 * platform tasks also "manage platforms" (a task type's permission is
 * shared by name across kinds, so "create verify task", given to clients
 * for their sites, must not verify or delete a platform); everything with
 * "administer hosting".
 */
export function mayRunTask(account: Account, type: Pick<TaskTypeDefinition, 'permission' | 'on'>): boolean {
  if (account.hasPermission(ADMINISTER_HOSTING)) return true;
  return account.hasPermission(type.permission) && (type.on === 'site' || account.hasPermission(MANAGE_PLATFORMS));
}
