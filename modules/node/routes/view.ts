import { pageParam, pager } from '../../../core/http/pager.js';
import { page, type ParamLoader, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { nodeAccess } from '../access.js';
import { referencedNodes } from '../reference.js';
import { nodeType, nodeTypes } from '../registry.js';
import { authorNames, nodeViewVars, renderNode } from '../render.js';
import { listNodes, loadNode } from '../storage.js';
import type { Node } from '../types.js';

/** Nodes shown per page on /node. */
export const FRONT_PAGE_SIZE = 10;

/** Path parameter loaders: `node` (a nid of digits) and `node_type` (a declared type). */
export const nodeLoaders: ParamLoader[] = [
  {
    name: 'node',
    load: (value, { site }) => (/^[1-9][0-9]{0,9}$/.test(value) ? loadNode(site, Number(value)) : undefined),
  },
  {
    name: 'node_type',
    load: (value, { site }) => nodeType(site.kernel, value),
  },
];

/** The node a route's `nid` parameter loaded. */
export function nodeOf(ctx: RequestContext): Node {
  return ctx.params.nid as Node;
}

/** Whether the account may create content of at least one type. */
export async function mayCreateAny(ctx: RequestContext): Promise<boolean> {
  for (const t of nodeTypes(ctx.site.kernel).keys()) if (await nodeAccess(ctx.site, 'create', { type: t }, ctx.account)) return true;
  return false;
}

/** The front page list and the node page. */
export const viewRoutes: RouteDefinition[] = [
  {
    name: 'node.front',
    path: '/node',
    title: 'Latest content',
    access: { permission: 'access content' },
    async handler(ctx) {
      const p = pageParam(ctx.query);
      const { nodes, total } = await listNodes(ctx.site, { status: true, stickyFirst: true, sort: 'created', order: 'desc', page: p, pageSize: FRONT_PAGE_SIZE });
      // Published nodes a module's vote hides are left out of the page (the pager still counts them).
      const shown: Node[] = [];
      for (const n of nodes) if (await nodeAccess(ctx.site, 'view', { node: n }, ctx.account)) shown.push(n);
      const names = await authorNames(ctx.site, shown.map((n) => n.uid));
      const teasers = shown.map((n) => ctx.render(renderNode(nodeViewVars(ctx.site, n, 'teaser', {
        account: ctx.account, url: ctx.url('node.view', { nid: n.nid }), author: names.get(n.uid) ?? 'Anonymous',
      }))));
      return page('Latest content', template('node/list', {
        teasers, pager: pager('/node', ctx.query, total, p, FRONT_PAGE_SIZE), canCreate: await mayCreateAny(ctx),
      }));
    },
  },
  {
    name: 'node.view',
    path: '/node/:nid',
    title: (ctx) => nodeOf(ctx).title,
    params: { nid: 'node' },
    access: { check: (ctx) => nodeAccess(ctx.site, 'view', { node: nodeOf(ctx) }, ctx.account) },
    theme: (ctx) => (nodeType(ctx.site.kernel, nodeOf(ctx).type)?.page ? 'admin' : 'front'),
    async handler(ctx) {
      const node = nodeOf(ctx);
      const own = nodeType(ctx.site.kernel, node.type)?.page;
      if (own) return page(node.title, await own(ctx, node));
      const names = await authorNames(ctx.site, [node.uid]);
      const references = await referencedNodes(ctx.site, [node], ctx.account, (nid) => ctx.url('node.view', { nid }));
      const vars = nodeViewVars(ctx.site, node, 'full', {
        account: ctx.account, url: ctx.url('node.view', { nid: node.nid }), author: names.get(node.uid) ?? 'Anonymous', references,
      });
      return page(node.title, renderNode(vars));
    },
  },
];
