import type { TaskStep } from './step.js';
import type { SiteTaskContext } from '../tasks/site-context.js';

/** A step a module adds to a site task, placed by weight (provision's own steps are 10, 20, ...). */
export interface StepContribution {
  readonly task: 'install' | 'verify' | 'backup' | 'restore' | 'delete' | 'disable' | 'enable' | 'migrate' | 'clone';
  readonly weight: number;
  readonly step: TaskStep<SiteTaskContext>;
}
