import { defineCommand } from '../../../core/cli/command.js';
import { composeSteps } from '../task/compose.js';
import { Journal } from '../task/journal.js';
import { recoverTask, runTask } from '../task/runner.js';
import { installSteps } from '../task/site-install.js';
import { homeOf, siteTask } from './common.js';
import { stepsForTask } from './tasks.js';

/** `aegir @example.com provision-install`: install a site on its platform, database server and web server. */
export const provisionInstall = defineCommand({
  name: 'provision-install',
  description: 'Install the site of the @context: database and user, the platform\'s site-install, app process, virtual host, alias; everything rolled back on failure.',
  bootstrap: 'backend',
  examples: ['aegir @example.com provision-install'],
  async run(ctx) {
    const task = await siteTask(ctx, 'provision-install');
    const home = homeOf(ctx);
    const interrupted = Journal.interrupted(home, task.site.name);
    if (interrupted) await recoverTask(home, interrupted, stepsForTask(task.kernel, interrupted.task), task, ctx.logger);
    const started = Date.now();
    await runTask({ task: 'install', context: task.site.name, steps: composeSteps(task.kernel, 'install', installSteps), ctx: task, logger: ctx.logger, home, fault: ctx.env.AEGIR_FAULT });
    ctx.logger.success(`Installed ${task.site.name} on @${task.platform.name} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return { data: { site: task.site.name, platform: task.platform.name, elapsedMs: Date.now() - started } };
  },
});
