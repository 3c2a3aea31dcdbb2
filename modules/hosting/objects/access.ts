import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';
import type { Node, NodeOperation } from '../../node/types.js';
import { ACCESS_HOSTING, ADMINISTER_HOSTING } from '../access/scope.js';
import { HOSTING_TYPES, mayCreate, mayView } from '../access/visible.js';

/** Node types the hosting module writes itself: tasks (queued through the queue's checks) and packages (found by verifies). */
const MADE_BY_HOSTING = new Set(['task', 'package']);

/**
 * node.access of the hosting objects:
 * - task and package nodes are never created, edited or deleted on node
 *   forms (a task node made there would skip the queue's checks of state,
 *   permission and arguments);
 * - every hosting node needs "access hosting" to be seen at all (the
 *   "access content" that anonymous visitors usually have is not enough),
 *   and then only within the account's scope (see access/visible.ts): a
 *   site of another client is denied on its page, its forms, in reference
 *   selects and everywhere node access is asked;
 * - creating needs a scope to create in (a client granted, for a site).
 * Permissions still give the base allow (edit any site content, ...).
 */
export async function hostingNodeAccess(e: { readonly op: NodeOperation; readonly type: string; readonly node?: Node; readonly account: Account; readonly site: SiteContext }): Promise<'deny' | undefined> {
  if (!HOSTING_TYPES.has(e.type)) return undefined;
  if (MADE_BY_HOSTING.has(e.type) && e.op !== 'view') return 'deny';
  if (!e.account.hasPermission(ACCESS_HOSTING) && !e.account.hasPermission(ADMINISTER_HOSTING)) return 'deny';
  if (e.op === 'create') return (await mayCreate(e.site, e.account, e.type)) ? undefined : 'deny';
  if (!e.node) return undefined;
  return (await mayView(e.site, e.account, e.type, e.node.nid)) ? undefined : 'deny';
}
