import { hook } from '../../core/hooks/kinds.js';
import type { Account } from '../../core/http/types.js';
import type { Kernel } from '../../core/kernel/kernel.js';
import type { SiteContext } from '../../core/site/context.js';
import type { UserRecord } from './accounts.js';

/** A permission a module declares; roles are granted permissions on /admin/people/permissions. */
export interface PermissionDefinition {
  /** Machine-readable name, in lower case words ("administer nodes"). */
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  /** Only for trusted roles: shown with a warning. */
  readonly restricted?: boolean;
}

/** Hooks the user module declares. */
export const userHooks = {
  /** Permissions of every module, collected once per kernel for access checks and the permissions page. */
  'user.permissions': hook.collect<PermissionDefinition, { readonly kernel: Kernel }>('Permissions the module declares; collected once per kernel. The context gives the kernel, for permissions that depend on other modules (per node type).'),
  /** A user logged in (after the session was renewed). */
  'user.login': hook.event<{ readonly site: SiteContext; readonly account: Account }>('A user logged in; runs after the session token was renewed.'),
  /** A user is logging out (before the session is destroyed). */
  'user.logout': hook.event<{ readonly site: SiteContext; readonly account: Account }>('A user is logging out; runs before the session ends.'),
  /** An account is about to be deleted (its row still exists): reassign or remove what belongs to it. */
  'user.delete': hook.event<{ readonly site: SiteContext; readonly user: UserRecord }>('An account is about to be deleted; its row still exists. Reassign or remove what belongs to it.'),
} as const;

/** Types of the user module's hooks. */
export type UserHooks = typeof userHooks;

declare module '../../core/hooks/hook-map.js' {
  interface HookMap extends UserHooks {}
}
