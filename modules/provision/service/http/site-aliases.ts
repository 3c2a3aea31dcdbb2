import { posix } from 'node:path';
import { withHostMutex } from '../../../../core/lock/host-mutex.js';
import type { PlatformContext, SiteProvisionContext } from '../../context/types.js';
import type { HttpService, ServiceEnv } from '../types.js';

/** The lock of one platform's sites/sites.json, in the back end's home (every task process changes it holding this). */
const lockOf = (env: ServiceEnv, platform: string): string => posix.join(env.home, 'locks', `sites-json-${platform}.lock`);

/**
 * Point a site's aliases at its folder in its platform's `sites/sites.json`
 * (the multisite map by which the platform's app finds the site for a host
 * name that is not its folder's), replacing what pointed at the folder
 * before; no aliases takes the site out. A map left empty is removed.
 * Read, changed and written atomically on the platform's server, holding
 * the platform's lock.
 */
export async function setSiteAliases(env: ServiceEnv, platform: PlatformContext, site: string, aliases: readonly string[]): Promise<boolean> {
  const file = posix.join(platform.root, 'sites', 'sites.json');
  return withHostMutex(lockOf(env, platform.name), async () => {
    const exists = await env.exec.exists(file);
    let map: Record<string, string> = {};
    if (exists) {
      try {
        const raw = JSON.parse((await env.exec.readFile(file)).toString('utf8')) as { aliases?: Record<string, string> };
        map = { ...(raw.aliases ?? {}) };
      } catch {
        // A damaged map is rebuilt from the sites the back end writes into it; the log of the next site says so.
        env.logger.warning(`${file} was not valid JSON: it is written anew.`);
      }
    }
    const before = JSON.stringify(map);
    for (const [from, to] of Object.entries(map)) if (to === site) delete map[from];
    for (const a of aliases) map[a] = site;
    if (JSON.stringify(map) === before && exists) return false;
    if (!Object.keys(map).length) {
      if (exists) await env.exec.remove(file);
      return exists;
    }
    const sorted = Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
    await env.exec.writeFile(file, `${JSON.stringify({ aliases: sorted }, null, 2)}\n`, 0o644);
    return true;
  }, { what: `sites/sites.json of @${platform.name}` });
}

/**
 * An http service that also keeps the platform's alias map: writing a
 * site's virtual host points its aliases at its folder, removing it takes
 * them out. Every http service (a contrib one too) gets this from the
 * registry, so that an alias always reaches its site.
 */
export function withSiteAliases(impl: HttpService): HttpService {
  const out: HttpService = Object.create(impl) as HttpService;
  return Object.assign(out, {
    async writeSite(env: ServiceEnv, site: SiteProvisionContext, platform: PlatformContext, upstream: Parameters<HttpService['writeSite']>[3]) {
      await impl.writeSite(env, site, platform, upstream);
      await setSiteAliases(env, platform, site.name, site.aliases);
    },
    async removeSite(env: ServiceEnv, site: SiteProvisionContext) {
      const removed = await impl.removeSite(env, site);
      const platform = env.contexts.find(site.platform);
      const aliases = platform?.type === 'platform' ? await setSiteAliases(env, platform, site.name, []) : false;
      return removed || aliases;
    },
  });
}
