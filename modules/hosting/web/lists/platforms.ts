import { badge } from '../badges.js';
import type { Cell, ListDefinition } from './list.js';

interface PlatformRow { nid: number; title: string; status: string; locked: number; core: string | null; server_nid: number; server: string; sites: number | string; root: string }

/** /hosting/platforms: the platforms the account sees, with server, status, core version and number of sites. */
export const platformsList: ListDefinition<PlatformRow> = {
  path: '/hosting/platforms',
  title: 'Platforms',
  noun: 'platform',
  empty: 'No platforms match.',
  countColumn: 'p.nid',
  defaultSort: 'name',
  columns: {
    name: { label: 'Name', sort: 'n.title' },
    status: { label: 'Status', sort: 'p.status' },
    server: { label: 'Server', sort: 'sn.title' },
    core: { label: 'Core', sort: 'p.core', class: 'is-narrow' },
    sites: { label: 'Sites', sort: 'sites', first: 'desc', class: 'is-numeric' },
    root: { label: 'Path' },
  },
  search: { label: 'Name contains', column: 'n.title' },
  filters: [
    { name: 'status', label: 'Status', options: () => ['new', 'verified', 'failed', 'deleted'].map((s) => ({ value: s, label: s })), apply: (q, v) => { q.where('p.status', v); } },
  ],
  query(ctx, scope) {
    const db = ctx.site.db;
    const q = db('hosting_platform as p').join('node as n', 'n.nid', 'p.nid').join('node as sn', 'sn.nid', 'p.server_nid')
      .select('p.nid', 'n.title', 'p.status', 'p.locked', 'p.core', 'p.server_nid', 'sn.title as server', 'p.root',
        db('hosting_site as s').whereRaw('?? = ??', ['s.platform_nid', 'p.nid']).whereNot('s.status', 'deleted').count('*').as('sites'));
    if (ctx.query.status !== 'deleted') q.whereNot('p.status', 'deleted');
    // A user whose clients may use every platform sees them all; otherwise those listed (none without a client).
    if (!scope.allPlatforms && !(scope.clients.length && scope.platforms === undefined)) q.whereIn('p.nid', scope.platforms?.length ? [...scope.platforms] : [-1]);
    return q;
  },
  row(r, ctx): Cell[] {
    const node = (nid: number): string => ctx.url('node.view', { nid });
    return [
      { text: r.title, href: node(Number(r.nid)) },
      Number(r.locked) === 1 ? badge('locked') : badge(r.status),
      { text: r.server, href: node(Number(r.server_nid)) },
      r.core ?? '',
      Number(r.sites),
      r.root,
    ];
  },
};
