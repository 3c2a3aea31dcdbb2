import type { RequestContext } from '../../../../core/http/types.js';
import { whereSiteInScope, seesPlatform, type Scope } from '../../access/scope.js';
import { badge } from '../badges.js';
import type { Cell, ListDefinition } from './list.js';

interface SiteRow {
  nid: number; domain: string; status: string; profile: string; platform_nid: number; platform: string;
  client_nid: number | null; client: string | null; task_nid: number | null; task_type: string | null; task_status: string | null;
}

const SITE_STATUSES = ['new', 'installed', 'disabled', 'failed', 'deleted'];

/** Platforms and clients the account may filter by: those it sees. */
async function platformOptions(ctx: RequestContext, scope: Scope): Promise<{ value: string; label: string }[]> {
  const rows = (await ctx.site.db('hosting_platform as p').join('node as n', 'n.nid', 'p.nid').whereNot('p.status', 'deleted').orderBy('n.title').select('p.nid', 'n.title')) as { nid: number; title: string }[];
  return rows.filter((r) => seesPlatform(scope, Number(r.nid))).map((r) => ({ value: String(r.nid), label: r.title }));
}

async function clientOptions(ctx: RequestContext, scope: Scope): Promise<{ value: string; label: string }[]> {
  const q = ctx.site.db('hosting_client').orderBy('name').select('nid', 'name');
  if (!scope.allClients) q.whereIn('nid', scope.clients.length ? [...scope.clients] : [-1]);
  return ((await q) as { nid: number; name: string }[]).map((r) => ({ value: String(r.nid), label: r.name }));
}

/** /hosting/sites: every site the account sees (deleted ones only when asked for), with status, platform, client and newest task. */
export const sitesList: ListDefinition<SiteRow> = {
  path: '/hosting/sites',
  title: 'Sites',
  noun: 'site',
  empty: 'No sites match.',
  countColumn: 's.nid',
  defaultSort: 'domain',
  columns: {
    domain: { label: 'Domain', sort: 's.domain' },
    status: { label: 'Status', sort: 's.status' },
    platform: { label: 'Platform', sort: 'pn.title' },
    client: { label: 'Client', sort: 'c.name' },
    profile: { label: 'Profile', sort: 's.profile', class: 'is-narrow' },
    task: { label: 'Last task', sort: 's.last_task_nid', first: 'desc' },
  },
  search: { label: 'Domain contains', column: 's.domain' },
  filters: [
    { name: 'status', label: 'Status', options: () => SITE_STATUSES.map((s) => ({ value: s, label: s })), apply: (q, v) => { q.where('s.status', v); } },
    { name: 'platform', label: 'Platform', options: platformOptions, apply: (q, v) => { q.where('s.platform_nid', Number(v)); } },
    { name: 'client', label: 'Client', options: clientOptions, apply: (q, v) => { q.where('s.client_nid', Number(v)); } },
  ],
  query(ctx, scope) {
    const q = ctx.site.db('hosting_site as s')
      .join('node as pn', 'pn.nid', 's.platform_nid')
      .leftJoin('hosting_client as c', 'c.nid', 's.client_nid')
      .leftJoin('hosting_task as t', 't.nid', 's.last_task_nid')
      .select('s.nid', 's.domain', 's.status', 's.profile', 's.platform_nid', 'pn.title as platform', 's.client_nid', 'c.name as client', 't.nid as task_nid', 't.task_type', 't.status as task_status');
    if (ctx.query.status !== 'deleted') q.whereNot('s.status', 'deleted');
    return whereSiteInScope(q, scope, 's.client_nid');
  },
  row(r, ctx): Cell[] {
    const node = (nid: number): string => ctx.url('node.view', { nid });
    return [
      { text: r.domain, href: node(Number(r.nid)) },
      badge(r.status),
      { text: r.platform, href: node(Number(r.platform_nid)) },
      r.client_nid ? { text: r.client ?? '', href: node(Number(r.client_nid)) } : '',
      r.profile,
      r.task_nid ? { text: `${r.task_type}: ${r.task_status === 'processing' ? 'running' : r.task_status}`, href: node(Number(r.task_nid)), badge: badge(r.task_status ?? '').badge } : '',
    ];
  },
};
