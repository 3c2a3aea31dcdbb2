import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { AnyTaskDefinition, TaskContexts, TaskDefinition, TaskOn } from './definition.js';
import type { TaskStep } from './step.js';

/** The tasks of a kernel by name, with the module that declared each. */
export interface TaskRegistry {
  readonly tasks: ReadonlyMap<string, { readonly module: string; readonly definition: AnyTaskDefinition }>;
  /** A task by name; ERR_TASK_UNKNOWN (naming the context an interrupted one holds, if given) when no enabled module provides it. */
  get(name: string, heldContext?: string): AnyTaskDefinition;
  /** A task's steps in order: its own and other modules' contributions, by weight (stable). */
  steps<T extends TaskOn>(def: TaskDefinition<T>): TaskStep<TaskContexts[T]>[];
}

/**
 * Collect `provision.tasks` and `provision.steps` once per kernel. Two
 * modules declaring one task name is ERR_TASK_DUPLICATE; a step for a task
 * nobody declares, or of the wrong context type, is ERR_TASK_UNKNOWN
 * naming the module, so a typo never silently drops a step.
 */
export function taskRegistry(kernel: Kernel): TaskRegistry {
  return kernel.registry('provision.tasks', () => {
    const tasks = new Map<string, { module: string; definition: AnyTaskDefinition }>();
    for (const { module, value } of kernel.hooks.has('provision.tasks') ? kernel.hooks.collect('provision.tasks') : []) {
      const prev = tasks.get(value.name);
      if (prev) throw new AegirError('ERR_TASK_DUPLICATE', { task: value.name, first: prev.module, second: module });
      tasks.set(value.name, { module, definition: value });
    }
    const known = (): string => [...tasks.keys()].sort().join(', ') || 'none';
    const extra = new Map<string, { weight: number; step: TaskStep<never> }[]>();
    for (const { module, value } of kernel.hooks.has('provision.steps') ? kernel.hooks.collect('provision.steps') : []) {
      const target = tasks.get(value.task)?.definition;
      if (!target || target.on !== value.on) {
        throw new AegirError('ERR_TASK_UNKNOWN', { task: `${value.task} (on a ${value.on}, for a step of module ${module})`, known: known() });
      }
      extra.set(value.task, [...(extra.get(value.task) ?? []), { weight: value.weight, step: value.step as TaskStep<never> }]);
    }
    const registry: TaskRegistry = {
      tasks,
      get(name, heldContext) {
        const t = tasks.get(name);
        if (!t) throw new AegirError('ERR_TASK_UNKNOWN', { task: name, context: heldContext, known: known() });
        return t.definition;
      },
      steps<T extends TaskOn>(def: TaskDefinition<T>) {
        const all = [...def.steps, ...(extra.get(def.name) ?? [])] as { weight: number; step: TaskStep<TaskContexts[T]> }[];
        return all.map((s, i) => ({ ...s, i })).sort((a, b) => a.weight - b.weight || a.i - b.i).map((s) => s.step);
      },
    };
    return registry;
  });
}
