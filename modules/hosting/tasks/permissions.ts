import type { PermissionDefinition } from '../../user/hooks.js';
import type { TaskTypeDefinition } from './types.js';

/**
 * The permissions a module declares for its task types: one per permission
 * name (`create backup task` becomes "Create backup tasks"), restricted
 * when any task type that needs it is dangerous.
 */
export function taskTypePermissions(types: readonly TaskTypeDefinition[]): PermissionDefinition[] {
  return [...new Set(types.map((t) => t.permission))].map((name) => ({
    name, title: `Create ${name.replace(/^create | task$/g, '')} tasks`,
    ...(types.some((t) => t.permission === name && t.dangerous) ? { restricted: true } : {}),
  }));
}
