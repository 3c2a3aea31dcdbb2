import { describe, isAegirError } from '../../../core/errors/aegir-error.js';
import type { FieldDefinition, FormDefinition, FormErrors } from '../../../core/forms/types.js';
import { notFound, redirect, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { nodeAccess } from '../../node/access.js';
import type { Node } from '../../node/types.js';
import { loadObject, type HostingObject, type ObjectKind } from '../objects/object.js';
import { queueTask } from '../tasks/queue-task.js';
import { taskType } from '../tasks/registry.js';
import type { TaskType } from '../tasks/types.js';
import { mayRun, taskFormId } from './buttons.js';

/** The object and task type a task form is for, or a 404 (an object the account may not see is as missing as one that is not there). */
async function target(ctx: RequestContext): Promise<{ object: HostingObject; type: TaskType }> {
  const node = ctx.params.nid as Node;
  const object = await loadObject(ctx.site.db, node.nid);
  const type = object ? taskType(ctx.site.kernel, object.kind, ctx.rawParams.task ?? '') : undefined;
  if (!object || !type) notFound();
  return { object, type };
}

/** Arguments of the form as the queue takes them: what was typed, as text (empty ones left out). */
function argsOf(values: Readonly<Record<string, unknown>>, type: TaskType): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(type.args ?? {})) {
    const v = values[k];
    // An unticked checkbox is no argument (its text would read as set).
    if (v !== undefined && v !== null && v !== '' && v !== false) out[k] = String(v);
  }
  return out;
}

/**
 * The form of a task on an object: its arguments (as the task type shows
 * them on the web: selects of what the account may choose), a
 * confirmation for a dangerous task, and a submit that queues it through
 * queueTask, which checks everything again (permission, state, scope,
 * arguments) and whose refusal is shown on the form. A one-click button
 * of the object's page posts here with only its token.
 */
async function taskForm(ctx: RequestContext): Promise<FormDefinition> {
  const { object, type } = await target(ctx);
  const fields: Record<string, FieldDefinition> = {};
  const shown = (await type.webArgs?.({ site: ctx.site, object, account: ctx.account })) ?? type.args ?? {};
  for (const [name, f] of Object.entries(shown)) {
    // A value named in the address (Restore on a backup's row) is the default.
    const given = ctx.query[name];
    fields[name] = given !== undefined && (f.type === 'select' || f.type === 'text') ? { ...f, default: given } : f;
  }
  if (type.dangerous) fields.confirm = { type: 'checkbox', label: `Yes, ${type.label.toLowerCase()} ${object.title}`, required: true, description: type.description };
  let queuedNid = 0;
  return {
    id: taskFormId(type.name),
    fields,
    submitLabel: type.label,
    danger: !!type.dangerous,
    links: [{ title: 'Cancel', href: ctx.url('node.view', { nid: object.nid }) }],
    async validate(values) {
      try {
        queuedNid = (await queueTask(ctx.site, { type: type.name, object: object.nid, args: argsOf(values, type), account: ctx.account })).node.nid;
        return {};
      } catch (e) {
        const errors: FormErrors = {};
        errors[''] = isAegirError(e) ? e.message : describe(e);
        return errors;
      }
    },
    submit() {
      ctx.message('status', `${type.label}: queued for ${object.title}.`);
      return redirect(ctx.url('node.view', { nid: queuedNid }));
    },
  };
}

/** Whether the account may see the task form: it sees the object and may run the task type. */
async function mayUse(ctx: RequestContext): Promise<boolean> {
  const node = ctx.params.nid as Node;
  if (!(await nodeAccess(ctx.site, 'view', { node }, ctx.account))) return false;
  const object = await loadObject(ctx.site.db, node.nid);
  const type = object ? taskType(ctx.site.kernel, object.kind, ctx.rawParams.task ?? '') : undefined;
  return !type || mayRun(ctx, type);
}

/** The task form route. */
export const taskFormRoute: RouteDefinition = {
  name: 'hosting.task',
  path: '/node/:nid/task/:task',
  title: (ctx) => {
    const node = ctx.params.nid as Node;
    return `${taskType(ctx.site.kernel, node.type as ObjectKind, ctx.rawParams.task ?? '')?.label ?? 'Task'}: ${node.title}`;
  },
  params: { nid: 'node' },
  theme: 'admin',
  access: { check: mayUse },
  form: taskForm,
};
