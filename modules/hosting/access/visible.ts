import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';
import { ACCESS_HOSTING, scopeOf, seesClientSites, seesPlatform, type Scope } from './scope.js';

/** The node types of the hosting front end, whose visibility the scope decides. */
export const HOSTING_TYPES: ReadonlySet<string> = new Set(['server', 'platform', 'site', 'client', 'task', 'package']);

/** Whether a site (by node id) belongs to the scope. */
export async function siteInScope(site: SiteContext, scope: Scope, siteNid: number): Promise<boolean> {
  if (scope.all) return true;
  const r = (await site.db('hosting_site').where({ nid: siteNid }).first('client_nid')) as { client_nid: number | null } | undefined;
  return !!r && seesClientSites(scope, r.client_nid === null ? null : Number(r.client_nid));
}

/**
 * Whether an account may see a hosting object of `type` (its node id): a
 * site of a client granted to it, a platform its clients may use, a server
 * with "manage platforms", a client granted to it, a task on an object it
 * sees, a package with "access hosting". Everything for an administrator
 * of hosting. The one rule behind node pages, lists, task buttons, logs,
 * event streams and backup downloads.
 */
export async function mayView(site: SiteContext, account: Account, type: string, nid: number): Promise<boolean> {
  const scope = await scopeOf(site, account);
  if (scope.all) return true;
  switch (type) {
    case 'site': return siteInScope(site, scope, nid);
    case 'platform': return seesPlatform(scope, nid);
    case 'server': return scope.allPlatforms;
    case 'client': return scope.allClients || scope.clients.includes(nid);
    case 'package': return account.hasPermission(ACCESS_HOSTING);
    case 'task': {
      const t = (await site.db('hosting_task').where({ nid }).first('object_kind', 'site_nid')) as { object_kind: string; site_nid: number | null } | undefined;
      if (!t) return false;
      return t.object_kind === 'site' ? siteInScope(site, scope, Number(t.site_nid)) : scope.allPlatforms;
    }
    default: return true;
  }
}

/** Whether an account may create a hosting object of `type` at all (before its fields are known). */
export async function mayCreate(site: SiteContext, account: Account, type: string): Promise<boolean> {
  const scope = await scopeOf(site, account);
  if (type === 'site') return scope.all || scope.clients.length > 0;
  if (type === 'server' || type === 'platform') return scope.allPlatforms;
  if (type === 'client') return scope.allClients;
  return false;
}
