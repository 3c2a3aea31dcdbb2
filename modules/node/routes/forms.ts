import type { FieldDefinition, FormDefinition, FormErrors, FormValues } from '../../../core/forms/types.js';
import { isAegirError } from '../../../core/errors/aegir-error.js';
import { HttpError, notFound, page, redirect, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { rootCause } from '../../../core/hooks/bus.js';
import { template } from '../../../core/theme/renderable.js';
import { nodeAccess } from '../access.js';
import { nodeType, nodeTypes } from '../registry.js';
import { referenceFormField } from '../reference.js';
import { commitNode, deleteNode, prepareNode, type PreparedNode } from '../storage.js';
import type { Node, NodeFieldValue, NodeInput, NodeType } from '../types.js';
import { formField, titleField } from '../validate.js';
import { mayCreateAny, nodeOf } from './view.js';

function withDefault(f: FieldDefinition, v: NodeFieldValue | undefined): FieldDefinition {
  if (v === undefined || v === null) return f;
  switch (f.type) {
    case 'checkbox': return { ...f, default: v === true };
    case 'number': return typeof v === 'number' ? { ...f, default: v } : f;
    case 'text': case 'textarea': case 'email': case 'select': return { ...f, default: String(v) };
    default: return f;
  }
}

/** A delete a module refused (its node.delete threw a coded error: the object is still in use) is shown with its reason, not as a server error. */
function refusedIs422(e: unknown): never {
  const cause = rootCause(e);
  if (isAegirError(cause) && cause.code !== 'ERR_HOOK_FAILED') throw new HttpError(422, cause.message);
  throw e;
}

/** A node deleted by someone else meanwhile is a 404, not a server error. */
function goneIs404(e: unknown): never {
  if (isAegirError(e) && e.code === ('ERR_NODE_NOT_FOUND' as string)) notFound('This content was deleted meanwhile.');
  throw e;
}

function mayAdminister(ctx: RequestContext): boolean {
  return ctx.account.hasPermission('administer nodes') || ctx.account.hasPermission('bypass node access');
}

/** What the node form's values say, as saveNode input (a reference's select gives its nid as text, '' for none). */
function inputFrom(type: NodeType, node: Node | undefined, values: FormValues, sticky: boolean): NodeInput {
  const fields: Record<string, NodeFieldValue> = {};
  for (const [name, f] of Object.entries(type.fields)) {
    const v = values[name];
    if (f.type === 'reference') fields[name] = typeof v === 'string' && v !== '' ? Number(v) : null;
    else fields[name] = v === undefined ? null : (v as NodeFieldValue);
  }
  return {
    ...(node ? { nid: node.nid } : {}),
    type: type.type,
    title: String(values.title ?? ''),
    status: values.status === true,
    promote: values.promote === true,
    ...(sticky ? { sticky: values.sticky === true } : {}),
    fields,
  };
}

/**
 * The add or edit form of a node type: the title, the type's fields, and
 * the publishing options (sticky only for content administrators). Its id
 * is node_TYPE_form and its family node_form, for alter hooks. Validation
 * is the node's own (prepareNode, 'node.check' included), so the form
 * shows exactly the problems saving would have; submit writes what was
 * validated. A reference field is a select of the target nodes the user
 * may view (reference.ts), so it is built with the database.
 */
export async function nodeForm(ctx: RequestContext, type: NodeType, node: Node | undefined): Promise<FormDefinition> {
  const sticky = mayAdminister(ctx);
  const fields: Record<string, FieldDefinition> = { title: withDefault(titleField(type), node?.title) };
  for (const [name, f] of Object.entries(type.fields)) {
    fields[name] = f.type === 'reference'
      ? await referenceFormField(ctx.site, f, ctx.account, node?.fields[name])
      : withDefault(formField(f), node?.fields[name]);
  }
  fields.status = { type: 'checkbox', label: 'Published', default: node?.status ?? true };
  fields.promote = { type: 'checkbox', label: 'Promoted to the front page', default: node?.promote ?? false };
  if (sticky) fields.sticky = { type: 'checkbox', label: 'Sticky at the top of lists', default: node?.sticky ?? false };
  let prepared: PreparedNode | undefined;
  return {
    id: `node_${type.type}_form`,
    baseId: 'node_form',
    fields,
    submitLabel: 'Save',
    links: node ? [{ title: 'Cancel', href: ctx.url('node.view', { nid: node.nid }) }] : [],
    async validate(values) {
      prepared = await prepareNode(ctx.site, inputFrom(type, node, values, sticky), { account: ctx.account, ...(node ? { original: node } : {}) });
      const errors: FormErrors = {};
      for (const e of prepared.errors) {
        const at = Object.hasOwn(fields, e.field) ? e.field : '';
        errors[at] = errors[at] ? `${errors[at]} ${e.message}` : e.message;
      }
      return errors;
    },
    async submit() {
      const saved = await commitNode(ctx.site, prepared!, { account: ctx.account }).catch(goneIs404);
      ctx.message('status', `${type.label} "${saved.title}" has been ${node ? 'updated' : 'created'}.`);
      return redirect(ctx.url('node.view', { nid: saved.nid }));
    },
  };
}

/** /node/add, the add form of each type, and the edit and delete forms of a node (tabs of its page). */
export const formRoutes: RouteDefinition[] = [
  {
    name: 'node.add_list',
    path: '/node/add',
    title: 'Add content',
    access: { check: mayCreateAny },
    menu: { menu: 'main', title: 'Add content', weight: 10 },
    theme: 'admin',
    async handler(ctx) {
      const types = [];
      for (const t of nodeTypes(ctx.site.kernel).values()) {
        if (await nodeAccess(ctx.site, 'create', { type: t.type }, ctx.account)) {
          types.push({ label: t.label, description: t.description, href: ctx.url('node.add', { type: t.type }) });
        }
      }
      return page('Add content', template('node/add-list', { types }));
    },
  },
  {
    name: 'node.add',
    path: '/node/add/:type',
    title: (ctx) => `Create ${(ctx.params.type as NodeType).label}`,
    params: { type: 'node_type' },
    access: { check: (ctx) => nodeAccess(ctx.site, 'create', { type: (ctx.params.type as NodeType).type }, ctx.account) },
    theme: 'admin',
    form: (ctx) => nodeForm(ctx, ctx.params.type as NodeType, undefined),
  },
  {
    name: 'node.edit',
    path: '/node/:nid/edit',
    title: (ctx) => `Edit ${nodeOf(ctx).title}`,
    params: { nid: 'node' },
    // A node whose type's module is gone can be viewed and deleted, not edited.
    access: { check: async (ctx) => !!nodeType(ctx.site.kernel, nodeOf(ctx).type) && nodeAccess(ctx.site, 'update', { node: nodeOf(ctx) }, ctx.account) },
    tab: { base: 'node.view', title: 'Edit', weight: 1 },
    theme: 'admin',
    form: (ctx) => nodeForm(ctx, nodeType(ctx.site.kernel, nodeOf(ctx).type)!, nodeOf(ctx)),
  },
  {
    name: 'node.delete',
    path: '/node/:nid/delete',
    title: (ctx) => `Delete ${nodeOf(ctx).title}`,
    params: { nid: 'node' },
    access: { check: (ctx) => nodeAccess(ctx.site, 'delete', { node: nodeOf(ctx) }, ctx.account) },
    tab: { base: 'node.view', title: 'Delete', weight: 10 },
    theme: 'admin',
    form(ctx) {
      const node = nodeOf(ctx);
      const label = nodeType(ctx.site.kernel, node.type)?.label ?? node.type;
      return {
        id: 'node_delete_confirm',
        fields: { question: { type: 'markup', content: { text: `Are you sure you want to delete "${node.title}"? This cannot be undone.` } } },
        submitLabel: 'Delete',
        danger: true,
        links: [{ title: 'Cancel', href: ctx.url('node.view', { nid: node.nid }) }],
        async submit() {
          await deleteNode(ctx.site, node, { account: ctx.account }).catch(goneIs404).catch(refusedIs422);
          ctx.message('status', `${label} "${node.title}" has been deleted.`);
          return redirect('/');
        },
      };
    },
  },
];
