import { defineCommand } from '../../../core/cli/command.js';
import { installSteps } from '../tasks/site-install.js';
import { runSiteTask } from './site-tasks.js';

/** `aegir @example.com provision-install`: install a site on its platform, database server and web server. */
export const provisionInstall = defineCommand({
  name: 'provision-install',
  description: 'Install the site of the @context: database and user, the platform\'s site-install, app process, virtual host, alias; everything rolled back on failure.',
  bootstrap: 'backend',
  examples: ['aegir @example.com provision-install'],
  async run(ctx) {
    const started = Date.now();
    const task = await runSiteTask(ctx, 'provision-install', 'install', installSteps);
    ctx.logger.success(`Installed ${task.site.name} on @${task.platform.name} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return { data: { site: task.site.name, platform: task.platform.name, elapsedMs: Date.now() - started } };
  },
});
