import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../../modules/hosting/hooks.js';
import type {} from '../../../../modules/node/hooks.js';
import { enqueue, webhookSender } from './deliver.js';
import { webhookType } from './node-type.js';

/** Webhooks: the `webhook` node type, and a signed POST after each matching task, through the hosting outbox (retried with back-off, each attempt recorded). */
export default defineModule({
  register(api) {
    api.on('node.types', (add) => add(webhookType));
    api.on('hosting.task_succeeded', enqueue);
    api.on('hosting.task_failed', enqueue);
    api.on('hosting.outbox_senders', (add) => add(webhookSender));
  },
});
