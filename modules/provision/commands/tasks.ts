import type { Kernel } from '../../../core/kernel/kernel.js';
import { composeSteps } from '../task/compose.js';
import { installSteps } from '../task/site-install.js';
import { verifySteps } from '../task/site-verify.js';
import { deleteSteps, switchSteps } from '../task/site-delete.js';
import { moveSteps } from '../task/site-migrate.js';
import { backupSteps } from '../task/site-backup.js';
import { backupDeleteSteps } from '../task/site-backup-delete.js';
import { restoreSteps } from '../task/site-restore.js';
import type { SiteTaskContext } from '../task/site-context.js';
import type { TaskStep } from '../task/step.js';

/** The steps of a site task by name, for recovering an interrupted one. */
export function stepsForTask(kernel: Kernel, task: string): TaskStep<SiteTaskContext>[] {
  switch (task) {
    case 'install': return composeSteps(kernel, 'install', installSteps);
    case 'verify': return composeSteps(kernel, 'verify', verifySteps);
    case 'delete': return composeSteps(kernel, 'delete', deleteSteps);
    case 'disable': return composeSteps(kernel, 'disable', switchSteps(false));
    case 'enable': return composeSteps(kernel, 'enable', switchSteps(true));
    case 'migrate': return composeSteps(kernel, 'migrate', moveSteps(false));
    case 'clone': return composeSteps(kernel, 'clone', moveSteps(true));
    case 'backup': return composeSteps(kernel, 'backup', backupSteps);
    case 'restore': return composeSteps(kernel, 'restore', restoreSteps);
    case 'backup-delete': return [...backupDeleteSteps];
    default: return [];
  }
}
