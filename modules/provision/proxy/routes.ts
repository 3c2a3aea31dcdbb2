import { AegirError } from '../../../core/errors/aegir-error.js';
import { readJsonFile, MISSING } from '../../../core/util/json-file.js';
import { isDomain, isSafePath } from '../context/validate.js';
import type { Upstream } from '../service/types.js';

/** One site as the built-in proxy serves it. */
export interface ProxySite {
  readonly upstream: Upstream;
  readonly aliases: readonly string[];
  readonly redirection: boolean;
  readonly enabled: boolean;
}

/** The proxy's routes file: sites by main domain. */
export interface ProxyRoutes {
  readonly sites: Readonly<Record<string, ProxySite>>;
  /** Changes with every write; the proxy acknowledges the one it loaded (see ackFile). */
  readonly generation?: string | undefined;
}

/** Where the proxy writes the generation of the routes it serves, once loaded. */
export function ackFile(routesFile: string): string {
  return `${routesFile}.loaded`;
}

/** What a Host maps to. */
export type Route =
  | { readonly kind: 'proxy'; readonly site: string; readonly upstream: Upstream }
  | { readonly kind: 'redirect'; readonly to: string }
  | { readonly kind: 'disabled'; readonly site: string };

/** Validate an upstream address. */
export function checkUpstream(u: unknown, bad: (p: string) => never): Upstream {
  const o = u as Record<string, unknown>;
  if (o && typeof o.socket === 'string') {
    if (!isSafePath(o.socket) || o.socket.length > 107) return bad('an upstream socket must be a safe absolute path of at most 107 characters');
    return { socket: o.socket };
  }
  if (o && typeof o.host === 'string' && Number.isInteger(o.port)) {
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(o.host) || (o.port as number) < 1 || (o.port as number) > 65535) return bad('an upstream host and port are not valid');
    return { host: o.host, port: o.port as number };
  }
  return bad('an upstream is { socket } or { host, port }');
}

/** Read and validate a routes file (an absent file is no sites). */
export function readRoutes(file: string): ProxyRoutes {
  const raw = readJsonFile(file, 'ERR_SERVICE_FAILED', { optional: true });
  if (raw === MISSING) return { sites: {} };
  const bad = (problem: string): never => { throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: 'builtin proxy', problem: `${file}: ${problem}` }); };
  const sites = (raw as { sites?: unknown }).sites;
  if (typeof sites !== 'object' || sites === null || Array.isArray(sites)) return bad('"sites" must be an object');
  const out: Record<string, ProxySite> = {};
  for (const [domain, s] of Object.entries(sites as Record<string, Record<string, unknown>>)) {
    if (!isDomain(domain)) bad(`"${domain}" is not a domain`);
    const aliases = s.aliases ?? [];
    if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string' && isDomain(a))) bad(`aliases of ${domain} must be domains`);
    out[domain] = { upstream: checkUpstream(s.upstream, bad), aliases: aliases as string[], redirection: s.redirection === true, enabled: s.enabled !== false };
  }
  const generation = (raw as { generation?: unknown }).generation;
  if (generation !== undefined && (typeof generation !== 'string' || !/^[a-f0-9]{1,64}$/.test(generation))) bad('"generation" must be hex');
  return { sites: out, generation: generation as string | undefined };
}

/** Host name to route, for every domain and alias. */
export function routeMap(routes: ProxyRoutes): Map<string, Route> {
  const map = new Map<string, Route>();
  for (const [domain, s] of Object.entries(routes.sites)) {
    const main: Route = s.enabled ? { kind: 'proxy', site: domain, upstream: s.upstream } : { kind: 'disabled', site: domain };
    map.set(domain, main);
    for (const a of s.aliases) map.set(a, s.redirection ? { kind: 'redirect', to: domain } : main);
  }
  return map;
}
