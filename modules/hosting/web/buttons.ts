import type { RequestContext } from '../../../core/http/types.js';
import { mayRunTask } from '../access/task-access.js';
import type { HostingObject } from '../objects/object.js';
import { taskTypesOf } from '../tasks/registry.js';
import type { TaskType } from '../tasks/types.js';

/** A task button of an object's page. */
export interface TaskButton {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** The task's form (arguments, a confirmation). */
  readonly href: string;
  readonly dangerous: boolean;
  /** No arguments and nothing to confirm: the button posts at once, with this CSRF token. */
  readonly token: string | undefined;
}

/** The form id of a task type's form: its CSRF tokens are good for that task type only. */
export function taskFormId(name: string): string {
  return `hosting_task_${name.replace(/[^a-z0-9]/g, '_')}`;
}

/** Whether the account may ask for this task type (see access/task-access.ts). */
export function mayRun(ctx: Pick<RequestContext, 'account'>, type: TaskType): boolean {
  return mayRunTask(ctx.account, type);
}

/**
 * The buttons of an object's page: the task types of its kind that its
 * state offers and the account may run (dangerous ones not on the
 * hostmaster's own objects), in declaration order. The queue checks all of
 * it again when the form is posted.
 */
export function taskButtons(ctx: RequestContext, object: HostingObject): TaskButton[] {
  return taskTypesOf(ctx.site.kernel, object.kind)
    .filter((t) => (!t.offered || t.offered(object)) && mayRun(ctx, t) && !(t.dangerous && object.hostmaster))
    .map((t) => {
      const oneClick = !t.dangerous && !Object.keys(t.args ?? {}).length;
      return {
        name: t.name, label: t.label, description: t.description, dangerous: !!t.dangerous,
        href: ctx.url('hosting.task', { nid: object.nid, task: t.name }),
        token: oneClick ? ctx.session.csrfToken(taskFormId(t.name)) : undefined,
      };
    });
}
