import type { Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import { template, type Renderable } from '../../core/theme/renderable.js';
import type { NodeViewVars } from './hooks.js';
import { referenceTargets, type ReferencedNode } from './reference.js';
import { nodeType } from './registry.js';
import type { Node, NodeFieldDefinition, NodeFieldValue } from './types.js';

/** Longest text of a field in a teaser. */
export const TEASER_LENGTH = 400;

/** Author names by uid (0 and deleted users are "Anonymous"). */
export async function authorNames(site: SiteContext, uids: Iterable<number>): Promise<Map<number, string>> {
  const ids = [...new Set(uids)].filter((u) => u > 0);
  const rows = ids.length ? ((await site.db('users').whereIn('uid', ids).select('uid', 'name')) as { uid: number; name: string }[]) : [];
  return new Map(rows.map((r) => [Number(r.uid), r.name]));
}

/** A date as "YYYY-MM-DD HH:MM UTC". */
export function formatDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A field value as the plain text shown for it. */
export function displayValue(f: NodeFieldDefinition, v: NodeFieldValue | undefined): string {
  if (v === undefined || v === null || v === '') return '';
  if (f.type === 'checkbox') return v === true ? 'Yes' : 'No';
  if (f.type === 'select') return f.options[String(v)] ?? String(v);
  // A reference shows its node's title, which only nodeViewVars knows (from ctx.references).
  if (f.type === 'reference') return '';
  return String(v);
}

function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Text split into paragraphs at blank lines, each paragraph into its lines. */
export function paragraphs(text: string): string[][] {
  return text.trim().split(/\n(?:[ \t]*\n)+/).map((p) => p.split('\n')).filter((p) => p.some((l) => l.trim() !== ''));
}

/**
 * The template variables of a node (after 'node.view'). Values stay plain
 * text, split into paragraphs and lines for the template (no HTML is
 * built here). A teaser shows only the textarea fields, shortened. A
 * reference shows the title of the node it names, with `url` to link it,
 * when `ctx.references` (reference.ts referencedNodes) has that node and
 * it is of a target type; else nothing.
 */
export function nodeViewVars(
  site: SiteContext, node: Node, mode: 'full' | 'teaser',
  ctx: { account: Account; url: string; author: string; references?: ReadonlyMap<number, ReferencedNode> },
): NodeViewVars {
  const type = nodeType(site.kernel, node.type);
  const fields: NodeViewVars['fields'] = [];
  for (const [name, f] of Object.entries(type?.fields ?? {})) {
    if (mode === 'teaser' && f.type !== 'textarea') continue;
    if (f.type === 'reference') {
      const v = node.fields[name];
      const target = typeof v === 'number' ? ctx.references?.get(v) : undefined;
      if (target && referenceTargets(f).includes(target.type)) {
        fields.push({ name, label: f.label, type: f.type, value: target.title, paragraphs: paragraphs(target.title), url: target.url });
      }
      continue;
    }
    let value = displayValue(f, node.fields[name]);
    if (!value) continue;
    if (mode === 'teaser') value = shorten(value, TEASER_LENGTH);
    fields.push({ name, label: f.label, type: f.type, value, paragraphs: paragraphs(value) });
  }
  const vars: NodeViewVars = {
    node, mode, title: node.title, url: ctx.url, typeLabel: type?.label ?? node.type,
    author: ctx.author, date: formatDate(node.created), datetime: new Date(node.created).toISOString(), fields, extras: [],
  };
  return site.hooks.alter('node.view', vars, { site, account: ctx.account });
}

/** A node rendered with the node/node template. */
export function renderNode(vars: NodeViewVars): Renderable {
  return template('node/node', {
    ...vars,
    node: { nid: vars.node.nid, type: vars.node.type, status: vars.node.status, sticky: vars.node.sticky, promote: vars.node.promote },
  });
}
