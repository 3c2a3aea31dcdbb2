import { pageParam, pager } from '../../../core/http/pager.js';
import { page, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { nodeAccess } from '../access.js';
import { referenceTargets } from '../reference.js';
import { nodeTypes } from '../registry.js';
import { authorNames, formatDate } from '../render.js';
import { listNodes, NODE_SORTS, type NodeListQuery, type NodeSort } from '../storage.js';
import type { NodeFieldDefinition } from '../types.js';
import { TITLE_MAX } from '../validate.js';

/** Rows per page of /admin/content. */
export const ADMIN_PAGE_SIZE = 50;

const COLUMNS: readonly { key: NodeSort | 'author'; label: string; first: 'asc' | 'desc' }[] = [
  { key: 'title', label: 'Title', first: 'asc' },
  { key: 'type', label: 'Type', first: 'asc' },
  { key: 'author', label: 'Author', first: 'asc' },
  { key: 'status', label: 'Status', first: 'desc' },
  { key: 'changed', label: 'Updated', first: 'desc' },
];

function isAdmin(ctx: RequestContext): boolean {
  return ctx.account.hasPermission('administer nodes') || ctx.account.hasPermission('bypass node access');
}

/** Types whose nodes the account may edit: any node of them, or its own. */
function editableTypes(ctx: RequestContext): { anyTypes: string[]; ownTypes: string[] } {
  const types = [...nodeTypes(ctx.site.kernel).keys()];
  return {
    anyTypes: types.filter((t) => ctx.account.hasPermission(`edit any ${t} content`)),
    ownTypes: ctx.account.anonymous ? [] : types.filter((t) => ctx.account.hasPermission(`edit own ${t} content`)),
  };
}

function mayListContent(ctx: RequestContext): boolean {
  if (isAdmin(ctx)) return true;
  const { anyTypes, ownTypes } = editableTypes(ctx);
  return anyTypes.length + ownTypes.length > 0;
}

/** The query of /admin/content from the URL; values that are not allowed are ignored. */
function contentQuery(ctx: RequestContext): NodeListQuery & { sort: NodeSort; order: 'asc' | 'desc' } {
  const q = ctx.query;
  const sort = NODE_SORTS.find((s) => s === q.sort) ?? 'changed';
  const order = q.order === 'asc' || q.order === 'desc' ? q.order : COLUMNS.find((c) => c.key === sort)!.first;
  const title = (q.title ?? '').trim().slice(0, 255);
  return {
    sort, order, page: pageParam(q), pageSize: ADMIN_PAGE_SIZE,
    ...(q.type && nodeTypes(ctx.site.kernel).has(q.type) ? { type: q.type } : {}),
    ...(q.status === '1' || q.status === '0' ? { status: q.status === '1' } : {}),
    ...(title ? { titleContains: title } : {}),
    ...(isAdmin(ctx) ? {} : { scope: { ...editableTypes(ctx), uid: ctx.account.uid } }),
  };
}

function href(path: string, query: Readonly<Record<string, string>>, changes: Record<string, string | undefined>): string {
  const p = new URLSearchParams({ ...query });
  for (const [k, v] of Object.entries(changes)) if (v === undefined) p.delete(k); else p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

function fieldSummary(f: NodeFieldDefinition): string {
  switch (f.type) {
    case 'text': case 'textarea': return f.maxLength ? `at most ${f.maxLength} characters` : '';
    case 'number': return [f.integer ? 'whole number' : '', f.min !== undefined ? `from ${f.min}` : '', f.max !== undefined ? `to ${f.max}` : ''].filter(Boolean).join(' ');
    case 'select': return `one of: ${Object.values(f.options).join(', ')}`;
    case 'reference': return `a node of type ${referenceTargets(f).join(' or ')}`;
    default: return '';
  }
}

/** The content overview and the list of node types. */
export const adminRoutes: RouteDefinition[] = [
  {
    name: 'node.admin_content',
    path: '/admin/content',
    title: 'Content',
    access: { check: mayListContent },
    menu: { menu: 'admin', title: 'Content', weight: -10 },
    async handler(ctx) {
      const q = contentQuery(ctx);
      const { nodes, total } = await listNodes(ctx.site, q);
      const types = nodeTypes(ctx.site.kernel);
      const names = await authorNames(ctx.site, nodes.map((n) => n.uid));
      const rows = [];
      for (const n of nodes) {
        // A node the account may neither view nor edit (another client's site, hidden by a module's vote) is left out.
        const editable = types.has(n.type) && (await nodeAccess(ctx.site, 'update', { node: n }, ctx.account));
        if (!editable && !(await nodeAccess(ctx.site, 'view', { node: n }, ctx.account))) continue;
        const links = [];
        if (editable) links.push({ title: 'Edit', href: ctx.url('node.edit', { nid: n.nid }) });
        if (await nodeAccess(ctx.site, 'delete', { node: n }, ctx.account)) links.push({ title: 'Delete', href: ctx.url('node.delete', { nid: n.nid }) });
        rows.push([
          { text: n.title, href: ctx.url('node.view', { nid: n.nid }) }, types.get(n.type)?.label ?? n.type,
          names.get(n.uid) ?? 'Anonymous', n.status ? 'Published' : 'Unpublished', formatDate(n.changed), { links },
        ]);
      }
      const base: Record<string, string> = { ...ctx.query };
      delete base.page;
      const headers = [...COLUMNS.map((c) => {
        if (c.key === 'author') return { label: c.label };
        const active = q.sort === c.key;
        const next = active ? (q.order === 'asc' ? 'desc' : 'asc') : c.first;
        return { label: c.label, href: href('/admin/content', base, { sort: c.key, order: next }), ...(active ? { sort: q.order } : {}) };
      }), { label: 'Operations' }];
      return page('Content', template('node/admin-content', {
        rows, headers, total,
        filters: {
          types: [...types.values()].map((t) => ({ value: t.type, label: t.label, selected: q.type === t.type })),
          status: q.status === undefined ? '' : q.status ? '1' : '0',
          title: q.titleContains ?? '',
          sort: q.sort, order: q.order,
          active: q.type !== undefined || q.status !== undefined || q.titleContains !== undefined,
        },
        pager: pager('/admin/content', ctx.query, total, q.page ?? 0, ADMIN_PAGE_SIZE),
      }));
    },
  },
  {
    name: 'node.admin_types',
    path: '/admin/structure/types',
    title: 'Content types',
    access: { permission: 'administer nodes' },
    menu: { menu: 'admin', title: 'Content types', weight: 20 },
    handler(ctx) {
      const types = [...nodeTypes(ctx.site.kernel).values()].map((t) => ({
        type: t.type, label: t.label, description: t.description, module: t.module,
        rows: [
          [t.titleLabel, 'title', 'text', 'Yes', `at most ${TITLE_MAX} characters`],
          ...Object.entries(t.fields).map(([name, f]) => [f.label, name, f.type, f.required ? 'Yes' : 'No', fieldSummary(f)]),
        ],
      }));
      return page('Content types', template('node/admin-types', { types }));
    },
  },
];
