import type { CommandContext } from '../../../core/cli/command.js';
import { ContextStore } from '../context/store.js';
import { Secrets } from '../service/secrets.js';
import { executors } from '../runner/open.js';
import { platformDeleteSteps, platformVerifySteps, type PlatformInfo, type PlatformTaskContext } from '../tasks/platform.js';
import { Journal } from '../runner/journal.js';
import { recoverTask, runTask } from '../runner/runner.js';
import type { Upstream } from '../service/types.js';
import { aegirBinOf, homeOf } from './common.js';

async function open(ctx: CommandContext, name: string): Promise<PlatformTaskContext> {
  const home = homeOf(ctx);
  const contexts = new ContextStore(home);
  const platform = contexts.get(name, 'platform');
  const server = contexts.get(platform.server, 'server');
  return {
    home, kernel: ctx.kernel, contexts, secrets: new Secrets(home), logger: ctx.logger, platform, server,
    exec: await executors(home)(server), aegirBin: aegirBinOf(ctx), state: new Map(),
  };
}

async function run(ctx: CommandContext, t: PlatformTaskContext, task: 'platform-verify' | 'platform-delete'): Promise<void> {
  const steps = task === 'platform-verify' ? platformVerifySteps : platformDeleteSteps;
  const interrupted = Journal.interrupted(t.home, t.platform.name);
  if (interrupted) {
    await recoverTask(t.home, interrupted, interrupted.task === 'platform-verify' ? platformVerifySteps : platformDeleteSteps, t, ctx.logger);
  }
  await runTask({ task, context: t.platform.name, steps, ctx: t, logger: ctx.logger, home: t.home, fault: ctx.env.AEGIR_FAULT });
}

/** provision-verify of a platform: returns the report. */
export async function verifyPlatform(ctx: CommandContext, name: string): Promise<Record<string, unknown>> {
  const t = await open(ctx, name);
  try {
    await run(ctx, t, 'platform-verify');
  } finally {
    await t.exec.close();
  }
  const info = t.state.get('info') as PlatformInfo;
  const up = t.state.get('upstream') as Upstream | undefined;
  ctx.logger.info(`Profiles: ${info.profiles.join(', ') || 'none'}; ${info.modules.length} modules; site folders: ${info.sites.join(', ') || 'none'}.`);
  return { ...info, app: up ? ('socket' in up ? up.socket : `${up.host}:${up.port}`) : null };
}

/** provision-delete of a platform. */
export async function deletePlatform(ctx: CommandContext, name: string): Promise<void> {
  const t = await open(ctx, name);
  try {
    await run(ctx, t, 'platform-delete');
  } finally {
    await t.exec.close();
  }
  t.contexts.delete(name);
}
