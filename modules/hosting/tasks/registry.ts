import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { ObjectKind } from '../objects/object.js';
import type { TaskType, TaskTypeDefinition } from './types.js';

const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const KINDS: readonly string[] = ['server', 'platform', 'site'];
const COMMAND = /^provision-[a-z0-9-]+$/;

/** What is wrong with a declared task type, as the field to fix and the problem; undefined when nothing is. */
function problemOf(t: TaskTypeDefinition): { field: string; problem: string } | undefined {
  const { name, on, command, permission } = t as unknown as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME.test(name)) return { field: 'name', problem: `its name ${JSON.stringify(name)} is not a machine name (a lower-case letter, then up to 63 lower-case letters, digits or "-")` };
  if (typeof on !== 'string' || !KINDS.includes(on)) return { field: 'on', problem: `it works on ${JSON.stringify(on)}, which is not one of ${KINDS.join(', ')}` };
  if (typeof command !== 'string' || !COMMAND.test(command)) return { field: 'command', problem: `its command ${JSON.stringify(command)} is not a provision command (provision-<name>)` };
  if (typeof permission !== 'string' || permission.trim() === '') return { field: 'permission', problem: 'it names no permission, so the queue could not tell who may ask for it (name the permission it needs, declared through user.permissions)' };
  return undefined;
}

/**
 * The task types of a kernel by object kind and name, collected once per
 * kernel from `hosting.task_types`. A type with a bad name, kind or
 * command, or without a permission, is ERR_TASK_TYPE_INVALID naming its
 * module and the field to fix; two of one name on one kind are
 * ERR_TASK_DUPLICATE.
 */
export function taskTypes(kernel: Kernel): ReadonlyMap<string, TaskType> {
  return kernel.registry('hosting.task_types', () => {
    const out = new Map<string, TaskType>();
    if (!kernel.hooks.has('hosting.task_types')) return out;
    for (const { module, value } of kernel.hooks.collect('hosting.task_types')) {
      const bad = problemOf(value);
      if (bad) throw new AegirError('ERR_TASK_TYPE_INVALID', { task: String(value.name), module, ...bad });
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
