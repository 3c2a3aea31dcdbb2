import { badge } from '../badges.js';
import type { Cell, ListDefinition } from './list.js';

interface ServerRow { nid: number; title: string; context: string; host: string; status: string; http: string | null; db: string | null; app: string | null }
interface ClientRow { nid: number; name: string; mail: string | null; sites: number | string; users: number | string }
interface PackageRow { nid: number; name: string; type: string; title: string | null; platforms: number | string }

/** /hosting/servers: every server (only with "manage platforms"), its host, services and status. */
export const serversList: ListDefinition<ServerRow> = {
  path: '/hosting/servers',
  title: 'Servers',
  noun: 'server',
  empty: 'No servers match.',
  countColumn: 'v.nid',
  defaultSort: 'name',
  columns: {
    name: { label: 'Name', sort: 'n.title' },
    status: { label: 'Status', sort: 'v.status' },
    host: { label: 'Host', sort: 'v.host' },
    services: { label: 'Services' },
  },
  search: { label: 'Name or host contains', column: 'n.title' },
  filters: [{ name: 'status', label: 'Status', options: () => ['new', 'verified', 'failed'].map((s) => ({ value: s, label: s })), apply: (q, v) => { q.where('v.status', v); } }],
  query(ctx, scope) {
    const q = ctx.site.db('hosting_server as v').join('node as n', 'n.nid', 'v.nid').select('v.nid', 'n.title', 'v.context', 'v.host', 'v.status', 'v.http', 'v.db', 'v.app');
    if (!scope.allPlatforms) q.whereRaw('1 = 0');
    return q;
  },
  row(r, ctx): Cell[] {
    const services = [r.http && `http: ${r.http}`, r.db && `db: ${r.db}`, r.app && `app: ${r.app}`].filter(Boolean).join(', ');
    return [{ text: r.title, href: ctx.url('node.view', { nid: Number(r.nid) }) }, badge(r.status), r.host, services];
  },
};

/** /hosting/clients: the clients the account sees, with their numbers of sites and users. */
export const clientsList: ListDefinition<ClientRow> = {
  path: '/hosting/clients',
  title: 'Clients',
  noun: 'client',
  empty: 'No clients match.',
  countColumn: 'c.nid',
  defaultSort: 'name',
  columns: {
    name: { label: 'Name', sort: 'c.name' },
    mail: { label: 'Contact', sort: 'c.mail' },
    sites: { label: 'Sites', sort: 'sites', first: 'desc', class: 'is-numeric' },
    users: { label: 'Users', sort: 'users', first: 'desc', class: 'is-numeric' },
  },
  search: { label: 'Name contains', column: 'c.name' },
  query(ctx, scope) {
    const db = ctx.site.db;
    const q = db('hosting_client as c').select('c.nid', 'c.name', 'c.mail',
      db('hosting_site as s').whereRaw('?? = ??', ['s.client_nid', 'c.nid']).whereNot('s.status', 'deleted').count('*').as('sites'),
      db('hosting_client_user as u').whereRaw('?? = ??', ['u.client_nid', 'c.nid']).count('*').as('users'));
    if (!scope.allClients) q.whereIn('c.nid', scope.clients.length ? [...scope.clients] : [-1]);
    return q;
  },
  row(r, ctx): Cell[] {
    return [{ text: r.name, href: ctx.url('node.view', { nid: Number(r.nid) }) }, r.mail ?? '', Number(r.sites), Number(r.users)];
  },
};

/** /hosting/packages: the modules and profiles platform verifies found, with on how many platforms each is. */
export const packagesList: ListDefinition<PackageRow> = {
  path: '/hosting/packages',
  title: 'Packages',
  noun: 'package',
  empty: 'No packages match (verify a platform to list its modules and profiles).',
  countColumn: 'k.nid',
  defaultSort: 'name',
  columns: {
    name: { label: 'Name', sort: 'k.name' },
    title: { label: 'Title', sort: 'k.title' },
    type: { label: 'Type', sort: 'k.type', class: 'is-narrow' },
    platforms: { label: 'Platforms', sort: 'platforms', first: 'desc', class: 'is-numeric' },
  },
  search: { label: 'Name contains', column: 'k.name' },
  filters: [{ name: 'type', label: 'Type', options: () => [{ value: 'module', label: 'module' }, { value: 'profile', label: 'profile' }], apply: (q, v) => { q.where('k.type', v); } }],
  query(ctx) {
    const db = ctx.site.db;
    return db('hosting_package as k').select('k.nid', 'k.name', 'k.type', 'k.title',
      db('hosting_package_instance as i').whereRaw('?? = ??', ['i.package_nid', 'k.nid']).count('*').as('platforms'));
  },
  row(r, ctx): Cell[] {
    return [{ text: r.name, href: ctx.url('node.view', { nid: Number(r.nid) }) }, r.title ?? '', r.type, Number(r.platforms)];
  },
};
