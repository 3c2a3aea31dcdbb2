import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../../modules/hosting/hooks.js';
import { taskTypePermissions } from '../../../../modules/hosting/tasks/permissions.js';
import type {} from '../../../../modules/provision/hooks.js';
import type {} from '../../../../modules/user/hooks.js';
import { dbUpdatesTask, dbUpdatesType } from './task.js';

/**
 * Database updates: the back end's `provision-db-updates` (global: every
 * command line has it) and, where hosting is enabled, the site task type
 * that runs it with its permission. Without hosting those taps stay dormant.
 */
export default defineModule({
  register(api) {
    api.on('provision.tasks', (add) => add(dbUpdatesTask));
    api.on('hosting.task_types', (add) => add(dbUpdatesType));
    api.on('user.permissions', (add) => { for (const p of taskTypePermissions([dbUpdatesType])) add(p); });
  },
});
