import type { NodeCheckEvent } from '../../node/hooks.js';
import { aliasesOf } from './check.js';

/**
 * node.check of the hosting objects: what only the database can tell,
 * checked before the node is saved so that the form names the field.
 * - a site's domain and aliases are no other site's domain or alias;
 * - an installed (or disabled) site keeps its domain, platform, db server
 *   and profile on the form: only a migrate task moves it;
 * - a new site (or one moved by editing) goes on a verified, unlocked
 *   platform that has its install profile, and its db server offers a
 *   database service;
 * - a server's or platform's machine name is unique and never changes
 *   once saved (the back end knows it by that name);
 * - a platform's path is no other platform's on its server.
 */
export async function checkObjectInDb(e: NodeCheckEvent): Promise<void> {
  const { node: n, original, site } = e;
  const db = site.db;
  const problem = (field: string, message: string): void => { e.problems.push({ field, message }); };
  if (n.type === 'server' || n.type === 'platform') {
    const table = n.type === 'server' ? 'hosting_server' : 'hosting_platform';
    const context = String(n.fields.context);
    if (original && original.fields.context !== context) problem('context', `The machine name cannot change once saved (it is ${String(original.fields.context)}).`);
    const other = (await db(table).where({ context }).first('nid')) as { nid: number } | undefined;
    if (other && Number(other.nid) !== n.nid) problem('context', `Another ${n.type} is already called ${context}.`);
  }
  if (n.type === 'platform') {
    const same = (await db('hosting_platform').where({ server_nid: Number(n.fields.server), root: String(n.fields.root) }).whereNot({ status: 'deleted' }).first('nid')) as { nid: number } | undefined;
    if (same && Number(same.nid) !== n.nid) problem('root', 'Another platform of this server has this path.');
  }
  if (n.type !== 'site') return;
  if (original) {
    // Where a site lives is the back end's: once it exists there, only a migrate moves it.
    const row = (await db('hosting_site').where({ nid: n.nid }).first('status')) as { status: string } | undefined;
    if (row && !['new', 'failed'].includes(row.status)) {
      const fixed: [string, unknown, unknown, string][] = [
        ['title', original.title.trim().toLowerCase(), n.title.trim().toLowerCase(), 'domain'],
        ['platform', original.fields.platform, n.fields.platform, 'platform'],
        ['db_server', original.fields.db_server, n.fields.db_server, 'database server'],
        ['profile', original.fields.profile, n.fields.profile, 'install profile'],
      ];
      for (const [field, was, now, what] of fixed) {
        if (String(was ?? '') === String(now ?? '')) continue;
        problem(field, field === 'profile' ? `The site is ${row.status}: its ${what} cannot change.` : `The site is ${row.status}: its ${what} changes only through a migrate task.`);
      }
      if (e.problems.length) return;
    }
  }
  const names = [n.title.trim().toLowerCase(), ...aliasesOf(n.fields.aliases)];
  const taken = (await db('hosting_domain').whereIn('domain', names).select('domain', 'site_nid')) as { domain: string; site_nid: number }[];
  for (const t of taken) {
    if (Number(t.site_nid) === n.nid) continue;
    problem(t.domain === names[0] ? 'title' : 'aliases', `${t.domain} is already a domain or alias of another site.`);
  }
  const moved = !original || original.fields.platform !== n.fields.platform || original.fields.profile !== n.fields.profile;
  if (moved) {
    const p = (await db('hosting_platform').where({ nid: Number(n.fields.platform) }).first('status', 'locked')) as { status: string; locked: number } | undefined;
    if (p && p.status !== 'verified') problem('platform', 'The platform is not verified yet: verify it (or wait for its verify) first.');
    else if (p && Number(p.locked) === 1) problem('platform', 'The platform is locked: it takes no new sites.');
    else if (p) {
      const profile = await db('hosting_package_instance as i').join('hosting_package as k', 'k.nid', 'i.package_nid')
        .where({ 'i.platform_nid': Number(n.fields.platform), 'k.type': 'profile', 'k.name': String(n.fields.profile) }).first('k.nid');
      if (!profile) problem('profile', `The platform has no install profile "${String(n.fields.profile)}".`);
    }
  }
  if (!original || original.fields.db_server !== n.fields.db_server) {
    // Empty: the platform's server (filled in before the save).
    const server = n.fields.db_server ?? ((await db('hosting_platform').where({ nid: Number(n.fields.platform) }).first('server_nid')) as { server_nid: number } | undefined)?.server_nid;
    const s = (await db('hosting_server').where({ nid: Number(server) }).first('db')) as { db: string | null } | undefined;
    if (s && !s.db) problem('db_server', 'That server offers no database service.');
  }
}
