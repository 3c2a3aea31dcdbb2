import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../../modules/hosting/hooks.js';
import type {} from '../../../../modules/node/hooks.js';
import { deliverySchema, deliveryQueue, enqueue } from './deliver.js';
import { webhookType } from './node-type.js';

/** Webhooks: the `webhook` node type, a delivery after each matching task, and retries with back-off. */
export default defineModule({
  schema: deliverySchema,
  register(api) {
    api.on('node.types', (add) => add(webhookType));
    api.on('hosting.task_succeeded', enqueue);
    api.on('hosting.task_failed', enqueue);
    api.on('hosting.queues', (add) => add(deliveryQueue));
  },
});
