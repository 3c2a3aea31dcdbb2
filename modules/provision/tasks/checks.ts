import { request } from 'node:http';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { service, type SiteTaskContext } from './site-context.js';

/** GET a path with a Host header from the web server's endpoint; resolves with the status. */
export function getWithHost(host: string, port: number, hostHeader: string, path = '/', timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { host: hostHeader }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Check that the site answers with `status` through its web server (retrying for up to 20 s while it starts). */
export async function checkServed(ctx: SiteTaskContext, status: number): Promise<void> {
  const { impl, env } = service(ctx, ctx.appServer, 'http');
  const { host, port } = impl.endpoint(env);
  const target = ctx.appExec.local ? host : ctx.appServer.host;
  const until = Date.now() + 20_000;
  let last = 'no answer';
  for (;;) {
    try {
      const r = await getWithHost(target, port, ctx.site.name);
      // A site that answers with a redirect (a front page that sends visitors to its login form) is served too.
      if (r.status === status || (status === 200 && r.status >= 200 && r.status < 400)) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > until) {
      throw new AegirError('ERR_SERVICE_FAILED', { service: 'http', server: ctx.appServer.name, problem: `http://${ctx.site.name}/ (via ${target}:${port}) answered ${last}, expected ${status}` });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
