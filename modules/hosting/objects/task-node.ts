import { AegirError } from '../../../core/errors/aegir-error.js';
import type { NodeWriteEvent } from '../../node/hooks.js';
import type { Node, NodeTypeDefinition } from '../../node/types.js';
import { TaskQueue } from '../queue/store.js';
import { loadObject } from './object.js';

/**
 * The task node type: a task's title, type, object and arguments. Its
 * queue row (status, runs, logs) is written beside it by `insertTaskRow`
 * in the node's transaction; tasks are queued through queueTask, which
 * checks them first, not through the node form.
 */
export const taskNodeType: NodeTypeDefinition = {
  type: 'task',
  label: 'Task',
  description: 'Work the back end does on a server, platform or site; queued by the hosting front end.',
  fields: {
    task_type: { type: 'text', label: 'Task type', maxLength: 64, required: true },
    object: { type: 'reference', label: 'Object', target: ['server', 'platform', 'site'], required: true },
    args: { type: 'textarea', label: 'Arguments (JSON)', maxLength: 65535 },
  },
};

/** node.insert of a task node: its queue row, with the lanes of its object, in the same transaction. */
export async function insertTaskRow(e: NodeWriteEvent<Node>): Promise<void> {
  if (e.node.type !== 'task') return;
  const objectNid = Number(e.node.fields.object);
  const object = await loadObject(e.db, objectNid);
  if (!object) throw new AegirError('ERR_OBJECT_UNKNOWN', { nid: objectNid });
  let args: Record<string, unknown> = {};
  try { args = JSON.parse(String(e.node.fields.args || '{}')) as Record<string, unknown>; } catch { /* checked by queueTask */ }
  await TaskQueue.insert(e.db, e.node.nid, {
    nid: e.node.nid, taskType: String(e.node.fields.task_type), objectNid, ...object.lanes, args, uid: e.node.uid,
  });
  // A site's lists show its newest task, whatever its state.
  if (object.kind === 'site') await e.db('hosting_site').where({ nid: objectNid }).update({ last_task_nid: e.node.nid });
}
