import { join } from 'node:path';
import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { ContextStore } from '../context/store.js';
import { serviceOf } from '../service/registry.js';
import { Secrets } from '../service/secrets.js';
import type { ServiceEnv } from '../service/types.js';
import { localExecutors } from '../task/open.js';
import { checkServed } from '../task/checks.js';
import { service } from '../task/site-context.js';
import { aegirBinOf, contextName, homeOf, siteTask } from './common.js';

/** `aegir @context provision-verify`: check a server, platform or site and write its configuration. */
export const provisionVerify = defineCommand({
  name: 'provision-verify',
  description: 'Verify the @context: a server (reach it, check each service, write service config), a platform (codebase, profiles, app process) or a site (virtual host, served).',
  bootstrap: 'backend',
  async run(ctx) {
    const name = contextName(ctx, 'provision-verify');
    const home = homeOf(ctx);
    const store = new ContextStore(home);
    const c = store.find(name);
    if (!c) throw new AegirError('ERR_CONTEXT_UNKNOWN', { name, where: store.dir });
    const report: Record<string, string> = {};
    if (c.type === 'server') {
      const exec = await localExecutors(c);
      try {
        for (const kind of ['db', 'app', 'http'] as const) {
          if (!c.services[kind]) continue;
          const env: ServiceEnv = { server: c, config: c.services[kind]!, exec, logger: ctx.logger, contexts: store, secrets: new Secrets(home), home, aegirBin: aegirBinOf(ctx) };
          report[kind] = await serviceOf(ctx.kernel, c, kind).verify(env);
          ctx.logger.info(`${kind}: ${report[kind]}`);
        }
      } finally {
        await exec.close();
      }
    } else if (c.type === 'platform') {
      const server = store.get(c.server, 'server');
      const exec = await localExecutors(server);
      try {
        if (!(await exec.exists(join(c.root, 'bin', 'aegir')))) {
          throw new AegirError('ERR_CONTEXT_INVALID', { name, problem: `${c.root} on @${server.name} is not a codebase of this framework (no bin/aegir)` });
        }
        const profiles = await exec.list(join(c.root, 'profiles'));
        const sites = (await exec.list(join(c.root, 'sites'))).filter((d) => d !== 'all' && d !== 'default' && d !== 'sites.json');
        report.profiles = profiles.join(', ');
        report.sites = sites.join(', ');
        if (server.services.app) {
          const env: ServiceEnv = { server, config: server.services.app, exec, logger: ctx.logger, contexts: store, secrets: new Secrets(home), home, aegirBin: aegirBinOf(ctx) };
          const up = await serviceOf(ctx.kernel, server, 'app').ensure(env, c);
          report.app = 'socket' in up ? up.socket : `${up.host}:${up.port}`;
        }
        ctx.logger.info(`Profiles: ${report.profiles || 'none'}; site folders: ${report.sites || 'none'}.`);
      } finally {
        await exec.close();
      }
    } else {
      const task = await siteTask(ctx, 'provision-verify');
      const app = service(task, task.appServer, 'app');
      const upstream = await app.impl.ensure(app.env, task.platform);
      const http = service(task, task.appServer, 'http');
      await http.impl.writeSite(http.env, task.site, task.platform, upstream);
      await checkServed(task, task.site.enabled ? 200 : 503);
      report.served = 'yes';
    }
    ctx.logger.success(`@${name} verified.`);
    return { data: report };
  },
});
