import type { FieldDefinition } from '../../../core/forms/types.js';
import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';
import type { HostingObject } from '../objects/object.js';

/** Option values a task hands to its provision command. */
export type ProvisionOptions = Readonly<Record<string, string | number | boolean>>;

/** What checking a task's arguments gets. */
export interface TaskArgsContext {
  readonly site: SiteContext;
  readonly object: HostingObject;
  readonly account: Account;
}

/**
 * A task type, as modules declare them through `hosting.task_types`: what
 * it does to which kind of object, the back-end command that does it, who
 * may ask for it, its arguments, and in which states of the object it is
 * offered. The queue refuses what the type refuses, before anything is
 * queued.
 */
export interface TaskTypeDefinition {
  /** Machine name, unique per object kind (`install`, `verify`, `backup`). */
  readonly name: string;
  /** The kind of object it works on. */
  readonly on: HostingObject['kind'];
  /** Button label (`Back up`). */
  readonly label: string;
  readonly description: string;
  /** The provision command run on the object's context (`provision-backup`). */
  readonly command: string;
  /** The permission it needs (declared through user.permissions by the module). */
  readonly permission: string;
  /** Hosting roles given its permission when the module is installed (the hosting administrator role always is). Default: none. */
  readonly roles?: readonly HostingRole[];
  /** It destroys or replaces something (delete, restore, migrate): the admin asks to confirm, and the hostmaster's own objects refuse it. */
  readonly dangerous?: boolean;
  /** Whether the object's state allows it (a delete needs an installed site, an enable a disabled one). Default: always. */
  offered?(object: HostingObject): boolean;
  /** Its arguments (a backup's description, the backup to restore, a clone's new domain), as form fields. */
  readonly args?: Readonly<Record<string, FieldDefinition>>;
  /**
   * Its arguments as the web form shows them: selects of the choices the
   * account may make (the site's backups, the platforms it may use).
   * Values still go through `args` and `checkArgs`. Default: `args`.
   */
  webArgs?(ctx: TaskArgsContext): Promise<Readonly<Record<string, FieldDefinition>>>;
  /** Check the arguments against the database (a new domain free, a backup of this site); problems by field. */
  checkArgs?(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<Readonly<Record<string, string>>>;
  /** The provision options for the arguments (contexts named, paths resolved). Default: none. */
  options?(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<ProvisionOptions>;
  /** Its time limit (default: the queue's). */
  readonly timeLimitMs?: number;
}

/** The hosting roles a task type's permission goes to by default: clients (on their own sites) and platform managers. */
export type HostingRole = 'client' | 'manager';

/** A task type with the module that declared it. */
export interface TaskType extends TaskTypeDefinition {
  readonly module: string;
}
