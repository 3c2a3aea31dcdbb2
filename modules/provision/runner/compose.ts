import type { Kernel } from '../../../core/kernel/kernel.js';
import type { StepContribution } from './contributions.js';
import type { SiteTaskContext } from '../tasks/site-context.js';
import type { TaskStep } from './step.js';

/** A task's steps: provision's own and other modules' contributions, ordered by weight (stable). */
export function composeSteps(
  kernel: Kernel,
  task: StepContribution['task'],
  own: readonly { weight: number; step: TaskStep<SiteTaskContext> }[],
): TaskStep<SiteTaskContext>[] {
  const extra = kernel.hooks.has('provision.steps')
    ? kernel.hooks.collect('provision.steps').map((c) => c.value).filter((c) => c.task === task)
    : [];
  return [...own, ...extra].map((s, i) => ({ ...s, i })).sort((a, b) => a.weight - b.weight || a.i - b.i).map((s) => s.step);
}
