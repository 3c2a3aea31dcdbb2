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

const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const ON: readonly string[] = ['site', 'platform', 'server'];
const COMMAND = /^provision-[a-z0-9-]+$/;

/** What is wrong with a declared task, as the field to fix and the problem; undefined when nothing is. */
function problemOf(def: AnyTaskDefinition): { field: string; problem: string } | undefined {
  const { name, on, command, steps } = def as unknown as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME.test(name)) return { field: 'name', problem: `its name ${JSON.stringify(name)} is not a machine name (a lower-case letter, then up to 63 lower-case letters, digits or "-")` };
  if (typeof on !== 'string' || !ON.includes(on)) return { field: 'on', problem: `it works on ${JSON.stringify(on)}, which is not one of ${ON.join(', ')}` };
  if (typeof command !== 'string' || !COMMAND.test(command)) return { field: 'command', problem: `its command ${JSON.stringify(command)} is not a provision command (provision-<name>)` };
  if (!Array.isArray(steps)) return { field: 'steps', problem: 'it has no list of steps' };
  return undefined;
}

/**
 * Collect `provision.tasks` and `provision.steps` once per kernel. A task
 * with a bad name, context type or command, or without steps, is
 * ERR_TASK_DEFINITION_INVALID naming its module and the field to fix; two
 * modules declaring one task name is ERR_TASK_DUPLICATE, two tasks running
 * one command on one context type (which the context could not pick
 * between) ERR_TASK_COMMAND_DUPLICATE; a step for a task
 * nobody declares, or of the wrong context type, is ERR_TASK_UNKNOWN
 * naming the module, so a typo never silently drops a step.
 */
export function taskRegistry(kernel: Kernel): TaskRegistry {
  return kernel.registry('provision.tasks', () => {
    const tasks = new Map<string, { module: string; definition: AnyTaskDefinition }>();
    const byCommand = new Map<string, { module: string; name: string }>();
    for (const { module, value } of kernel.hooks.has('provision.tasks') ? kernel.hooks.collect('provision.tasks') : []) {
      const bad = problemOf(value);
      if (bad) throw new AegirError('ERR_TASK_DEFINITION_INVALID', { task: String(value.name), module, ...bad });
      const prev = tasks.get(value.name);
      if (prev) throw new AegirError('ERR_TASK_DUPLICATE', { task: value.name, first: prev.module, second: module });
      const sameCommand = byCommand.get(`${value.on} ${value.command}`);
      if (sameCommand) {
        throw new AegirError('ERR_TASK_COMMAND_DUPLICATE', { command: value.command, on: value.on, first: sameCommand.name, firstModule: sameCommand.module, second: value.name, secondModule: module });
      }
      byCommand.set(`${value.on} ${value.command}`, { module, name: value.name });
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
