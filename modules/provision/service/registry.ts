import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { ServerContext } from '../context/types.js';
import { withSiteAliases } from './http/site-aliases.js';
import type { AppService, DbService, HttpService, ServiceEnv, ServiceImplementation, UpstreamAccess } from './types.js';

type ByKind = { db: DbService; http: HttpService; app: AppService };

/** Service implementations of a kernel by kind and type, collected once per kernel. */
export function serviceImplementations(kernel: Kernel): ReadonlyMap<string, ServiceImplementation> {
  return kernel.registry('provision.services', () => {
    const out = new Map<string, ServiceImplementation>();
    for (const { value } of kernel.hooks.collect('provision.services')) {
      const key = `${value.kind}/${value.type}`;
      if (!out.has(key)) out.set(key, value);
    }
    return out;
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
