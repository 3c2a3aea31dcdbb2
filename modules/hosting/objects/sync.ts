import type { Knex } from 'knex';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { NodeWriteEvent } from '../../node/hooks.js';
import type { Node, NodeDraft } from '../../node/types.js';
import { aliasesOf } from './check.js';
import { queueInTransaction } from './auto-queue.js';

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const int = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

/** A server's services as provision-save takes them: kind -> { type, ...settings }. */
export function servicesOf(f: Node['fields']): Record<string, Record<string, string | number | boolean>> {
  const out: Record<string, Record<string, string | number | boolean>> = {};
  for (const kind of ['http', 'db', 'app'] as const) {
    const type = text(f[kind]);
    if (!type) continue;
    const s: Record<string, string | number | boolean> = { type };
    for (const pair of String(f[`${kind}_settings`] ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      const v = pair.slice(at + 1);
      s[pair.slice(0, at)] = /^\d{1,9}$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
    }
    out[kind] = s;
  }
  return out;
}

/** The row of an object's own table from its node's fields (what the form holds; the back end's reports stay). */
function rowOf(n: Node): { table: string; row: Record<string, unknown> } | undefined {
  const f = n.fields;
  if (n.type === 'server') {
    return { table: 'hosting_server', row: {
      context: text(f.context), host: text(f.host), ssh_user: text(f.ssh_user), ssh_port: int(f.ssh_port),
      http: text(f.http), db: text(f.db), app: text(f.app), services: JSON.stringify(servicesOf(f)),
    } };
  }
  if (n.type === 'platform') {
    return { table: 'hosting_platform', row: { context: text(f.context), server_nid: int(f.server), root: text(f.root), git_url: text(f.git_url), git_ref: text(f.git_ref), locked: f.locked === true ? 1 : 0 } };
  }
  if (n.type === 'site') {
    return { table: 'hosting_site', row: {
      domain: n.title, platform_nid: int(f.platform), db_server_nid: int(f.db_server), client_nid: int(f.client), profile: text(f.profile), redirection: f.redirection === true ? 1 : 0,
    } };
  }
  if (n.type === 'client') return { table: 'hosting_client', row: { name: n.title, mail: text(f.mail) } };
  return undefined;
}

/** Every name of a site in hosting_domain: its domain and aliases, unique across sites (a duplicate fails the transaction). */
async function writeDomains(db: Knex, n: Node): Promise<void> {
  await db('hosting_domain').where({ site_nid: n.nid }).delete();
  await db('hosting_domain').insert([{ domain: n.title, site_nid: n.nid, alias: 0 }, ...aliasesOf(n.fields.aliases).map((a) => ({ domain: a, site_nid: n.nid, alias: 1 }))]);
}

/** node.presave: a site's domain is kept lower case. */
export async function normaliseDraft(e: NodeWriteEvent<NodeDraft>): Promise<void> {
  if (e.node.type !== 'site') return;
  e.node.title = e.node.title.trim().toLowerCase();
  // No database server chosen: the platform's own server keeps the database.
  if (e.node.fields.db_server === null || e.node.fields.db_server === undefined || e.node.fields.db_server === '') {
    const p = (await e.db('hosting_platform').where({ nid: Number(e.node.fields.platform) }).first('server_nid')) as { server_nid: number } | undefined;
    if (p) e.node.fields.db_server = Number(p.server_nid);
  }
}

/** node.insert: the object's row (status new), its domains, and its first task (verify a server or platform, install a site). */
export async function insertObject(e: NodeWriteEvent<Node>): Promise<void> {
  const r = rowOf(e.node);
  if (!r) return;
  await e.db(r.table).insert({ nid: e.node.nid, ...r.row });
  if (e.node.type === 'site') await writeDomains(e.db, e.node);
  const first = e.node.type === 'site' ? 'install' : e.node.type === 'client' ? undefined : 'verify';
  if (first) await queueInTransaction(e.db, { type: first, object: e.node, uid: e.account.uid });
}

/** node.update: the row again from the fields; a server or platform whose back-end settings changed gets a verify. */
export async function updateObject(e: NodeWriteEvent<Node> & { readonly original: Node }): Promise<void> {
  const r = rowOf(e.node);
  if (!r) return;
  await e.db(r.table).where({ nid: e.node.nid }).update(r.row);
  if (e.node.type === 'site') await writeDomains(e.db, e.node);
  const before = rowOf(e.original)!.row;
  // A site's aliases live in hosting_domain, not its row: a change of them is a change too.
  const changed = Object.keys(r.row).some((k) => k !== 'locked' && JSON.stringify(r.row[k]) !== JSON.stringify(before[k]))
    || (e.node.type === 'site' && aliasesOf(e.node.fields.aliases).join(',') !== aliasesOf(e.original.fields.aliases).join(','));
  if (changed && (e.node.type === 'server' || e.node.type === 'platform')) await queueInTransaction(e.db, { type: 'verify', object: e.node, uid: e.account.uid, unlessQueued: true });
  if (changed && e.node.type === 'site') await queueInTransaction(e.db, { type: 'verify', object: e.node, uid: e.account.uid, unlessQueued: true, onlyIf: ['installed', 'disabled'] });
}

/**
 * node.delete: a site or platform node goes only once its delete task
 * removed it from the servers (status deleted); deleting the node itself
 * is never the way (queue a delete task). A server goes while nothing uses
 * it. Its rows go with it.
 */
export async function deleteObject(e: NodeWriteEvent<Node>): Promise<void> {
  const n = e.node;
  if (n.type === 'site' || n.type === 'platform') {
    const row = (await e.db(n.type === 'site' ? 'hosting_site' : 'hosting_platform').where({ nid: n.nid }).first('status')) as { status: string } | undefined;
    if (row && row.status !== 'deleted' && row.status !== 'new') throw new AegirError('ERR_OBJECT_IN_USE', { what: `${n.type} ${n.title}`, problem: `it is ${row.status} on its servers: queue a delete task, which removes it there and then its node` });
  }
  if (n.type === 'server') {
    const users = await e.db('hosting_platform').where({ server_nid: n.nid }).whereNot({ status: 'deleted' }).count({ c: '*' });
    const dbUsers = await e.db('hosting_site').where({ db_server_nid: n.nid }).whereNot({ status: 'deleted' }).count({ c: '*' });
    if (Number(users[0]?.c) + Number(dbUsers[0]?.c) > 0) throw new AegirError('ERR_OBJECT_IN_USE', { what: `server ${n.title}`, problem: 'platforms or sites use it' });
  }
  if (n.type === 'platform') {
    const sites = await e.db('hosting_site').where({ platform_nid: n.nid }).whereNot({ status: 'deleted' }).count({ c: '*' });
    if (Number(sites[0]?.c) > 0) throw new AegirError('ERR_OBJECT_IN_USE', { what: `platform ${n.title}`, problem: 'sites use it' });
  }
  const r = rowOf(n);
  if (!r) return;
  await e.db(r.table).where({ nid: n.nid }).delete();
  if (n.type === 'site') await e.db('hosting_domain').where({ site_nid: n.nid }).delete();
}

/** node.load: each object's row in node.extra.hosting (status, verify time, what the back end reported); a package's platforms and versions in node.extra.instances. */
export async function loadObjects(e: { readonly nodes: readonly Node[]; readonly site: { readonly db: Knex } }): Promise<void> {
  const byType = new Map<string, Node[]>();
  for (const n of e.nodes) if (['server', 'platform', 'site', 'client', 'package'].includes(n.type)) byType.set(n.type, [...(byType.get(n.type) ?? []), n]);
  for (const [type, nodes] of byType) {
    const rows = (await e.site.db(`hosting_${type}`).whereIn('nid', nodes.map((n) => n.nid))) as Record<string, unknown>[];
    const by = new Map(rows.map((r) => [Number(r.nid), r]));
    for (const n of nodes) n.extra.hosting = by.get(n.nid);
  }
  // A package's versions, by platform.
  const packages = byType.get('package') ?? [];
  if (packages.length) {
    const where = (await e.site.db('hosting_package_instance').whereIn('package_nid', packages.map((n) => n.nid)).orderBy('platform_nid')) as { package_nid: number; platform_nid: number; version: string | null; origin: string | null }[];
    for (const n of packages) n.extra.instances = where.filter((w) => Number(w.package_nid) === n.nid).map((w) => ({ platform: Number(w.platform_nid), version: w.version, origin: w.origin }));
  }
}

/**
 * Set some fields of an object's node in its stored data (what the back
 * end changed: a migrated site's platform), so that its form shows them.
 */
export async function patchNodeFields(db: Knex, nid: number, patch: Readonly<Record<string, string | number | boolean | null>>): Promise<void> {
  const row = (await db('node').where({ nid }).first('data')) as { data: string | null } | undefined;
  if (!row) return;
  const data = { ...(row.data ? (JSON.parse(row.data) as Record<string, unknown>) : {}), ...patch };
  await db('node').where({ nid }).update({ data: JSON.stringify(data), changed: Date.now() });
}
