import { defineCommand } from '../../../core/cli/command.js';
import { DEFAULT_TIMEOUTS, TIMEOUT_RANGE } from '../proxy/forward.js';
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
    'connect-timeout-ms': { type: 'integer', description: 'Time limit to connect to an app, in ms (a 504 when over)', default: DEFAULT_TIMEOUTS.connectMs, ...TIMEOUT_RANGE },
    'headers-timeout-ms': { type: 'integer', description: 'Time limit for an app\'s response head (or upgrade handshake) once the request is sent, in ms (a 504 when over)', default: DEFAULT_TIMEOUTS.headersMs, ...TIMEOUT_RANGE },
    'idle-timeout-ms': { type: 'integer', description: 'Longest silence towards an app while a body or WebSocket streams, in ms (the connection is cut)', default: DEFAULT_TIMEOUTS.idleMs, ...TIMEOUT_RANGE },
  },
  async run(ctx) {
    const timeouts = { connectMs: ctx.options['connect-timeout-ms'], headersMs: ctx.options['headers-timeout-ms'], idleMs: ctx.options['idle-timeout-ms'] };
    const proxy = createProxy(ctx.options.routes, ctx.logger, { timeouts });
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(ctx.options.port, ctx.options.host, () => resolve());
    });
    ctx.logger.success(`Proxy listening on http://${ctx.options.host}:${ctx.options.port}.`);
    process.on('SIGHUP', () => proxy.reload());
    await new Promise<void>((resolve) => {
      const stop = (): void => { void proxy.close().then(resolve); };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return {};
  },
});
