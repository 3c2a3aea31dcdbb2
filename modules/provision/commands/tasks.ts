import type { Kernel } from '../../../core/kernel/kernel.js';
import { composeSteps } from '../runner/compose.js';
import { installSteps } from '../tasks/site-install.js';
import { verifySteps } from '../tasks/site-verify.js';
import { deleteSteps, switchSteps } from '../tasks/site-delete.js';
import { moveSteps } from '../tasks/site-migrate.js';
import { backupSteps } from '../tasks/site-backup.js';
import { backupDeleteSteps } from '../tasks/site-backup-delete.js';
import { restoreSteps } from '../tasks/site-restore.js';
import type { SiteTaskContext } from '../tasks/site-context.js';
import type { TaskStep } from '../runner/step.js';

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
