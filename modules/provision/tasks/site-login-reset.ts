import { AegirError } from '../../../core/errors/aegir-error.js';
import { defineTask } from '../runner/definition.js';
import { platformAegir, service, siteClaims } from './site-context.js';

/** provision-login-reset: a one-time login link for user 1 (changes nothing else, so nothing to undo). */
export const loginResetTask = defineTask({
  name: 'login-reset',
  on: 'site',
  command: 'provision-login-reset',
  description: 'Print a one-time login link for user 1 of the site of the @context (works once, for 24 hours).',
  claims: siteClaims,
  steps: [{
    weight: 10,
    step: {
      name: 'link',
      title: 'Make a one-time login link for user 1',
      async run(ctx) {
        // The link is opened through the site's web server: its port belongs in it (the built-in proxy's 8888, a test's nginx).
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        const port = impl.endpoint(env).port;
        const uri = port === 80 ? ctx.site.name : `http://${ctx.site.name}:${port}`;
        const { stdout } = await platformAegir(ctx, [`--uri=${uri}`, 'user-login', '--uid=1', '--format=json']);
        let link: unknown;
        try {
          link = JSON.parse(stdout);
        } catch {
          link = undefined;
        }
        const url = typeof link === 'object' && link !== null && 'url' in link ? String((link as { url: unknown }).url) : undefined;
        if (!url) throw new AegirError('ERR_TOOL_FAILED', { tool: 'user-login', code: 0, problem: 'it printed no link' });
        ctx.state.set('login.url', url);
      },
    },
  }],
  result(ctx) {
    const url = ctx.state.get('login.url') as string;
    return { data: { url }, text: `${url}\n` };
  },
});
