import type { Knex } from 'knex';
import type { Node } from '../../node/types.js';
import { TaskQueue } from '../queue/store.js';
import { loadObject } from './object.js';

/** What an object's own change queues. */
export interface AutoTask {
  readonly type: string;
  readonly object: Pick<Node, 'nid'>;
  readonly uid: number;
  /** Skip it when the same kind of task is already queued on the object. */
  readonly unlessQueued?: boolean;
  /** Queue it only while the object is in one of these states. */
  readonly onlyIf?: readonly string[];
}

/**
 * Queue a task inside the transaction of the object's node (a new site's
 * install, a new server's verify): its task node row and queue row, written
 * through `db` so that they commit or roll back with the object. These
 * tasks are the system's own consequences of saving the object, checked as
 * the object is; a dispatcher finds them at its next look at the queue.
 */
export async function queueInTransaction(db: Knex, t: AutoTask): Promise<void> {
  const object = await loadObject(db, t.object.nid);
  if (!object) return;
  if (t.onlyIf && !t.onlyIf.includes(object.status)) return;
  if (t.unlessQueued && (await db('hosting_task').where({ object_nid: object.nid, task_type: t.type, status: 'queued' }).first('nid'))) return;
  const now = Date.now();
  const label = `${t.type.charAt(0).toUpperCase()}${t.type.slice(1)}`;
  const ids = (await db('node').insert({
    type: 'task', title: `${label}: ${object.title}`.slice(0, 255), uid: t.uid, status: 1, promote: 0, sticky: 0, created: now, changed: now,
    data: JSON.stringify({ task_type: t.type, object: object.nid, args: '{}' }),
  })) as number[];
  const nid = Number(ids[0]);
  await TaskQueue.insert(db, nid, { nid, taskType: t.type, objectNid: object.nid, ...object.lanes, args: {}, uid: t.uid }, now);
}
