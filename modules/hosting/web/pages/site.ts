import type { RequestContext } from '../../../../core/http/types.js';
import { template, type Renderable } from '../../../../core/theme/renderable.js';
import { formatDate } from '../../../node/render.js';
import type { Node } from '../../../node/types.js';
import { DOWNLOAD_BACKUPS } from '../../access/permissions.js';
import { ADMINISTER_HOSTING, scopeOf } from '../../access/scope.js';
import { loadObject } from '../../objects/object.js';
import { badgeOf } from '../badges.js';
import { taskButtons } from '../buttons.js';
import { nodeLink, objectTasks, size } from './common.js';

interface SiteRow {
  domain: string; status: string; profile: string; redirection: number; verified: number; platform_nid: number; platform: string;
  db_server_nid: number; db_server: string; client_nid: number | null; client: string | null; services: string | null; hostmaster: number;
}

/** The address a site is served at: its domain, with the port of its web server when that is not 80. */
export function siteUrl(domain: string, servicesJson: string | null): string {
  let port: unknown;
  try { port = (JSON.parse(servicesJson ?? '{}') as { http?: { port?: unknown } }).http?.port; } catch { /* no port known */ }
  const p = Number(port);
  return `http://${domain}${Number.isInteger(p) && p > 0 && p !== 80 ? `:${p}` : ''}/`;
}

/**
 * A site's page: its domain (a link to open it), aliases, platform, db
 * server, profile, client and status; the task buttons the account may use
 * in its state (Log in among them); its newest tasks; its backups with
 * restore, delete and download for those allowed.
 */
export async function sitePage(ctx: RequestContext, node: Node): Promise<Renderable> {
  const db = ctx.site.db;
  const s = (await db('hosting_site as s').join('node as pn', 'pn.nid', 's.platform_nid').join('hosting_platform as p', 'p.nid', 's.platform_nid')
    .join('hosting_server as ps', 'ps.nid', 'p.server_nid').join('node as dn', 'dn.nid', 's.db_server_nid').leftJoin('hosting_client as c', 'c.nid', 's.client_nid')
    .where('s.nid', node.nid)
    .first('s.domain', 's.status', 's.profile', 's.redirection', 's.verified', 's.platform_nid', 'pn.title as platform', 's.db_server_nid', 'dn.title as db_server',
      's.client_nid', 'c.name as client', 'ps.services', 's.hostmaster')) as SiteRow | undefined;
  const object = await loadObject(db, node.nid);
  if (!s || !object) return template('hosting/site', { missing: true });
  const aliases = ((await db('hosting_domain').where({ site_nid: node.nid, alias: 1 }).orderBy('domain').select('domain')) as { domain: string }[]).map((a) => a.domain);
  const buttons = taskButtons(ctx, object);
  const byName = new Map(buttons.map((b) => [b.name, b]));
  const scope = await scopeOf(ctx.site, ctx.account);
  const mayDownload = ctx.account.hasPermission(DOWNLOAD_BACKUPS) || ctx.account.hasPermission(ADMINISTER_HOSTING);
  const backups = ((await db('hosting_backup').where({ site_nid: node.nid }).orderBy('created', 'desc').limit(100)) as { bid: number; created: number; description: string; bytes: number }[]).map((b) => ({
    date: formatDate(Number(b.created)), description: b.description, size: size(Number(b.bytes)),
    restore: byName.has('restore') ? `${byName.get('restore')!.href}?backup=${b.bid}` : undefined,
    remove: byName.has('backup-delete') ? `${byName.get('backup-delete')!.href}?backup=${b.bid}` : undefined,
    download: mayDownload ? ctx.url('hosting.backup_download', { bid: b.bid }) : undefined,
  }));
  return template('hosting/site', {
    site: {
      domain: s.domain, url: ['installed'].includes(s.status) ? siteUrl(s.domain, s.services) : undefined, status: s.status, badge: badgeOf(s.status),
      aliases, redirection: Number(s.redirection) === 1, profile: s.profile, verified: Number(s.verified) ? formatDate(Number(s.verified)) : 'never',
      platform: nodeLink(ctx, Number(s.platform_nid), s.platform),
      // Servers are seen with "manage platforms" only: others get the name without a link that would answer 403.
      dbServer: scope.allPlatforms ? nodeLink(ctx, Number(s.db_server_nid), s.db_server) : { text: s.db_server },
      client: nodeLink(ctx, s.client_nid === null ? null : Number(s.client_nid), s.client), hostmaster: Number(s.hostmaster) === 1,
    },
    login: byName.get('login-reset'),
    buttons: buttons.filter((b) => b.name !== 'login-reset' && b.name !== 'restore' && b.name !== 'backup-delete'),
    tasks: await objectTasks(ctx, node.nid),
    backups,
  });
}
