import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { Logger } from '../../../core/logger/logger.js';
import type { ContextStore } from '../context/store.js';
import type { PlatformContext, ServerContext } from '../context/types.js';
import type { Executor } from '../executor/types.js';
import { serviceOf } from '../service/registry.js';
import type { Secrets } from '../service/secrets.js';
import type { ServiceEnv } from '../service/types.js';
import type { TaskStep } from '../runner/step.js';

/** What a platform task's steps share. */
export interface PlatformTaskContext {
  readonly home: string;
  readonly kernel: Kernel;
  readonly contexts: ContextStore;
  readonly secrets: Secrets;
  readonly logger: Logger;
  readonly platform: PlatformContext;
  readonly server: ServerContext;
  readonly exec: Executor;
  readonly aegirBin: string;
  readonly state: Map<string, unknown>;
}

/** What `platform-info` of a platform reports. */
export interface PlatformInfo {
  readonly core: string;
  readonly root: string;
  readonly modules: readonly { name: string; type: string; version: string | null; package: string; origin: string }[];
  readonly profiles: readonly string[];
  readonly sites: readonly string[];
}

function appEnv(ctx: PlatformTaskContext): ServiceEnv | undefined {
  const config = ctx.server.services.app;
  return config ? { server: ctx.server, config, exec: ctx.exec, logger: ctx.logger, contexts: ctx.contexts, secrets: ctx.secrets, home: ctx.home, aegirBin: ctx.aegirBin } : undefined;
}

/** Run the platform's own command line on its server. */
function platformCli(ctx: PlatformTaskContext, args: readonly string[]) {
  return ctx.exec.run([ctx.exec.local ? process.execPath : 'node', join(ctx.platform.root, 'bin', 'aegir'), ...args], { cwd: ctx.platform.root, timeoutMs: 5 * 60_000 });
}

/**
 * provision-verify of a platform: fetch its code from git when it has a
 * git source and is not there yet, install its dependencies when missing,
 * read what it offers (modules and profiles with versions, site folders to
 * import), and make sure its app process runs.
 */
export const platformVerifySteps: readonly TaskStep<PlatformTaskContext>[] = [
  {
    name: 'fetch',
    title: 'Fetch the platform\'s code',
    async run(ctx) {
      const { root, git } = ctx.platform;
      if (await ctx.exec.exists(root)) return;
      if (!git) throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.platform.name, problem: `${root} does not exist on @${ctx.server.name} and the platform has no git source to build it from` });
      ctx.state.set('cloned', true);
      // "--" keeps a URL or path from ever being read as an option.
      await ctx.exec.run(['git', 'clone', '--quiet', '--no-checkout', '--', git.url, root], { timeoutMs: 15 * 60_000 });
      await ctx.exec.run(['git', '-C', root, 'checkout', '--quiet', git.ref, '--'], { timeoutMs: 5 * 60_000 });
    },
    async undo(ctx) {
      if (ctx.state.get('cloned')) await ctx.exec.remove(ctx.platform.root);
    },
  },
  {
    name: 'dependencies',
    title: 'Install the platform\'s dependencies',
    async run(ctx) {
      const root = ctx.platform.root;
      if (await ctx.exec.exists(join(root, 'node_modules'))) return;
      if (!(await ctx.exec.exists(join(root, 'package-lock.json')))) return;
      ctx.state.set('installedDeps', true);
      await ctx.exec.run(['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: root, timeoutMs: 20 * 60_000 });
    },
    async undo(ctx) {
      if (ctx.state.get('installedDeps')) await ctx.exec.remove(join(ctx.platform.root, 'node_modules'));
    },
  },
  {
    name: 'inspect',
    title: 'List the platform\'s modules, profiles and site folders',
    async run(ctx) {
      if (!(await ctx.exec.exists(join(ctx.platform.root, 'bin', 'aegir')))) {
        throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.platform.name, problem: `${ctx.platform.root} is not a codebase of this framework (no bin/aegir)` });
      }
      const { stdout } = await platformCli(ctx, ['platform-info', '--format=json', '-q']);
      ctx.state.set('info', JSON.parse(stdout) as PlatformInfo);
    },
  },
  {
    name: 'app',
    title: 'Make sure the platform\'s app process runs',
    async run(ctx) {
      const env = appEnv(ctx);
      if (!env) return;
      const up = await serviceOf(ctx.kernel, ctx.server, 'app').ensure(env, ctx.platform);
      ctx.state.set('upstream', up);
    },
    async undo(ctx) {
      // An app process for code this task fetched (and is taking back) must not outlive it.
      const env = appEnv(ctx);
      if (env && ctx.state.get('cloned')) await serviceOf(ctx.kernel, ctx.server, 'app').stop(env, ctx.platform);
    },
  },
];

/**
 * provision-delete of a platform: refused while any site uses it (contexts
 * or installed site folders); stops its app process and, for a platform
 * built from git, removes its code.
 */
export const platformDeleteSteps: readonly TaskStep<PlatformTaskContext>[] = [
  {
    name: 'check',
    title: 'Check that no site uses the platform',
    async run(ctx) {
      const users = ctx.contexts.usersOf(ctx.platform.name);
      let folders: string[] = [];
      if (await ctx.exec.exists(join(ctx.platform.root, 'bin', 'aegir'))) {
        folders = (JSON.parse((await platformCli(ctx, ['platform-info', '--format=json', '-q'])).stdout) as PlatformInfo).sites.map((s) => `sites/${s}`);
      }
      if (users.length || folders.length) {
        throw new AegirError('ERR_CONTEXT_IN_USE', { name: ctx.platform.name, action: 'deleted', users: [...users, ...folders].join(', ') });
      }
    },
  },
  {
    name: 'app',
    title: 'Stop the platform\'s app process',
    async run(ctx) {
      const env = appEnv(ctx);
      if (env) await serviceOf(ctx.kernel, ctx.server, 'app').stop(env, ctx.platform);
    },
    async undo(ctx) {
      const env = appEnv(ctx);
      if (env) await serviceOf(ctx.kernel, ctx.server, 'app').ensure(env, ctx.platform);
    },
  },
  {
    name: 'code',
    title: 'Remove the platform\'s code (only when it was built from git)',
    commit: true,
    async run(ctx) {
      if (ctx.platform.git) await ctx.exec.remove(ctx.platform.root);
    },
  },
];
