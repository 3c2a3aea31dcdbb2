import type { PlatformContext, ServerContext, SiteProvisionContext } from '../context/types.js';
import type { ExecOptions, ExecResult, Executor } from '../executor/types.js';
import { serviceOf, upstreamAccessOf } from '../service/registry.js';
import type { AppService, DbService, HttpService, ServiceEnv } from '../service/types.js';
import type { Claim } from '../runner/claims.js';
import type { TaskContextBase } from '../runner/context.js';

/** Everything a site task's steps share. */
export interface SiteTaskContext extends TaskContextBase {
  readonly site: SiteProvisionContext;
  readonly platform: PlatformContext;
  /** The platform's server: where the site's files live and its app runs. */
  readonly appServer: ServerContext;
  readonly dbServer: ServerContext;
  readonly appExec: Executor;
  readonly dbExec: Executor;
}

/** The service implementation and its environment, for a server and kind. */
export function service<K extends 'db' | 'http' | 'app'>(ctx: SiteTaskContext, server: ServerContext, kind: K): {
  impl: { db: DbService; http: HttpService; app: AppService }[K];
  env: ServiceEnv;
} {
  const impl = serviceOf(ctx.kernel, server, kind);
  const exec = server.name === ctx.appServer.name ? ctx.appExec : ctx.dbExec;
  const env: ServiceEnv = { server, config: server.services[kind]!, exec, logger: ctx.logger, contexts: ctx.contexts, secrets: ctx.secrets, home: ctx.home, aegirBin: ctx.aegirBin };
  return { impl, env: kind === 'app' ? { ...env, upstreamAccess: upstreamAccessOf(ctx.kernel, env) } : env };
}

/** Host name the app server's processes use to reach the db server ("localhost" when they are one machine). */
export function appHostFor(ctx: SiteTaskContext): string {
  return ctx.appServer.name === ctx.dbServer.name || ctx.appServer.host === 'localhost' ? 'localhost' : ctx.appServer.host;
}

/** Run the platform's own command line on its server (`node <root>/bin/aegir ...`), in the platform root. */
export function platformAegir(ctx: SiteTaskContext, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const node = ctx.appExec.local ? process.execPath : 'node';
  return ctx.appExec.run([node, `${ctx.platform.root}/bin/aegir`, ...args], { cwd: ctx.platform.root, timeoutMs: 10 * 60_000, ...opts });
}

/** Where a site's folder is on its platform's server. */
export function siteDirOf(ctx: SiteTaskContext): string {
  return `${ctx.platform.root}/sites/${ctx.site.name}`;
}

/** The names every site task holds besides its site: its platform, shared (a platform delete waits for them). */
export function siteClaims(ctx: SiteTaskContext): Claim[] {
  return [{ name: ctx.platform.name, mode: 'shared' }];
}
