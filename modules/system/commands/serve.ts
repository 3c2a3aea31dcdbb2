import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from '../../../core/cli/command.js';

/** `aegir serve`: serve every site of the codebase over HTTP until stopped. */
export const serve = defineCommand({
  name: 'serve',
  aliases: ['rs'],
  description: 'Serve every site of this codebase by host name over HTTP, on a port or a unix socket, until SIGTERM or SIGINT.',
  options: {
    port: { type: 'integer', description: 'TCP port (0 picks a free one)', default: 8888, min: 0, max: 65535 },
    host: { type: 'string', description: 'Address to listen on', default: '127.0.0.1', validate: (v: string) => (/^[A-Za-z0-9.:-]{1,253}$/.test(v) ? undefined : 'not an address') },
    socket: { type: 'string', description: 'Unix socket path instead of a port', valueName: 'PATH', validate: (v: string) => (v.startsWith('/') ? undefined : 'use an absolute path') },
    'trust-proxy': {
      type: 'string', description: 'Comma-separated addresses of reverse proxies to believe X-Forwarded-For from (e.g. 127.0.0.1)', valueName: 'IPS',
      validate: (v: string) => (/^[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*$/.test(v) ? undefined : 'give IP addresses or CIDR ranges separated by commas'),
    },
    'socket-mode': { type: 'string', description: 'Permissions of the socket (octal)', default: '660', validate: (v: string) => (/^[0-7]{3}$/.test(v) ? undefined : 'three octal digits such as 660') },
    boot: { type: 'string', description: 'Sites to boot at start rather than at their first request (their background work, such as the hostmaster\'s task queue, starts at once)', valueName: 'SITES',
      validate: (v: string) => (/^[a-z0-9._-]+(,[a-z0-9._-]+)*$/.test(v) ? undefined : 'give site folder names separated by commas') },
    'socket-group': { type: 'string', description: 'Group (numeric id) the socket belongs to: the web server\'s, so that only it and this user reach the sites', valueName: 'GID', validate: (v: string) => (/^\d{1,10}$/.test(v) ? undefined : 'give the numeric group id (getent group NAME)') },
  },
  bootstrap: 'root',
  examples: ['aegir serve --port=8080', 'aegir serve --socket=/run/aegir/platform.sock --socket-mode=660 --socket-group=33'],
  async run(ctx) {
    // The command line may have booted one site; the server keeps its own pool.
    await ctx.site?.close();
    // express and the web layer load only for this command, not for every command line.
    const { createApp } = await import('../../../core/http/app.js');
    const { listen } = await import('../../../core/http/server.js');
    const trustProxy = ctx.options['trust-proxy']?.split(',');
    const { app, pool } = createApp({ codebase: ctx.codebase, logger: ctx.logger, ...(trustProxy ? { trustProxy } : {}) });
    const socket = ctx.options.socket;
    const group = ctx.options['socket-group'];
    const running = await listen(app, socket
      ? { socket, mode: parseInt(ctx.options['socket-mode'], 8), ...(group !== undefined ? { group: Number(group) } : {}) }
      : { port: ctx.options.port, host: ctx.options.host });
    ctx.logger.success(`Serving the sites of ${ctx.codebase.root} at ${running.where}. Stop with Ctrl-C.`);
    for (const name of ctx.options.boot?.split(',') ?? []) await pool.get(name);
    const sites = readdirSync(join(ctx.codebase.root, 'sites')).filter((d) => d !== 'all' && ctx.codebase.hasSettings(d)).sort();
    if (sites.length) ctx.logger.info(`Sites: ${sites.join(', ')}.`);
    else ctx.logger.warning('No site is installed in this codebase yet: run "aegir site-install standard --uri=localhost" and reload.');
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        ctx.logger.notice(`${signal}: finishing requests in flight, then stopping.`);
        void running.stop().then(() => pool.closeAll()).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return { data: { where: running.where, sites: pool.booted() } };
  },
});
