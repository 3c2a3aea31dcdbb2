import type { Kernel } from '../../core/kernel/kernel.js';
import type { PermissionDefinition } from './hooks.js';

/** A declared permission with the module that declared it. */
export interface DeclaredPermission extends PermissionDefinition {
  readonly module: string;
}

/**
 * Every permission the kernel's modules declare ('user.permissions'), in
 * module order then by title; collected once per kernel. A name declared
 * twice keeps its first declaration.
 */
export function declaredPermissions(kernel: Kernel): readonly DeclaredPermission[] {
  return kernel.registry('user.permissions', () => {
    const seen = new Map<string, DeclaredPermission>();
    for (const { module, value } of kernel.hooks.collect('user.permissions', { kernel })) {
      if (!seen.has(value.name)) seen.set(value.name, { ...value, module });
    }
    const order = kernel.names;
    return [...seen.values()].sort((a, b) => order.indexOf(a.module) - order.indexOf(b.module) || a.title.localeCompare(b.title));
  });
}

/** The permissions the user module itself declares. */
export const userPermissions: readonly PermissionDefinition[] = [
  { name: 'administer users', title: 'Administer users', description: 'Create, edit, block and delete accounts.', restricted: true },
  { name: 'administer permissions', title: 'Administer roles and permissions', description: 'Add roles, give them permissions and give users roles.', restricted: true },
  { name: 'access user profiles', title: 'View user profiles', description: 'See the profile pages of active users.' },
];
