import { extractValues } from '../../../core/forms/process.js';
import type { FieldDefinitions } from '../../../core/forms/types.js';
import { AegirError, isAegirError } from '../../../core/errors/aegir-error.js';
import { rootCause } from '../../../core/hooks/bus.js';
import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';
import { saveNode } from '../../node/storage.js';
import type { Node } from '../../node/types.js';
import { MANAGE_PLATFORMS } from '../access/scope.js';
import { mayRunTask } from '../access/task-access.js';
import { mayView } from '../access/visible.js';
import { loadObject, type HostingObject } from '../objects/object.js';
import { ring } from '../queue/bell.js';
import { taskType, taskTypesOf } from './registry.js';
import type { TaskType } from './types.js';

/** What queueing a task asks for. */
export interface QueueRequest {
  /** The task type's name (`install`, `backup`). */
  readonly type: string;
  /** The server, platform or site node. */
  readonly object: number;
  /** Its arguments as given (form values or --arg=value text); checked against the type's fields. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Who asks (their permissions decide). */
  readonly account: Account;
}

/** A queued task: its node and what it was queued for. */
export interface Queued {
  readonly node: Node;
  readonly type: TaskType;
  readonly object: HostingObject;
  readonly args: Readonly<Record<string, unknown>>;
}

/** Every reason the request must be refused, checked before anything is written; the task type and object when there is none. */
export async function checkRequest(site: SiteContext, r: QueueRequest): Promise<{ type: TaskType; object: HostingObject; args: Record<string, unknown> }> {
  const object = await loadObject(site.db, r.object);
  // An object outside the account's scope (another client's site) is as unknown as a missing one: its existence is not told.
  if (!object || !(await mayView(site, r.account, object.kind, object.nid))) throw new AegirError('ERR_OBJECT_UNKNOWN', { nid: r.object });
  const type = taskType(site.kernel, object.kind, r.type);
  if (!type) throw new AegirError('ERR_TASK_TYPE_UNKNOWN', { task: r.type, kind: object.kind, known: taskTypesOf(site.kernel, object.kind).map((t) => t.name).join(', ') });
  if (!mayRunTask(r.account, type)) {
    throw new AegirError('ERR_TASK_DENIED', { who: r.account.name, task: type.name, permission: type.on === 'site' ? type.permission : `${type.permission}" and "${MANAGE_PLATFORMS}` });
  }
  if (type.offered && !type.offered(object)) throw new AegirError('ERR_TASK_NOT_OFFERED', { task: type.name, kind: object.kind, object: object.title, status: object.status });
  if (type.dangerous && object.hostmaster) throw new AegirError('ERR_TASK_HOSTMASTER', { task: type.name, kind: object.kind, object: object.title });
  const body: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.args ?? {})) {
    if (!Object.hasOwn(type.args ?? {}, k)) throw new AegirError('ERR_TASK_ARGS_INVALID', { task: type.name, problems: `"${k}" is no argument of it (it takes: ${Object.keys(type.args ?? {}).join(', ') || 'none'})` });
    body[k] = v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? '1' : '') : String(v);
  }
  const { values, errors } = extractValues((type.args ?? {}) as FieldDefinitions, body);
  const more = Object.keys(errors).length ? {} : (await type.checkArgs?.(values, { site, object, account: r.account })) ?? {};
  const all = { ...errors, ...more };
  if (Object.keys(all).length) {
    throw new AegirError('ERR_TASK_ARGS_INVALID', { task: type.name, problems: Object.entries(all).map(([f, m]) => (f ? `${f}: ${m}` : m)).join('; ') });
  }
  return { type, object, args: values as Record<string, unknown> };
}

/**
 * Queue a task on a server, platform or site: every check first (the type
 * exists for the object's kind, the account may ask for it, the object's
 * state offers it, no dangerous task on the hostmaster's own objects, the
 * arguments), then the task node and its queue row in one transaction (a
 * second queued task of the same kind on the object is ERR_TASK_QUEUED),
 * then the dispatcher of this process is woken. Nothing is written when it
 * is refused.
 */
export async function queueTask(site: SiteContext, r: QueueRequest): Promise<Queued> {
  const { type, object, args } = await checkRequest(site, r);
  let node: Node;
  try {
    node = await saveNode(site, {
      type: 'task', title: `${type.label}: ${object.title}`, uid: r.account.uid,
      fields: { task_type: type.name, object: object.nid, args: JSON.stringify(args) },
    }, { account: r.account });
  } catch (e) {
    // The queue row is written by a node hook: its refusal (a duplicate) is the error to report, not the hook's wrapper.
    const cause = rootCause(e);
    throw isAegirError(cause) ? cause : e;
  }
  ring(site.db);
  return { node, type, object, args };
}
