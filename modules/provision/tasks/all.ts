import type { AnyTaskDefinition } from '../runner/definition.js';
import { platformImportTask } from './platform-import.js';
import { platformDeleteTask, platformVerifyTask } from './platform.js';
import { serverVerifyTask } from './server-verify.js';
import { backupDeleteTask } from './site-backup-delete.js';
import { backupTask } from './site-backup.js';
import { deleteTask, disableTask, enableTask } from './site-delete.js';
import { installTask } from './site-install.js';
import { cronTask } from './site-cron.js';
import { loginResetTask } from './site-login-reset.js';
import { cloneTask, migrateTask } from './site-migrate.js';
import { restoreTask } from './site-restore.js';
import { siteVerifyTask } from './site-verify.js';

/** Provision's own tasks, as it declares them through `provision.tasks`. */
export const provisionTasks: readonly AnyTaskDefinition[] = [
  serverVerifyTask,
  platformVerifyTask, platformDeleteTask, platformImportTask,
  installTask, siteVerifyTask, backupTask, restoreTask, backupDeleteTask, disableTask, enableTask, deleteTask, migrateTask, cloneTask, loginResetTask, cronTask,
];
