import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../user/hooks.js';
import type {} from '../../hooks.js';
import { taskTypePermissions } from '../../tasks/permissions.js';
import { cloneTaskType, recordClone } from './clone.js';

/** The `clone` site task, its permission, and the new site's node when the back end made the copy. */
export default defineModule({
  register(api) {
    api.on('hosting.task_types', (add) => add(cloneTaskType));
    api.on('user.permissions', (add) => { for (const p of taskTypePermissions([cloneTaskType])) add(p); });
    api.on('hosting.task_succeeded', recordClone);
  },
});
