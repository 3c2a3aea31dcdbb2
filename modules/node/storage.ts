import type { Knex } from 'knex';
import { whereContains } from '../../core/database/like.js';
import { ANONYMOUS, type Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import { nodeError } from './errors.js';
import { nodeType } from './registry.js';
import type { Node, NodeDraft, NodeFieldError, NodeFieldValue, NodeInput, NodeType } from './types.js';
import { checkDraft, checkNode, validateNode } from './validate.js';

interface Row {
  nid: number;
  type: string;
  title: string;
  uid: number;
  status: number;
  promote: number;
  sticky: number;
  created: number;
  changed: number;
  data: string;
}

function fromRow(r: Row): Node {
  let fields: Record<string, NodeFieldValue> = {};
  try {
    const parsed: unknown = JSON.parse(r.data);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fields = parsed as Record<string, NodeFieldValue>;
  } catch { /* a damaged data column shows as empty fields rather than breaking every list it is in */ }
  return {
    nid: Number(r.nid), type: r.type, title: r.title, uid: Number(r.uid),
    status: Number(r.status) === 1, promote: Number(r.promote) === 1, sticky: Number(r.sticky) === 1,
    created: Number(r.created), changed: Number(r.changed), fields, extra: {},
  };
}

function toRow(d: NodeDraft): Omit<Row, 'nid'> {
  return {
    type: d.type, title: d.title, uid: d.uid, status: d.status ? 1 : 0, promote: d.promote ? 1 : 0, sticky: d.sticky ? 1 : 0,
    created: d.created, changed: d.changed, data: JSON.stringify(d.fields),
  };
}

/** Nodes by id, in the order asked; ids that do not exist are left out. 'node.load' runs once on all of them. */
export async function loadNodes(site: SiteContext, nids: readonly number[]): Promise<Node[]> {
  const ids = [...new Set(nids.filter((n) => Number.isSafeInteger(n) && n > 0))];
  if (!ids.length) return [];
  const rows = (await site.db('node').whereIn('nid', ids)) as Row[];
  const byId = new Map(rows.map((r) => [Number(r.nid), fromRow(r)]));
  const nodes = ids.map((n) => byId.get(n)).filter((n): n is Node => n !== undefined);
  return afterLoad(site, nodes);
}

/** One node, or undefined when there is none with this id. */
export async function loadNode(site: SiteContext, nid: number): Promise<Node | undefined> {
  return (await loadNodes(site, [nid]))[0];
}

async function afterLoad(site: SiteContext, nodes: Node[]): Promise<Node[]> {
  if (nodes.length) await site.hooks.emit('node.load', { nodes, site });
  return nodes;
}

function invalid(draft: { type: string; title: unknown }, errors: readonly NodeFieldError[]): Error {
  return nodeError('ERR_NODE_INVALID', {
    type: draft.type,
    title: String(draft.title).slice(0, 80),
    fields: [...new Set(errors.map((e) => e.field))].join(','),
    problems: errors.map((e) => e.message).join(' '),
  });
}

/** Who saves or deletes, for the hooks. */
export interface NodeWriteOptions {
  /** Default: anonymous (commands and scripts). */
  readonly account?: Account;
}

/** A node ready to be written: its type, the checked draft, the stored node it replaces, and any problems. */
export interface PreparedNode {
  readonly type: NodeType;
  readonly draft: NodeDraft;
  readonly original: Node | undefined;
  readonly errors: readonly NodeFieldError[];
}

/**
 * Build and validate what saveNode would write (step 1 of the save order):
 * the input over the stored node (fields left out keep their stored
 * values), checked against its type, then 'node.validate', then (if those
 * found nothing) 'node.check'. Forms call this in their validate step and
 * commitNode in submit, so validation runs once.
 */
export async function prepareNode(site: SiteContext, input: NodeInput, opts: NodeWriteOptions & { readonly original?: Node } = {}): Promise<PreparedNode> {
  const account = opts.account ?? ANONYMOUS;
  const type = nodeType(site.kernel, input.type);
  if (!type) throw nodeError('ERR_NODE_TYPE_UNKNOWN', { type: input.type });
  const original = input.nid === undefined ? undefined : (opts.original?.nid === input.nid ? opts.original : await loadNode(site, input.nid));
  if (input.nid !== undefined && !original) throw nodeError('ERR_NODE_NOT_FOUND', { nid: input.nid });
  if (original && original.type !== input.type) throw invalid(input, [{ field: 'type', message: 'The type of a node cannot change.' }]);
  const now = Date.now();
  const kept: Record<string, NodeFieldValue> = {};
  for (const k of Object.keys(type.fields)) if (original && Object.hasOwn(original.fields, k)) kept[k] = original.fields[k]!;
  const { draft, errors } = validateNode(site, type, {
    nid: input.nid, type: type.type, title: input.title,
    uid: input.uid ?? original?.uid ?? account.uid,
    status: input.status ?? original?.status ?? true,
    promote: input.promote ?? original?.promote ?? false,
    sticky: input.sticky ?? original?.sticky ?? false,
    created: input.created ?? original?.created ?? now,
    changed: now,
    fields: { ...kept, ...input.fields },
  }, account);
  if (errors.length) return { type, draft, original, errors };
  return { type, draft, original, errors: await checkNode(site, draft, original, account) };
}

/**
 * Create or update a node, in the order documented in hooks.ts: validation
 * (the type's checks, 'node.validate', then 'node.check'; any problem is
 * ERR_NODE_INVALID),
 * then one transaction of presave, the row write, and insert or update.
 * Any failure rolls the transaction back, so nothing is saved. On update,
 * fields left out keep their stored values. Returns the saved node.
 */
export async function saveNode(site: SiteContext, input: NodeInput, opts: NodeWriteOptions = {}): Promise<Node> {
  return commitNode(site, await prepareNode(site, input, opts), opts);
}

/** Write a prepared node in one transaction (steps 2 and 3 of the save order); problems found by prepareNode are ERR_NODE_INVALID. */
export async function commitNode(site: SiteContext, prepared: PreparedNode, opts: NodeWriteOptions = {}): Promise<Node> {
  if (prepared.errors.length) throw invalid(prepared.draft, prepared.errors);
  const account = opts.account ?? ANONYMOUS;
  return site.db.transaction((db) => write(site, db, prepared.type, prepared.draft, prepared.original, account));
}

async function write(site: SiteContext, db: Knex.Transaction, type: NodeType, draft: NodeDraft, original: Node | undefined, account: Account): Promise<Node> {
  const work: NodeDraft = { ...draft, fields: { ...draft.fields } };
  await site.hooks.emit('node.presave', { node: work, site, db, account });
  // What presave changed is checked again: it is written as it is.
  const again = checkDraft(type, { ...work, type: type.type });
  if (work.type !== type.type) again.errors.push({ field: 'type', message: 'The type of a node cannot change.' });
  if (again.errors.length) throw invalid(work, again.errors);
  const row = toRow(again.draft);
  let nid: number;
  if (original) {
    nid = original.nid;
    if (!(await db('node').where({ nid }).first('nid'))) throw nodeError('ERR_NODE_NOT_FOUND', { nid });
    await db('node').where({ nid }).update(row);
  } else {
    const ids = (await db('node').insert(row)) as number[];
    nid = Number(ids[0]);
  }
  const node: Node = { ...again.draft, nid, extra: {} };
  if (original) await site.hooks.emit('node.update', { node, original, site, db, account });
  else await site.hooks.emit('node.insert', { node, site, db, account });
  return node;
}

/**
 * Delete a node: one transaction of 'node.delete' and the row's removal.
 * A failure rolls back and the node stays. A node already gone is ERR_NODE_NOT_FOUND.
 */
export async function deleteNode(site: SiteContext, node: Node, opts: NodeWriteOptions = {}): Promise<void> {
  const account = opts.account ?? ANONYMOUS;
  await site.db.transaction(async (db) => {
    if (!(await db('node').where({ nid: node.nid }).first('nid'))) throw nodeError('ERR_NODE_NOT_FOUND', { nid: node.nid });
    await site.hooks.emit('node.delete', { node, site, db, account });
    await db('node').where({ nid: node.nid }).delete();
  });
}

/** Columns a list can be sorted by. */
export const NODE_SORTS = ['title', 'changed', 'created', 'type', 'status'] as const;
/** A sort column. */
export type NodeSort = (typeof NODE_SORTS)[number];

/** What listNodes returns: one page of nodes and how many match in all. */
export interface NodeList {
  readonly nodes: Node[];
  readonly total: number;
}

/** A query for listNodes; every filter is optional. */
export interface NodeListQuery {
  readonly type?: string;
  readonly status?: boolean;
  /** Titles containing this text, matched literally ("%" and "_" are not wildcards). */
  readonly titleContains?: string;
  readonly uid?: number;
  /** Only nodes of `anyTypes`, or of `ownTypes` written by `uid` (what an editor without 'administer nodes' may list). */
  readonly scope?: { readonly anyTypes: readonly string[]; readonly ownTypes: readonly string[]; readonly uid: number };
  /** Default 'changed'. */
  readonly sort?: NodeSort;
  /** Default 'desc'. */
  readonly order?: 'asc' | 'desc';
  /** Sticky nodes before the others, then the sort (front page lists). */
  readonly stickyFirst?: boolean;
  /** 0-based page. */
  readonly page?: number;
  /** Nodes per page, 1 to 200 (default 50). */
  readonly pageSize?: number;
}

/** A page of nodes matching filters, sorted (ties broken by nid), with the total; 'node.load' runs on the page. */
export async function listNodes(site: SiteContext, q: NodeListQuery = {}): Promise<NodeList> {
  const filtered = (): Knex.QueryBuilder => {
    const b = site.db('node');
    if (q.type !== undefined) b.where('type', q.type);
    if (q.status !== undefined) b.where('status', q.status ? 1 : 0);
    if (q.uid !== undefined) b.where('uid', q.uid);
    if (q.scope) {
      const { anyTypes, ownTypes, uid } = q.scope;
      b.where((w) => {
        w.whereIn('type', [...anyTypes]);
        if (ownTypes.length) w.orWhere((o) => o.whereIn('type', [...ownTypes]).andWhere('uid', uid));
      });
    }
    if (q.titleContains) whereContains(b, 'title', q.titleContains);
    return b;
  };
  const counted = (await filtered().count({ n: '*' })) as { n: number | string }[];
  const total = Number(counted[0]?.n ?? 0);
  const size = Math.min(200, Math.max(1, Math.floor(q.pageSize ?? 50)));
  const page = Math.max(0, Math.floor(q.page ?? 0));
  const sort: NodeSort = NODE_SORTS.includes(q.sort as NodeSort) ? q.sort! : 'changed';
  const order = q.order === 'asc' ? 'asc' : 'desc';
  const b = filtered();
  if (q.stickyFirst) b.orderBy('sticky', 'desc');
  const rows = (await b.orderBy(sort, order).orderBy('nid', order).limit(size).offset(page * size)) as Row[];
  return { nodes: await afterLoad(site, rows.map(fromRow)), total };
}
