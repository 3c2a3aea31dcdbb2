import type { Account } from '../../core/http/types.js';
import type { Kernel } from '../../core/kernel/kernel.js';
import type { SiteContext } from '../../core/site/context.js';
import type { PermissionDefinition } from '../user/hooks.js';
import { nodeTypes } from './registry.js';
import type { Node, NodeOperation, NodeType } from './types.js';

/** The node module's permissions: the general ones, then five per node type. */
export function nodePermissions(types: Iterable<NodeType>): PermissionDefinition[] {
  const out: PermissionDefinition[] = [
    { name: 'access content', title: 'View published content' },
    { name: 'view own unpublished content', title: 'View own unpublished content' },
    { name: 'administer nodes', title: 'Administer content', description: 'List all content, see unpublished nodes and set authoring options.', restricted: true },
    { name: 'bypass node access', title: 'Bypass content access control', description: 'View, edit and delete all content regardless of its permissions (a module\'s deny still holds).', restricted: true },
  ];
  for (const t of types) {
    out.push(
      { name: `create ${t.type} content`, title: `${t.label}: Create new content` },
      { name: `edit own ${t.type} content`, title: `${t.label}: Edit own content` },
      { name: `edit any ${t.type} content`, title: `${t.label}: Edit any content` },
      { name: `delete own ${t.type} content`, title: `${t.label}: Delete own content` },
      { name: `delete any ${t.type} content`, title: `${t.label}: Delete any content` },
    );
  }
  return out;
}

/** The permissions of a kernel's node types (for 'user.permissions'). */
export function kernelNodePermissions(kernel: Kernel): PermissionDefinition[] {
  return nodePermissions(nodeTypes(kernel).values());
}

function owns(account: Account, node: Node | undefined): boolean {
  return !!node && !account.anonymous && account.uid > 0 && node.uid === account.uid;
}

/** Whether the account's permissions alone allow the operation (the base allow of the vote). */
export function permissionAllows(op: NodeOperation, type: string, node: Node | undefined, account: Account): boolean {
  const can = (p: string): boolean => account.hasPermission(p);
  if (can('bypass node access')) return true;
  switch (op) {
    case 'view':
      if (!node) return can('access content');
      if (node.status) return can('access content');
      return can('administer nodes') || (owns(account, node) && can('view own unpublished content'));
    case 'create':
      return can(`create ${type} content`);
    case 'update':
      return can(`edit any ${type} content`) || (owns(account, node) && can(`edit own ${type} content`));
    case 'delete':
      return can(`delete any ${type} content`) || (owns(account, node) && can(`delete own ${type} content`));
  }
}

/**
 * Whether an account may view, create, update or delete a node (for
 * create: a node of `type`). The permissions give a base allow or nothing;
 * then 'node.access' votes. Any deny wins, even over bypass node access;
 * without a deny, access needs at least one allow (the base or a module's).
 * Creating a node of a type no enabled module declares is never allowed.
 */
export async function nodeAccess(
  site: SiteContext, op: NodeOperation, target: { readonly node?: Node; readonly type?: string }, account: Account,
): Promise<boolean> {
  const type = target.node?.type ?? target.type;
  if (!type) return false;
  if (op === 'create' && !nodeTypes(site.kernel).has(type)) return false;
  const base = permissionAllows(op, type, target.node, account);
  const vote = await site.hooks.vote('node.access', { op, type, account, site, ...(target.node ? { node: target.node } : {}) });
  if (vote.verdict === 'deny') return false;
  return base || vote.verdict === 'allow';
}
