import { hook } from '../../core/hooks/kinds.js';
import type { ServiceImplementation } from './service/types.js';
import type { StepContribution } from './runner/contributions.js';

/**
 * Hooks of the provision module.
 * - `provision.services` (collect): service implementations by kind and
 *   type (`http`/`nginx`, `db`/`mysql`, `app`/`builtin`); a contrib module
 *   adds one (`http`/`caddy`) by implementing this hook. Collected once per
 *   kernel; a kind/type pair declared twice keeps the first and is logged.
 * - `provision.steps` (collect): steps other modules add to a task, with a
 *   weight that places them among provision's own (10, 20, ... apart).
 */
export const provisionHooks = {
  'provision.services': hook.collect<ServiceImplementation>('Service implementations (http, db, app) a server can run; collected once per kernel.'),
  'provision.steps': hook.collect<StepContribution>('Steps a module adds to a provision task (install, backup, ...), placed by weight among provision\'s own.'),
} as const;

/** Types of the provision module's hooks. */
export type ProvisionHooks = typeof provisionHooks;

declare module '../../core/hooks/hook-map.js' {
  interface HookMap extends ProvisionHooks {}
}
