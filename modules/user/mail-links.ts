import { isAegirError } from '../../core/errors/aegir-error.js';
import type { RequestContext } from '../../core/http/types.js';
import { isHostName, parseSiteAddress, siteDirFor, type SiteAddress } from '../../core/settings/uri.js';

const BASE_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;

/**
 * The names a site is known by: its folder under sites/ and every alias in
 * sites/sites.json that points to it. Each is a multisite candidate name
 * (`example.com`, `8080.example.com`, `example.com.sub`), as siteDirFor
 * makes them from an address.
 */
export function knownSiteNames(ctx: RequestContext): Set<string> {
  const names = new Set([ctx.site.name]);
  for (const [alias, folder] of Object.entries(ctx.site.codebase.aliases())) if (folder === ctx.site.name) names.add(alias);
  return names;
}

/** An address as the start of a URL: scheme, host, the port when not the default, the path. */
function origin(scheme: string, a: SiteAddress): string {
  return `${scheme}://${a.host}${a.port ? `:${a.port}` : ''}${a.path.map((s) => `/${s}`).join('')}`;
}

/**
 * The address a folder name stands for, in multisite's own convention: a
 * leading port label (`8080.example.com` is example.com:8080), else the
 * name as a host. Undefined for names that are no host (`default`).
 */
export function folderAddress(folder: string): SiteAddress | undefined {
  const m = /^(\d{1,5})\.(.*[a-z].*)$/.exec(folder);
  if (m && Number(m[1]) > 0 && Number(m[1]) < 65536 && isHostName(m[2]!)) return { host: m[2]!, port: Number(m[1]), path: [] };
  return folder !== 'default' && isHostName(folder) ? { host: folder, path: [] } : undefined;
}

/**
 * The address links in mail start with, never taken from an unchecked
 * header:
 *
 * 1. `user.base_url` when it is configured (and is an http(s) URL);
 * 2. the request's Host, but only when it names this site exactly (its
 *    folder or one of its aliases: `Host: evil.site.test` or
 *    `Host: site.test:31337` reach sites/site.test by multisite's fallback,
 *    and do not count);
 * 3. else the site's folder name as an address (sites/default has none:
 *    undefined, and the caller sends nothing).
 *
 * The scheme is the request's (the connection's, or X-Forwarded-Proto from
 * a trusted proxy only).
 */
export async function mailBaseUrl(ctx: RequestContext): Promise<string | undefined> {
  const configured = await ctx.site.config.get<string>('user.base_url');
  if (configured && BASE_URL.test(configured)) return configured.replace(/\/+$/, '');
  const scheme = ctx.req.protocol === 'https' ? 'https' : 'http';
  const known = knownSiteNames(ctx);
  try {
    const asked = parseSiteAddress(`${scheme}://${ctx.req.headers.host ?? ''}`);
    if (known.has(siteDirFor(asked))) return origin(scheme, asked);
  } catch (e) {
    if (!isAegirError(e)) throw e;
  }
  const own = folderAddress(ctx.site.name);
  return own ? origin(scheme, own) : undefined;
}
