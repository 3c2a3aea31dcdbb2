import type { Knex } from 'knex';
import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';

/** See every server, platform, site, client and task, and run every task type on them. */
export const ADMINISTER_HOSTING = 'administer hosting';
/** See and work on every server and platform (not every site: sites stay those of the clients granted). */
export const MANAGE_PLATFORMS = 'manage platforms';
/** Create clients and grant users and platforms to them; see every client. */
export const ADMINISTER_CLIENTS = 'administer clients';
/** See the hosting pages (dashboard, lists), limited to what the account may see. */
export const ACCESS_HOSTING = 'access hosting';

/**
 * What an account may see of the hosting objects. An administrator of
 * hosting sees everything; anyone else sees the sites of the clients they
 * are granted, the platforms those clients may use (every platform with
 * "manage platforms"), and servers only with "manage platforms".
 */
export interface Scope {
  /** Everything (administer hosting). */
  readonly all: boolean;
  /** Every server and platform (manage platforms, or all). */
  readonly allPlatforms: boolean;
  /** Every client (administer clients, or all). */
  readonly allClients: boolean;
  /** The clients granted to the account. */
  readonly clients: readonly number[];
  /** Platforms the granted clients may use; undefined: every platform. */
  readonly platforms: readonly number[] | undefined;
}

const cache = new WeakMap<Account, Promise<Scope>>();

/** The scope of an account (memoised per account object, which lives for one request or one command). */
export function scopeOf(site: SiteContext, account: Account): Promise<Scope> {
  let s = cache.get(account);
  if (!s) {
    s = loadScope(site.db, account);
    cache.set(account, s);
  }
  return s;
}

async function loadScope(db: Knex, account: Account): Promise<Scope> {
  const all = account.hasPermission(ADMINISTER_HOSTING);
  const allPlatforms = all || account.hasPermission(MANAGE_PLATFORMS);
  const allClients = all || account.hasPermission(ADMINISTER_CLIENTS);
  if (all || account.anonymous || account.uid <= 0) return { all, allPlatforms, allClients, clients: [], platforms: allPlatforms ? undefined : [] };
  const clients = ((await db('hosting_client_user').where({ uid: account.uid }).select('client_nid')) as { client_nid: number }[]).map((r) => Number(r.client_nid));
  if (allPlatforms || !clients.length) return { all, allPlatforms, allClients, clients, platforms: allPlatforms ? undefined : [] };
  // A client with no platform listed may use every platform.
  const limits = (await db('hosting_client_platform').whereIn('client_nid', clients).select('client_nid', 'platform_nid')) as { client_nid: number; platform_nid: number }[];
  const limited = new Set(limits.map((l) => Number(l.client_nid)));
  const platforms = clients.some((c) => !limited.has(c)) ? undefined : [...new Set(limits.map((l) => Number(l.platform_nid)))];
  return { all, allPlatforms, allClients, clients, platforms };
}

/** Whether the scope holds a site of this client (a site with no client: administrators only). */
export function seesClientSites(scope: Scope, clientNid: number | null): boolean {
  return scope.all || (clientNid !== null && scope.clients.includes(clientNid));
}

/** Whether the scope may use (and see) this platform. */
export function seesPlatform(scope: Scope, platformNid: number): boolean {
  return scope.allPlatforms || (scope.clients.length > 0 && (scope.platforms === undefined || scope.platforms.includes(platformNid)));
}

/** Limit a query of sites (column of the site's client) to the scope. */
export function whereSiteInScope<Q extends Knex.QueryBuilder>(q: Q, scope: Scope, clientColumn: string): Q {
  if (!scope.all) q.whereIn(clientColumn, scope.clients.length ? [...scope.clients] : [-1]);
  return q;
}

/**
 * Limit a query of tasks (`t` is hosting_task) to the scope: site tasks of
 * the clients granted; server and platform tasks only with "manage
 * platforms".
 */
export function whereTaskInScope<Q extends Knex.QueryBuilder>(db: Knex, q: Q, scope: Scope): Q {
  if (scope.all) return q;
  const clients = scope.clients.length ? [...scope.clients] : [-1];
  q.where((w) => {
    w.where((s) => s.where('t.object_kind', 'site').whereIn('t.site_nid', db('hosting_site').whereIn('client_nid', clients).select('nid')));
    if (scope.allPlatforms) w.orWhereIn('t.object_kind', ['server', 'platform']);
  });
  return q;
}
