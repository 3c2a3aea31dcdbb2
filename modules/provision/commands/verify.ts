import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { ContextStore } from '../context/store.js';
import { serviceOf } from '../service/registry.js';
import { Secrets } from '../service/secrets.js';
import type { ServiceEnv } from '../service/types.js';
import { verifyServerConnection } from '../executor/pool.js';
import { executors } from '../runner/open.js';
import { verifySteps } from '../tasks/site-verify.js';
import { aegirBinOf, contextName, homeOf } from './common.js';
import { verifyPlatform } from './platform.js';
import { runSiteTask } from './site-tasks.js';

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
    const report: Record<string, unknown> = {};
    if (c.type === 'server') {
      // Reach it first: over SSH this pins the host key on the first verify and checks it every time after.
      const reached = await verifyServerConnection(c, home, { pin: true });
      report.connection = reached.summary;
      ctx.logger.info(reached.summary);
      const exec = await executors(home)(c);
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
      Object.assign(report, await verifyPlatform(ctx, name));
    } else {
      await runSiteTask(ctx, 'provision-verify', 'verify', verifySteps);
      report.served = 'yes';
    }
    ctx.logger.success(`@${name} verified.`);
    return { data: report as never };
  },
});
