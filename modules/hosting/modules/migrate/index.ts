import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../user/hooks.js';
import type {} from '../../hooks.js';
import { taskTypePermissions } from '../../tasks/permissions.js';
import { migrateTaskType, recordMigrate } from './migrate.js';

/** The `migrate` site task, its permission, and the site's new place in the front end once the back end moved it. */
export default defineModule({
  register(api) {
    api.on('hosting.task_types', (add) => add(migrateTaskType));
    api.on('user.permissions', (add) => { for (const p of taskTypePermissions([migrateTaskType])) add(p); });
    api.on('hosting.task_succeeded', recordMigrate);
  },
});
