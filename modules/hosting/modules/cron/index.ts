import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../user/hooks.js';
import type {} from '../../hooks.js';
import { taskTypePermissions } from '../../tasks/permissions.js';
import { cronQueue, cronTaskType, recordCron } from './cron.js';

/** Site cron: the `cron` task type, its permission, the periodic `cron` queue, and each site's last cron time. */
export default defineModule({
  register(api) {
    api.on('hosting.task_types', (add) => add(cronTaskType));
    api.on('user.permissions', (add) => { for (const p of taskTypePermissions([cronTaskType])) add(p); });
    api.on('hosting.queues', (add) => add(cronQueue));
    api.on('hosting.task_succeeded', recordCron);
  },
});
