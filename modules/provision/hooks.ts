import { hook } from '../../core/hooks/kinds.js';
import type { ServiceImplementation } from './service/types.js';
import type { StepContribution } from './runner/contributions.js';
import type { AnyTaskDefinition } from './runner/definition.js';

/**
 * Hooks of the provision module (all collected once per kernel).
 * - `provision.services` (collect): service implementations by kind and
 *   type (`http`/`nginx`, `db`/`mysql`, `app`/`builtin`); a contrib module
 *   adds one (`http`/`caddy`) by implementing this hook. A kind/type pair
 *   declared twice keeps the first.
 * - `provision.tasks` (collect): the tasks the back end runs (name, context
 *   type, steps, claims, command). Each becomes a command of bin/aegir
 *   (tasks of different context types may share one, as provision-verify),
 *   and the recovery of an interrupted task finds its steps here by name.
 *   A name declared twice is ERR_TASK_DUPLICATE.
 * - `provision.steps` (collect): steps a module adds to a task declared by
 *   another, placed by weight among its own (10, 20, ... apart). A step for
 *   an unknown task is ERR_TASK_UNKNOWN.
 */
export const provisionHooks = {
  'provision.services': hook.collect<ServiceImplementation>('Service implementations (http, db, app) a server can run; collected once per kernel.'),
  'provision.tasks': hook.collect<AnyTaskDefinition>('Tasks of the back end with their steps, claims and command; collected once per kernel.'),
  'provision.steps': hook.collect<StepContribution>('Steps a module adds to a provision task (install, backup, ...), placed by weight among its own.'),
} as const;

/** Types of the provision module's hooks. */
export type ProvisionHooks = typeof provisionHooks;

declare module '../../core/hooks/hook-map.js' {
  interface HookMap extends ProvisionHooks {}
}
