import type { Knex } from 'knex';
import type { HostingObject } from '../objects/object.js';
import type { ProvisionOptions } from './types.js';

/** One context to write before a task, as provision-save options. */
export interface ContextSave {
  readonly name: string;
  readonly options: ProvisionOptions;
}

type Row = Record<string, unknown>;

/** `k=v,k=v` of a service's settings, without its type. */
function settingsText(s: Record<string, unknown>): string {
  return Object.entries(s).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${String(v)}`).join(',');
}

/** The provision-save of a server from its row (context, host, SSH, services JSON). */
export function serverSave(r: Row): ContextSave {
  const services = JSON.parse(String(r.services || '{}')) as Record<string, Record<string, unknown>>;
  const o: Record<string, string | number | boolean> = { 'context-type': 'server', host: String(r.host) };
  if (r.ssh_user) { o['ssh-user'] = String(r.ssh_user); o['ssh-port'] = Number(r.ssh_port ?? 22); }
  for (const kind of ['http', 'db', 'app'] as const) {
    const s = services[kind];
    if (!s?.type) continue;
    o[kind] = String(s.type);
    const text = settingsText(s);
    if (text) o[`${kind}-settings`] = text;
  }
  return { name: String(r.context), options: o };
}

async function server(db: Knex, nid: number, out: Map<string, ContextSave>): Promise<string> {
  const r = (await db('hosting_server').where({ nid }).first()) as Row;
  const s = serverSave(r);
  if (!out.has(s.name)) out.set(s.name, s);
  return s.name;
}

async function platform(db: Knex, nid: number, out: Map<string, ContextSave>): Promise<string> {
  const r = (await db('hosting_platform').where({ nid }).first()) as Row;
  const serverName = await server(db, Number(r.server_nid), out);
  const o: Record<string, string | number | boolean> = { 'context-type': 'platform', server: `@${serverName}`, 'platform-root': String(r.root) };
  if (r.git_url) { o['git-url'] = String(r.git_url); o['git-ref'] = String(r.git_ref || 'main'); }
  const name = String(r.context);
  if (!out.has(name)) out.set(name, { name, options: o });
  return name;
}

async function site(db: Knex, nid: number, out: Map<string, ContextSave>): Promise<string> {
  const r = (await db('hosting_site').where({ nid }).first()) as Row;
  const p = await platform(db, Number(r.platform_nid), out);
  const d = await server(db, Number(r.db_server_nid), out);
  const aliases = ((await db('hosting_domain').where({ site_nid: nid, alias: 1 }).orderBy('domain').select('domain')) as { domain: string }[]).map((a) => a.domain);
  const o: Record<string, string | number | boolean> = {
    'context-type': 'site', platform: `@${p}`, 'db-server': `@${d}`, profile: String(r.profile), aliases: aliases.join(','), redirection: Number(r.redirection) === 1,
  };
  const name = String(r.domain);
  out.set(name, { name, options: o });
  return name;
}

/**
 * The contexts the back end needs for a task, written from the front end's
 * tables before it runs (the front end's database is the truth): the
 * object's own and those it refers to (its platform, servers), and the
 * targets its arguments name (a migrate's platform and db server), servers
 * first. provision-save of a context that did not change is a no-op.
 */
export async function contextsFor(db: Knex, object: HostingObject, args: Readonly<Record<string, unknown>>): Promise<ContextSave[]> {
  const out = new Map<string, ContextSave>();
  if (object.kind === 'server') await server(db, object.nid, out);
  if (object.kind === 'platform') await platform(db, object.nid, out);
  if (object.kind === 'site') await site(db, object.nid, out);
  if (args.platform) await platform(db, Number(args.platform), out);
  if (args.db_server) await server(db, Number(args.db_server), out);
  const order = (c: ContextSave): number => (c.options['context-type'] === 'server' ? 0 : c.options['context-type'] === 'platform' ? 1 : 2);
  return [...out.values()].sort((a, b) => order(a) - order(b));
}
