/**
 * Reference fields: the nid of another node of a target type. Their type
 * check (a node id or null) is validate.ts's; here are what needs the
 * database: the existence check on save ('node.check'), the choices of the
 * node form, and the referenced nodes a node page links to.
 */
import type { FieldDefinition } from '../../core/forms/types.js';
import type { Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import { nodeAccess } from './access.js';
import type { NodeCheckEvent } from './hooks.js';
import { nodeType, nodeTypes } from './registry.js';
import { loadNodes } from './storage.js';
import type { Node, NodeReferenceField, NodeType } from './types.js';

/**
 * Most choices a reference select offers. A target type with more nodes
 * offers the first ones by title (the field says so); an autocomplete field
 * is meant to replace the select for those, later.
 */
export const REFERENCE_OPTIONS_MAX = 500;
/** Most target nodes looked at (access is checked on each) while filling a select. */
const REFERENCE_SCAN_MAX = 10 * REFERENCE_OPTIONS_MAX;

/** The target types of a reference field, as a list. */
export function referenceTargets(f: NodeReferenceField): readonly string[] {
  return typeof f.target === 'string' ? [f.target] : f.target;
}

/** The reference fields of a type, by name. */
export function referenceFields(type: NodeType): [string, NodeReferenceField][] {
  return Object.entries(type.fields).filter((e): e is [string, NodeReferenceField] => e[1].type === 'reference');
}

/** "platform", "server or platform": the target types' labels for messages (a type no module declares by its machine name). */
function targetNames(site: SiteContext, f: NodeReferenceField): string {
  const types = nodeTypes(site.kernel);
  return referenceTargets(f).map((t) => types.get(t)?.label.toLowerCase() ?? t).join(' or ');
}

/**
 * The node module's 'node.check': every reference field that holds a nid
 * must name an existing node of one of its target types. One query for all
 * of the node's references. A missing node and one of another type get the
 * same message, so that probing ids tells nothing about nodes one cannot see.
 */
export async function checkReferences({ node, site, problems }: NodeCheckEvent): Promise<void> {
  const type = nodeType(site.kernel, node.type);
  if (!type) return;
  const refs = referenceFields(type).flatMap(([name, f]) => {
    const v = node.fields[name];
    return typeof v === 'number' ? [{ name, f, nid: v }] : [];
  });
  if (!refs.length) return;
  const rows = (await site.db('node').whereIn('nid', [...new Set(refs.map((r) => r.nid))]).select('nid', 'type')) as { nid: number; type: string }[];
  const typeOf = new Map(rows.map((r) => [Number(r.nid), r.type]));
  for (const { name, f, nid } of refs) {
    const found = typeOf.get(nid);
    if (found === undefined || !referenceTargets(f).includes(found)) {
      problems.push({ field: name, message: `${f.label}: no such ${targetNames(site, f)} (node ${nid}).` });
    }
  }
}

/** Titles in a stable order: case- and accent-insensitive, then by nid. */
function byTitle(a: Node, b: Node): number {
  return a.title.localeCompare(b.title, 'en', { sensitivity: 'base' }) || a.nid - b.nid;
}

/**
 * The select a reference field is edited with on the node form: the nodes
 * of its target types that the account may view (nid -> title, by title),
 * at most REFERENCE_OPTIONS_MAX of them; "- None -" comes from the theme
 * when the field is not required. The current value is always a choice,
 * so that saving the form never drops it silently: a node the account may
 * not view shows as "Node N" (its title stays hidden), a deleted one too
 * (and the save then says it is gone).
 */
export async function referenceFormField(site: SiteContext, f: NodeReferenceField, account: Account, current: unknown): Promise<FieldDefinition> {
  const targets = referenceTargets(f);
  const shown: Node[] = [];
  let more = false;
  for (let offset = 0; shown.length < REFERENCE_OPTIONS_MAX; offset += REFERENCE_OPTIONS_MAX) {
    if (offset >= REFERENCE_SCAN_MAX) { more = true; break; }
    const rows = (await site.db('node').whereIn('type', [...targets])
      .orderByRaw('LOWER(??)', ['title']).orderBy('nid').limit(REFERENCE_OPTIONS_MAX + 1).offset(offset).select('nid')) as { nid: number }[];
    const batch = await loadNodes(site, rows.slice(0, REFERENCE_OPTIONS_MAX).map((r) => Number(r.nid)));
    for (const n of batch) {
      if (shown.length === REFERENCE_OPTIONS_MAX) { more = true; break; }
      if (await nodeAccess(site, 'view', { node: n }, account)) shown.push(n);
    }
    if (rows.length <= REFERENCE_OPTIONS_MAX) break;
    if (shown.length === REFERENCE_OPTIONS_MAX) more = true;
  }
  shown.sort(byTitle);
  const options: Record<string, string> = {};
  const order: string[] = [];
  const nid = typeof current === 'number' && Number.isSafeInteger(current) && current > 0 ? current : undefined;
  if (nid !== undefined && !shown.some((n) => n.nid === nid)) {
    // Beyond the limit, hidden from this account, or deleted: kept as a choice by its id alone.
    const [n] = await loadNodes(site, [nid]);
    if (n && targets.includes(n.type) && (await nodeAccess(site, 'view', { node: n }, account))) {
      shown.push(n);
      shown.sort(byTitle);
    } else {
      options[String(nid)] = `Node ${nid}`;
      order.push(String(nid));
    }
  }
  for (const n of shown) { options[String(n.nid)] = n.title; order.push(String(n.nid)); }
  const note = more ? `Only the first ${REFERENCE_OPTIONS_MAX} by title are offered.` : '';
  const description = [f.description ?? '', note].filter(Boolean).join(' ');
  return {
    type: 'select', label: f.label, required: !!f.required, options, order,
    ...(description ? { description } : {}),
    ...(nid !== undefined ? { default: String(nid) } : {}),
  };
}

/** A referenced node as a node page shows it. */
export interface ReferencedNode {
  readonly type: string;
  readonly title: string;
  readonly url: string;
}

/**
 * The nodes the reference fields of these nodes name that the account may
 * view, by nid, each with its page's path (from `url`). Missing nodes and
 * nodes one may not view are left out: the page shows nothing for them.
 */
export async function referencedNodes(
  site: SiteContext, nodes: readonly Node[], account: Account, url: (nid: number) => string,
): Promise<Map<number, ReferencedNode>> {
  const ids: number[] = [];
  for (const n of nodes) {
    const type = nodeType(site.kernel, n.type);
    if (!type) continue;
    for (const [name] of referenceFields(type)) {
      const v = n.fields[name];
      if (typeof v === 'number') ids.push(v);
    }
  }
  const out = new Map<number, ReferencedNode>();
  for (const n of await loadNodes(site, ids)) {
    if (await nodeAccess(site, 'view', { node: n }, account)) out.set(n.nid, { type: n.type, title: n.title, url: url(n.nid) });
  }
  return out;
}
