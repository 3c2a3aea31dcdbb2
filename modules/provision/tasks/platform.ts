import { join, posix } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { platformRootProblem } from '../context/platform-root.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import type { Upstream } from '../service/types.js';
import { platformApp, platformCli, type PlatformInfo, type PlatformTaskContext } from './platform-context.js';
import { readFetched, removeFetched, writeFetched } from './platform-record.js';

/** Whether this task fetched the platform's code (noted in its journal before the fetch began). */
const fetchedHere = (ctx: PlatformTaskContext): boolean => ctx.notes.get<string>('fetch.root') === ctx.platform.root;

/** Why the platform's root must not be touched, checked against everything the back end knows now. */
function rootProblem(ctx: PlatformTaskContext): string | undefined {
  const platforms = ctx.contexts.list('platform').filter((p) => p.name !== ctx.platform.name);
  return platformRootProblem(ctx.platform.root, { server: ctx.server.name, local: ctx.exec.local, home: ctx.home, codebase: posix.dirname(posix.dirname(ctx.aegirBin)), platforms });
}

/**
 * provision-verify of a platform: fetch its code from git when it has a
 * git source and is not there yet (into a folder this task makes, recorded
 * as fetched by the back end), install its dependencies when missing, read
 * what it offers (modules and profiles with versions, site folders to
 * import), and make sure its app process runs.
 */
export const platformVerifySteps: readonly WeightedStep<PlatformTaskContext>[] = [
  {
    weight: 10,
    step: {
      name: 'fetch',
      title: 'Fetch the platform\'s code',
      async run(ctx) {
        const { root, git } = ctx.platform;
        const problem = rootProblem(ctx);
        if (problem) throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.platform.name, problem: `its root ${root} ${problem}` });
        if (await ctx.exec.exists(root)) {
          if (git && !readFetched(ctx.home, ctx.platform.name)) ctx.logger.notice(`${root} was already there: it is used as it is, and a platform delete will leave it in place.`);
          return;
        }
        if (!git) throw new AegirError('ERR_CONTEXT_INVALID', { name: ctx.platform.name, problem: `${root} does not exist on @${ctx.server.name} and the platform has no git source to build it from` });
        await ctx.exec.mkdir(posix.dirname(root), 0o755);
        // mkdir without -p fails when the folder appeared meanwhile: what this task removes on undo is only ever what it made.
        await ctx.exec.run(['mkdir', '-m', '0755', '--', root]);
        ctx.notes.set('fetch.root', root);
        writeFetched(ctx.home, ctx.platform.name, { root, server: ctx.server.name, url: git.url, ref: git.ref, at: new Date().toISOString() });
        // "--" keeps a URL or path from ever being read as an option.
        await ctx.exec.run(['git', 'clone', '--quiet', '--no-checkout', '--', git.url, root], { timeoutMs: 15 * 60_000 });
        await ctx.exec.run(['git', '-C', root, 'checkout', '--quiet', git.ref, '--'], { timeoutMs: 5 * 60_000 });
      },
      async undo(ctx) {
        if (!fetchedHere(ctx)) return false;
        const removed = await ctx.exec.remove(ctx.platform.root);
        return removeFetched(ctx.home, ctx.platform.name) || removed;
      },
    },
  },
  {
    weight: 20,
    step: {
      name: 'dependencies',
      title: 'Install the platform\'s dependencies',
      async run(ctx) {
        const root = ctx.platform.root;
        if (await ctx.exec.exists(join(root, 'node_modules'))) return;
        if (!(await ctx.exec.exists(join(root, 'package-lock.json')))) return;
        ctx.notes.set('deps.installed', true);
        await ctx.exec.run(['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: root, timeoutMs: 20 * 60_000 });
      },
      async undo(ctx) {
        return ctx.notes.get<boolean>('deps.installed') === true && (await ctx.exec.remove(join(ctx.platform.root, 'node_modules')));
      },
    },
  },
  {
    weight: 30,
    step: {
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
  },
  {
    weight: 40,
    step: {
      name: 'app',
      title: 'Make sure the platform\'s app process runs',
      async run(ctx) {
        const app = platformApp(ctx);
        if (app) ctx.state.set('upstream', await app.impl.ensure(app.env, ctx.platform));
      },
      async undo(ctx) {
        // An app process for code this task fetched (and is taking back) must not outlive it.
        const app = platformApp(ctx);
        return app !== undefined && fetchedHere(ctx) && (await app.impl.stop(app.env, ctx.platform));
      },
    },
  },
];

/**
 * provision-delete of a platform: refused while any site uses it (contexts
 * or installed site folders, and no site task may hold it meanwhile);
 * stops its app process and removes its code only when the back end
 * fetched that code itself.
 */
export const platformDeleteSteps: readonly WeightedStep<PlatformTaskContext>[] = [
  {
    weight: 10,
    step: {
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
  },
  {
    weight: 20,
    step: {
      name: 'app',
      title: 'Stop the platform\'s app process',
      async run(ctx) {
        const app = platformApp(ctx);
        ctx.notes.set('app.stopped', app !== undefined && (await app.impl.stop(app.env, ctx.platform)));
      },
      async undo(ctx) {
        const app = platformApp(ctx);
        if (!app || !ctx.notes.get<boolean>('app.stopped')) return false;
        await app.impl.ensure(app.env, ctx.platform);
        return true;
      },
    },
  },
  {
    weight: 30,
    step: {
      name: 'code',
      title: 'Remove the platform\'s code (only code the back end fetched itself) and its context',
      commit: true,
      async run(ctx) {
        const record = readFetched(ctx.home, ctx.platform.name);
        const problem = rootProblem(ctx);
        if (record?.root === ctx.platform.root && record.server === ctx.server.name && !problem) {
          await ctx.exec.remove(ctx.platform.root);
        } else if (await ctx.exec.exists(ctx.platform.root)) {
          ctx.logger.notice(`${ctx.platform.root} was left in place: the back end did not fetch it${problem ? ` (and it ${problem})` : ''}.`);
        }
        removeFetched(ctx.home, ctx.platform.name);
        if (ctx.contexts.find(ctx.platform.name)) ctx.contexts.delete(ctx.platform.name);
      },
    },
  },
];

/** provision-verify of a platform. */
export const platformVerifyTask = defineTask({
  name: 'platform-verify',
  on: 'platform',
  command: 'provision-verify',
  description: 'A platform: fetch it from git if missing, install its dependencies, list its modules, profiles and site folders, start its app process.',
  steps: platformVerifySteps,
  result(ctx) {
    const info = ctx.state.get('info') as PlatformInfo;
    const up = ctx.state.get('upstream') as Upstream | undefined;
    ctx.logger.info(`Profiles: ${info.profiles.join(', ') || 'none'}; ${info.modules.length} modules; site folders: ${info.sites.join(', ') || 'none'}.`);
    ctx.logger.success(`@${ctx.platform.name} verified.`);
    return { data: { ...info, app: up ? ('socket' in up ? up.socket : `${up.host}:${up.port}`) : null } as never };
  },
});

/** provision-delete of a platform. */
export const platformDeleteTask = defineTask({
  name: 'platform-delete',
  on: 'platform',
  command: 'provision-delete',
  description: 'A platform: refused while sites use it; stops its app process, removes code the back end fetched itself (never a folder that was there before) and its context.',
  steps: platformDeleteSteps,
  refusals: ['ERR_CONTEXT_IN_USE'],
  result(ctx) {
    ctx.logger.success(`Deleted platform @${ctx.platform.name}.`);
    return { data: { platform: ctx.platform.name } };
  },
});
