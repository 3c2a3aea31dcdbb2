import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { ServerContext } from '../context/types.js';
import { withSiteAliases } from './http/site-aliases.js';
import type { AppService, DbService, HttpService, ServiceEnv, ServiceImplementation, UpstreamAccess } from './types.js';

type ByKind = { db: DbService; http: HttpService; app: AppService };

/** The kinds of service a server offers. */
const KINDS: readonly string[] = ['http', 'db', 'app'];
/** A service type is a machine name: it is stored in server contexts and names files. */
const TYPE = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Service implementations of a kernel by kind and type, collected once per
 * kernel. A kind other than http, db or app, a type that is not a machine
 * name (ERR_SERVICE_INVALID) and two modules providing one kind and type
 * (ERR_SERVICE_DUPLICATE, naming both) are refused: a server context names
 * its service by type, so a clash would silently pick one of them.
 */
export function serviceImplementations(kernel: Kernel): ReadonlyMap<string, ServiceImplementation> {
  return kernel.registry('provision.services', () => {
    const out = new Map<string, { module: string; value: ServiceImplementation }>();
    for (const { module, value } of kernel.hooks.collect('provision.services')) {
      const kind: unknown = value.kind;
      const type: unknown = value.type;
      if (typeof kind !== 'string' || !KINDS.includes(kind)) {
        throw new AegirError('ERR_SERVICE_INVALID', { module, field: 'kind', problem: `its kind ${JSON.stringify(kind)} is not one of ${KINDS.join(', ')}` });
      }
      if (typeof type !== 'string' || !TYPE.test(type)) {
        throw new AegirError('ERR_SERVICE_INVALID', { module, field: 'type', problem: `the type ${JSON.stringify(type)} of its ${kind} service is not a machine name (a lower-case letter, then up to 31 lower-case letters, digits or "_")` });
      }
      const key = `${kind}/${type}`;
      const prev = out.get(key);
      if (prev) throw new AegirError('ERR_SERVICE_DUPLICATE', { kind, type, first: prev.module, second: module });
      out.set(key, { module, value });
    }
    return new Map([...out].map(([k, v]) => [k, v.value]));
  });
}

/** The implementation of a server's service of one kind; ERR_SERVICE_UNKNOWN when the server has none or no module provides it. */
export function serviceOf<K extends keyof ByKind>(kernel: Kernel, server: ServerContext, kind: K): ByKind[K] {
  const impls = serviceImplementations(kernel);
  const cfg = server.services[kind];
  const available = [...impls.keys()].filter((k) => k.startsWith(`${kind}/`)).map((k) => k.slice(kind.length + 1)).join(', ') || 'none';
  if (!cfg) throw new AegirError('ERR_SERVICE_UNKNOWN', { server: server.name, service: kind, type: '(none configured)', available });
  const impl = impls.get(`${kind}/${cfg.type}`);
  if (!impl) throw new AegirError('ERR_SERVICE_UNKNOWN', { server: server.name, service: kind, type: cfg.type, available });
  // Every web server keeps the platform's alias map with its virtual hosts.
  return (kind === 'http' ? withSiteAliases(impl as HttpService) : impl) as ByKind[K];
}

/** Who must reach the app sockets of a server: what its http service says (owner only when it has none). */
export function upstreamAccessOf(kernel: Kernel, env: ServiceEnv): UpstreamAccess | undefined {
  const http = env.server.services.http;
  return http ? serviceOf(kernel, env.server, 'http').upstreamAccess({ ...env, config: http }) : undefined;
}
