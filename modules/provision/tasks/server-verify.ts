import { verifyServerConnection } from '../executor/pool.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { serviceOf } from '../service/registry.js';
import type { ServiceEnv } from '../service/types.js';
import type { ServerTaskContext } from './server-context.js';

const KINDS = ['db', 'app', 'http'] as const;

/** The steps of a server's provision-verify: reach it (pinning its SSH host key the first time), then verify each of its services. */
export const serverVerifySteps: readonly WeightedStep<ServerTaskContext>[] = [
  {
    weight: 10,
    step: {
      name: 'reach',
      title: 'Reach the server (pin its SSH host key on the first verify, check it after)',
      async run(ctx) {
        const reached = await verifyServerConnection(ctx.server, ctx.home, { pin: true });
        ctx.state.set('report.connection', reached.summary);
        ctx.logger.info(reached.summary);
      },
    },
  },
  ...KINDS.map((kind, i): WeightedStep<ServerTaskContext> => ({
    weight: 20 + i * 10,
    step: {
      name: kind,
      title: `Verify the ${kind} service and write its config`,
      async run(ctx) {
        const config = ctx.server.services[kind];
        if (!config) return;
        const env: ServiceEnv = { server: ctx.server, config, exec: ctx.exec, logger: ctx.logger, contexts: ctx.contexts, secrets: ctx.secrets, home: ctx.home, aegirBin: ctx.aegirBin };
        const said = await serviceOf(ctx.kernel, ctx.server, kind).verify(env);
        ctx.state.set(`report.${kind}`, said);
        ctx.logger.info(`${kind}: ${said}`);
      },
    },
  })),
];

/** provision-verify of a server. */
export const serverVerifyTask = defineTask({
  name: 'server-verify',
  on: 'server',
  command: 'provision-verify',
  description: 'A server: reach it (SSH host key pinned on the first verify), check each service and write its config.',
  steps: serverVerifySteps,
  refusals: ['ERR_SERVICE_UNKNOWN', 'ERR_SERVER_UNREACHABLE', 'ERR_HOST_KEY_MISMATCH', 'ERR_HOST_KEY_UNKNOWN'],
  result(ctx) {
    const report: Record<string, string> = {};
    for (const k of ['connection', ...KINDS]) {
      const v = ctx.state.get(`report.${k}`);
      if (typeof v === 'string') report[k] = v;
    }
    ctx.logger.success(`@${ctx.server.name} verified.`);
    return { data: report };
  },
});
