import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../hooks.js';
import { backupQueue, retentionQueue } from './queues.js';

/** Scheduled backups and backup retention: two periodic queues that queue the hosting module's backup and backup-delete tasks. */
export default defineModule({
  register(api) {
    api.on('hosting.queues', (add) => { add(backupQueue); add(retentionQueue); });
  },
});
