import type { RequestContext } from '../../../../core/http/types.js';
import { template, type Renderable } from '../../../../core/theme/renderable.js';
import { formatDate } from '../../../node/render.js';
import type { Node } from '../../../node/types.js';
import { scopeOf, seesPlatform, whereSiteInScope } from '../../access/scope.js';
import { loadObject } from '../../objects/object.js';
import { badge, badgeOf } from '../badges.js';
import { taskButtons } from '../buttons.js';
import { nodeLink, objectTasks } from './common.js';

/** Rows of the lists on a platform's or server's page. */
const SHOWN = 100;

/** Where a version came from, as pages say it: git (vcs_deploy), module.json, or another module's own word. */
export function versionFrom(origin: unknown): string {
  return origin === 'vcs' ? 'git' : origin === 'manifest' ? 'module.json' : typeof origin === 'string' ? origin : '';
}

/**
 * A platform's page: its server, path, git source, core version, its own
 * version (and where it came from), state;
 * its task buttons; the sites on it that the account sees; its modules and
 * profiles with their versions; its newest tasks.
 */
export async function platformPage(ctx: RequestContext, node: Node): Promise<Renderable> {
  const db = ctx.site.db;
  const p = (await db('hosting_platform as p').join('node as sn', 'sn.nid', 'p.server_nid').where('p.nid', node.nid)
    .first('p.*', 'sn.title as server')) as Record<string, unknown> | undefined;
  const object = await loadObject(db, node.nid);
  if (!p || !object) return template('hosting/platform', { missing: true });
  const scope = await scopeOf(ctx.site, ctx.account);
  const sites = (await whereSiteInScope(db('hosting_site as s'), scope, 's.client_nid').where('s.platform_nid', node.nid).whereNot('s.status', 'deleted')
    .orderBy('s.domain').limit(SHOWN).select('s.nid', 's.domain', 's.status', 's.profile')) as { nid: number; domain: string; status: string; profile: string }[];
  const packages = (await db('hosting_package_instance as i').join('hosting_package as k', 'k.nid', 'i.package_nid').where('i.platform_nid', node.nid)
    .orderBy([{ column: 'k.type', order: 'desc' }, { column: 'k.name' }]).select('k.nid', 'k.name', 'k.type', 'k.title', 'i.version', 'i.version_origin', 'i.origin')) as { nid: number; name: string; type: string; title: string | null; version: string | null; version_origin: string | null; origin: string | null }[];
  return template('hosting/platform', {
    platform: {
      status: Number(p.locked) === 1 ? 'locked' : String(p.status), badge: badgeOf(Number(p.locked) === 1 ? 'locked' : String(p.status)),
      server: nodeLink(ctx, Number(p.server_nid), String(p.server)), root: String(p.root), git: p.git_url ? `${String(p.git_url)} @ ${String(p.git_ref ?? '')}` : '',
      core: p.core ? String(p.core) : '', version: p.version ? String(p.version) : '', versionFrom: p.version ? versionFrom(p.version_origin) : '', verified: Number(p.verified) ? formatDate(Number(p.verified)) : 'never', hostmaster: Number(p.hostmaster) === 1,
    },
    buttons: taskButtons(ctx, object),
    sites: { headers: [{ label: 'Domain' }, { label: 'Status' }, { label: 'Profile' }], rows: sites.map((s) => [{ text: s.domain, href: ctx.url('node.view', { nid: Number(s.nid) }) }, badge(s.status), s.profile]) },
    packages: {
      headers: [{ label: 'Name' }, { label: 'Type' }, { label: 'Version' }, { label: 'Version from' }, { label: 'Found in' }],
      rows: packages.map((k) => [{ text: k.title ? `${k.title} (${k.name})` : k.name, href: ctx.url('node.view', { nid: Number(k.nid) }) }, k.type, k.version ?? 'unknown', k.version ? versionFrom(k.version_origin) : '', k.origin ?? '']),
    },
    tasks: await objectTasks(ctx, node.nid),
  });
}

/** A server's page: host, SSH, each service with its settings, its task buttons, its platforms and its newest tasks. */
export async function serverPage(ctx: RequestContext, node: Node): Promise<Renderable> {
  const db = ctx.site.db;
  const v = (await db('hosting_server').where({ nid: node.nid }).first()) as Record<string, unknown> | undefined;
  const object = await loadObject(db, node.nid);
  if (!v || !object) return template('hosting/server', { missing: true });
  let services: Record<string, Record<string, unknown>> = {};
  try { services = JSON.parse(String(v.services ?? '{}')) as typeof services; } catch { /* shown as none */ }
  const platforms = (await db('hosting_platform as p').join('node as n', 'n.nid', 'p.nid').where('p.server_nid', node.nid).whereNot('p.status', 'deleted')
    .orderBy('n.title').limit(SHOWN).select('p.nid', 'n.title', 'p.status', 'p.root')) as { nid: number; title: string; status: string; root: string }[];
  return template('hosting/server', {
    server: {
      context: String(v.context), host: String(v.host), status: String(v.status), badge: badgeOf(String(v.status)),
      ssh: v.ssh_user ? `${String(v.ssh_user)}@${String(v.host)}:${String(v.ssh_port ?? 22)}` : '', verified: Number(v.verified) ? formatDate(Number(v.verified)) : 'never', hostmaster: Number(v.hostmaster) === 1,
      services: Object.entries(services).map(([kind, s]) => ({ kind, type: String(s.type ?? ''), settings: Object.entries(s).filter(([k]) => k !== 'type').map(([k, x]) => `${k}=${String(x)}`).join(', ') })),
    },
    buttons: taskButtons(ctx, object),
    platforms: { headers: [{ label: 'Platform' }, { label: 'Status' }, { label: 'Path' }], rows: platforms.map((p) => [{ text: p.title, href: ctx.url('node.view', { nid: Number(p.nid) }) }, badge(p.status), p.root]) },
    tasks: await objectTasks(ctx, node.nid),
  });
}

/** A package's page: each platform it is on, with its version there and where that version came from. */
export async function packagePage(ctx: RequestContext, node: Node): Promise<Renderable> {
  const db = ctx.site.db;
  const k = (await db('hosting_package').where({ nid: node.nid }).first()) as { name: string; type: string; title: string | null } | undefined;
  const scope = await scopeOf(ctx.site, ctx.account);
  const rows = (await db('hosting_package_instance as i').join('node as n', 'n.nid', 'i.platform_nid').where('i.package_nid', node.nid).orderBy('n.title')
    .select('i.platform_nid', 'n.title', 'i.version', 'i.version_origin', 'i.origin')) as { platform_nid: number; title: string; version: string | null; version_origin: string | null; origin: string | null }[];
  const seen = rows.filter((r) => seesPlatform(scope, Number(r.platform_nid)));
  return template('hosting/package', {
    pkg: k ? { name: k.name, type: k.type, title: k.title ?? '' } : undefined,
    instances: {
      headers: [{ label: 'Platform' }, { label: 'Version' }, { label: 'Version from' }, { label: 'Found in' }],
      rows: seen.map((r) => [{ text: r.title, href: ctx.url('node.view', { nid: Number(r.platform_nid) }) }, r.version ?? 'unknown', r.version ? versionFrom(r.version_origin) : '', r.origin ?? '']),
    },
  });
}
