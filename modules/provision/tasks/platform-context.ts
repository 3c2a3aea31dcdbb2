import type { PlatformContext, ServerContext } from '../context/types.js';
import type { Executor } from '../executor/types.js';
import type { TaskContextBase } from '../runner/context.js';
import { serviceOf, upstreamAccessOf } from '../service/registry.js';
import type { AppService, ServiceEnv } from '../service/types.js';

/** What a platform task's steps share. */
export interface PlatformTaskContext extends TaskContextBase {
  readonly platform: PlatformContext;
  readonly server: ServerContext;
  readonly exec: Executor;
}

/** What `platform-info` of a platform reports. */
export interface PlatformInfo {
  readonly core: string;
  readonly root: string;
  readonly modules: readonly { name: string; type: string; version: string | null; package: string; origin: string }[];
  readonly profiles: readonly string[];
  readonly sites: readonly string[];
}

/** The platform server's app service with its environment, when the server has one. */
export function platformApp(ctx: PlatformTaskContext): { impl: AppService; env: ServiceEnv } | undefined {
  const config = ctx.server.services.app;
  if (!config) return undefined;
  const env: ServiceEnv = { server: ctx.server, config, exec: ctx.exec, logger: ctx.logger, contexts: ctx.contexts, secrets: ctx.secrets, home: ctx.home, aegirBin: ctx.aegirBin };
  return { impl: serviceOf(ctx.kernel, ctx.server, 'app'), env: { ...env, upstreamAccess: upstreamAccessOf(ctx.kernel, env) } };
}

/** Run the platform's own command line on its server, in its root. */
export function platformCli(ctx: PlatformTaskContext, args: readonly string[]) {
  return ctx.exec.run([ctx.exec.local ? process.execPath : 'node', `${ctx.platform.root}/bin/aegir`, ...args], { cwd: ctx.platform.root, timeoutMs: 5 * 60_000 });
}
