import type { TaskContexts, TaskOn } from './definition.js';
import type { TaskStep } from './step.js';

/**
 * A step a module adds to another module's task (provision's `install`, a
 * contrib task), placed by weight among the task's own steps (provision's
 * are 10, 20, ...). `on` must be the task's context type: the step gets
 * that task's context.
 */
export type StepContribution = {
  [T in TaskOn]: { readonly task: string; readonly on: T; readonly weight: number; readonly step: TaskStep<TaskContexts[T]> };
}[TaskOn];
