import { checkServed } from './checks.js';
import { service, type SiteTaskContext } from './site-context.js';
import type { TaskStep } from '../runner/step.js';

/**
 * The steps of a site's provision-verify: its app process running, its
 * virtual host written again from its context, and the answer checked (the
 * site, or the disabled page). Run as a task, so that it waits for no
 * other task on the site and first undoes one that was interrupted.
 */
export const verifySteps: readonly { weight: number; step: TaskStep<SiteTaskContext> }[] = [
  {
    weight: 10,
    step: {
      name: 'serve',
      title: 'Start the platform\'s app and write the site\'s virtual host',
      async run(ctx) {
        const app = service(ctx, ctx.appServer, 'app');
        const upstream = await app.impl.ensure(app.env, ctx.platform);
        const http = service(ctx, ctx.appServer, 'http');
        await http.impl.writeSite(http.env, ctx.site, ctx.platform, upstream);
      },
    },
  },
  {
    weight: 20,
    step: { name: 'served', title: 'Check that the site answers', run: (ctx) => checkServed(ctx, ctx.site.enabled ? 200 : 503) },
  },
];
