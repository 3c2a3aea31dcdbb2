import { defineModule } from '../../core/modules/definition.js';
import type {} from '../node/hooks.js';
import type {} from '../user/hooks.js';
import { hostingImport } from './commands/import.js';
import { hostingQueued } from './commands/queued.js';
import { hostingCancel, hostingRetry, hostingTask, hostingTasks } from './commands/task.js';
import { checkSiteScope } from './access/check-scope.js';
import { hostingPermissions } from './access/permissions.js';
import { grantDefaults } from './access/roles.js';
import { hostingHooks } from './hooks.js';
import { queueSummary } from './web/header.js';
import { withPage } from './web/node-pages.js';
import { hostingRoutes } from './web/routes.js';
import { builtinQueues } from './periodic/builtin.js';
import { hostingNodeAccess } from './objects/access.js';
import { checkObjectDraft } from './objects/check.js';
import { checkObjectInDb } from './objects/check-db.js';
import { packageNodeType } from './objects/package-node.js';
import { objectSchema } from './objects/schema.js';
import { askDbAdminPassword } from './objects/server-secret.js';
import { deleteObject, insertObject, loadObjects, normaliseDraft, updateObject } from './objects/sync.js';
import { insertTaskRow, taskNodeType } from './objects/task-node.js';
import { objectNodeTypes } from './objects/types.js';
import { dispatchWhileServing } from './queue/in-serve.js';
import { queueSchema } from './queue/schema.js';
import { outboxQueue } from './outbox/outbox.js';
import { outboxSchema, outboxTable } from './outbox/schema.js';
import { createTable } from '../../core/database/schema.js';
import { builtinTaskTypes, taskPermissions } from './tasks/builtin.js';
import { recordImport } from './tasks/import.js';
import { recordFailure, recordSiteModules, recordSuccess } from './tasks/reactions.js';

const permissions = [...hostingPermissions, ...taskPermissions];

/**
 * The hosting front end: server, platform, site, client and task nodes
 * with their own tables, the task types (hosting.task_types), the queue
 * and its dispatcher, the commands to queue, list, cancel and retry tasks
 * and to run the dispatcher. Tasks run on the back end through the drush
 * bridge; what they did comes back through hosting.task_succeeded and
 * hosting.task_failed.
 */
export default defineModule({
  hooks: hostingHooks,
  schema: { ...queueSchema, ...objectSchema, ...outboxSchema },
  updates: {
    1: {
      description: 'Make the outbox table (hosting_outbox): messages to other systems, retried with back-off',
      async run(site) {
        if (!(await site.db.schema.hasTable('hosting_outbox'))) await createTable(site.db, 'hosting_outbox', outboxTable);
      },
    },
  },
  register(api) {
    api.on('node.types', (add) => { for (const t of [...objectNodeTypes, taskNodeType, packageNodeType]) add(withPage(t)); });
    api.on('node.validate', (add, { node }) => { for (const e of checkObjectDraft(node)) add(e); });
    api.on('node.check', checkObjectInDb);
    api.on('node.check', checkSiteScope);
    api.on('node.access', hostingNodeAccess);
    api.on('form.alter.id', askDbAdminPassword);
    api.on('node.presave', normaliseDraft);
    api.on('node.insert', async (e) => { await insertObject(e); await insertTaskRow(e); });
    api.on('node.update', updateObject);
    api.on('node.delete', deleteObject);
    api.on('node.load', loadObjects);
    api.on('user.permissions', (add) => { for (const p of permissions) add(p); });
    api.on('hosting.task_types', (add) => { for (const t of builtinTaskTypes) add(t); });
    api.on('hosting.queues', (add) => { for (const q of [...builtinQueues, outboxQueue]) add(q); });
    api.on('hosting.task_succeeded', recordSuccess);
    api.on('hosting.task_succeeded', recordImport);
    api.on('hosting.task_succeeded', recordSiteModules);
    api.on('hosting.task_failed', recordFailure);
    api.on('site.serving', dispatchWhileServing);
    api.on('http.routes', (add) => { for (const r of hostingRoutes) add(r); });
    api.on('http.page', queueSummary);
    api.on('modules.installed', ({ site, modules }) => grantDefaults(site, modules));
    api.on('cli.commands', (add) => { for (const c of [hostingTask, hostingTasks, hostingCancel, hostingRetry, hostingQueued, hostingImport]) add(c); });
  },
});
