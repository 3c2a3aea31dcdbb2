import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { ObjectKind } from '../objects/object.js';
import type { TaskType } from './types.js';

/** The task types of a kernel by object kind and name, collected once per kernel from `hosting.task_types`. */
export function taskTypes(kernel: Kernel): ReadonlyMap<string, TaskType> {
  return kernel.registry('hosting.task_types', () => {
    const out = new Map<string, TaskType>();
    if (!kernel.hooks.has('hosting.task_types')) return out;
    for (const { module, value } of kernel.hooks.collect('hosting.task_types')) {
      const key = `${value.on}/${value.name}`;
      const prev = out.get(key);
      if (prev) throw new AegirError('ERR_TASK_DUPLICATE', { task: key, first: prev.module, second: module });
      out.set(key, Object.freeze({ ...value, module }));
    }
    return out;
  });
}

/** A task type for an object kind, or undefined. */
export function taskType(kernel: Kernel, on: ObjectKind, name: string): TaskType | undefined {
  return taskTypes(kernel).get(`${on}/${name}`);
}

/** The task types of an object kind, in declaration order. */
export function taskTypesOf(kernel: Kernel, on: ObjectKind): TaskType[] {
  return [...taskTypes(kernel).values()].filter((t) => t.on === on);
}
