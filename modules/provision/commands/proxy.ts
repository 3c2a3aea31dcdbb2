import { defineCommand } from '../../../core/cli/command.js';
import { createProxy } from '../proxy/server.js';

/** `aegir provision-proxy`: the built-in reverse proxy (run by the builtin http service). */
export const provisionProxy = defineCommand({
  name: 'provision-proxy',
  description: 'Run the built-in reverse proxy: routes each Host to its platform\'s app process; SIGHUP re-reads the routes file.',
  bootstrap: 'backend',
  options: {
    port: { type: 'integer', description: 'TCP port to listen on', required: true, min: 1, max: 65535 },
    host: { type: 'string', description: 'Address to listen on', default: '127.0.0.1', validate: (v: string) => (/^[A-Za-z0-9.:-]{1,253}$/.test(v) ? undefined : 'not an address') },
    routes: { type: 'string', description: 'Routes file (JSON)', required: true, valueName: 'PATH', validate: (v: string) => (v.startsWith('/') ? undefined : 'use an absolute path') },
  },
  async run(ctx) {
    const proxy = createProxy(ctx.options.routes, ctx.logger);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(ctx.options.port, ctx.options.host, () => resolve());
    });
    ctx.logger.success(`Proxy listening on http://${ctx.options.host}:${ctx.options.port}.`);
    process.on('SIGHUP', () => proxy.reload());
    await new Promise<void>((resolve) => {
      const stop = (): void => { proxy.server.close(() => resolve()); proxy.server.closeIdleConnections(); };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return {};
  },
});
