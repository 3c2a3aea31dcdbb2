import type { NodeCheckEvent } from '../../node/hooks.js';
import { scopeOf, seesPlatform } from './scope.js';

/**
 * node.check of a site against the saving account's scope (administrators
 * of hosting are not limited): its client must be one granted to the
 * account (else the site would vanish from their view, or land in another
 * client's), its platform one their clients may use, and its database
 * server one they may see, or the platform's own server (left empty).
 */
export async function checkSiteScope(e: NodeCheckEvent): Promise<void> {
  const { node: n, site, account } = e;
  if (n.type !== 'site') return;
  const scope = await scopeOf(site, account);
  if (scope.all) return;
  const client = n.fields.client === null || n.fields.client === undefined ? null : Number(n.fields.client);
  if (client === null || !scope.clients.includes(client)) e.problems.push({ field: 'client', message: 'Choose one of your clients.' });
  const platform = Number(n.fields.platform);
  const moved = !e.original || Number(e.original.fields.platform) !== platform;
  if (moved && !seesPlatform(scope, platform)) e.problems.push({ field: 'platform', message: 'Choose one of the platforms your clients may use.' });
  const dbServer = n.fields.db_server === null || n.fields.db_server === undefined || n.fields.db_server === '' ? null : Number(n.fields.db_server);
  if (dbServer !== null && !scope.allPlatforms && (!e.original || Number(e.original.fields.db_server) !== dbServer)) {
    const own = (await site.db('hosting_platform').where({ nid: platform }).first('server_nid')) as { server_nid: number } | undefined;
    if (!own || Number(own.server_nid) !== dbServer) e.problems.push({ field: 'db_server', message: 'Leave the database server empty: the platform\'s server keeps the site\'s database.' });
  }
}
