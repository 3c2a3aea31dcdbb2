import type { Knex } from 'knex';
import { whereContains } from '../../../../core/database/like.js';
import { pageParam, pager } from '../../../../core/http/pager.js';
import { page, type PageResult, type RequestContext } from '../../../../core/http/types.js';
import { template } from '../../../../core/theme/renderable.js';
import { scopeOf, type Scope } from '../../access/scope.js';

/** Rows per page of every hosting list. */
export const LIST_PAGE_SIZE = 50;

/** A cell of a list row, as table.njk takes it. */
export type Cell = string | number | { readonly text: string; readonly href?: string; readonly badge?: string; readonly class?: string } | { readonly links: readonly { title: string; href: string }[] };

/** A column; `sort` is the SQL column it sorts by (no sort: not sortable). */
export interface ListColumn {
  readonly label: string;
  readonly sort?: string;
  /** The order a first click sorts in (default asc). */
  readonly first?: 'asc' | 'desc';
  readonly class?: string;
}

/** A filter: a select whose values are the only ones that reach SQL. */
export interface ListFilter {
  /** Its query parameter. */
  readonly name: string;
  readonly label: string;
  /** The values offered (what the account may see), by value. */
  options(ctx: RequestContext, scope: Scope): Promise<readonly { value: string; label: string }[]> | readonly { value: string; label: string }[];
  /** Apply a value that is one of the options. */
  apply(q: Knex.QueryBuilder, value: string): void;
}

/**
 * A list of hosting objects: its base query (joins, and the account's
 * scope applied), columns, filters and search. Sort keys and filter values
 * outside their lists are ignored, never passed to SQL; the search is a
 * literal substring of one column.
 */
export interface ListDefinition<R> {
  readonly path: string;
  readonly title: string;
  /** What the rows are ("site", "task"), for the caption. */
  readonly noun: string;
  readonly empty: string;
  readonly columns: Readonly<Record<string, ListColumn>>;
  readonly defaultSort: string;
  readonly filters?: readonly ListFilter[];
  readonly search?: { readonly label: string; readonly column: string };
  /** The base query, limited to the scope; selects what `row` reads. */
  query(ctx: RequestContext, scope: Scope): Knex.QueryBuilder;
  /** The cells of one row, in column order. */
  row(r: R, ctx: RequestContext): Cell[] | Promise<Cell[]>;
  /** The key by which rows are counted (default the query's first table's nid). */
  readonly countColumn: string;
}

function href(path: string, query: Readonly<Record<string, string>>, changes: Record<string, string | undefined>): string {
  const p = new URLSearchParams({ ...query });
  for (const [k, v] of Object.entries(changes)) if (v === undefined) p.delete(k); else p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

/** One page of a list as a themed page: filters, search, sortable table, pager. */
export async function renderList<R>(def: ListDefinition<R>, ctx: RequestContext): Promise<PageResult> {
  const scope = await scopeOf(ctx.site, ctx.account);
  const q = ctx.query;
  const sort = Object.hasOwn(def.columns, q.sort ?? '') && def.columns[q.sort!]!.sort ? q.sort! : def.defaultSort;
  const column = def.columns[sort]!;
  const order = q.order === 'asc' || q.order === 'desc' ? q.order : (column.first ?? 'asc');
  const base = def.query(ctx, scope);
  const filters = [];
  for (const f of def.filters ?? []) {
    const options = await f.options(ctx, scope);
    const value = options.some((o) => o.value === q[f.name]) ? q[f.name]! : '';
    if (value) f.apply(base, value);
    filters.push({ name: f.name, label: f.label, value, options });
  }
  const search = def.search ? (q.search ?? '').trim().slice(0, 253) : '';
  if (def.search && search) whereContains(base, def.search.column, search);
  const counted = (await base.clone().clearSelect().clearOrder().count({ n: def.countColumn })) as { n: number | string }[];
  const total = Number(counted[0]?.n ?? 0);
  const p = Math.min(pageParam(q), Math.max(0, Math.ceil(total / LIST_PAGE_SIZE) - 1));
  const rows = (await base.orderBy(column.sort!, order).orderBy(def.countColumn, order).limit(LIST_PAGE_SIZE).offset(p * LIST_PAGE_SIZE)) as R[];
  const cells = [];
  for (const r of rows) cells.push(await def.row(r, ctx));
  const kept: Record<string, string> = {};
  for (const f of filters) if (f.value) kept[f.name] = f.value;
  if (search) kept.search = search;
  const sortQuery = { ...kept, sort, order };
  const headers = Object.entries(def.columns).map(([key, c]) => {
    if (!c.sort) return { label: c.label, ...(c.class ? { class: c.class } : {}) };
    const active = key === sort;
    const next = active ? (order === 'asc' ? 'desc' : 'asc') : (c.first ?? 'asc');
    return { label: c.label, href: href(def.path, kept, { sort: key, order: next }), ...(active ? { sort: order } : {}), ...(c.class ? { class: c.class } : {}) };
  });
  return page(def.title, template('hosting/list', {
    path: def.path, filters, search: def.search ? { label: def.search.label, value: search } : undefined, sort, order,
    active: Object.keys(kept).length > 0, headers, rows: cells, total,
    caption: `${total} ${def.noun}${total === 1 ? '' : 's'}`, empty: def.empty,
    pager: pager(def.path, sortQuery, total, p, LIST_PAGE_SIZE),
  }));
}
