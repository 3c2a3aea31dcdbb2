import type { NodeOperation } from '../../node/types.js';

/** Node types the hosting module writes itself: tasks (queued through the queue's checks) and packages (found by verifies). */
const MADE_BY_HOSTING = new Set(['task', 'package']);

/**
 * node.access of the hosting objects: task and package nodes are never
 * created, edited or deleted on node forms (a task node made there would
 * skip the queue's checks of state, permission and arguments); they are
 * viewed as any node.
 */
export function hostingNodeAccess(e: { readonly op: NodeOperation; readonly type: string }): 'deny' | undefined {
  return MADE_BY_HOSTING.has(e.type) && e.op !== 'view' ? 'deny' : undefined;
}
