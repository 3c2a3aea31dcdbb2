import { hook } from '../../core/hooks/kinds.js';
import type { SiteContext } from '../../core/site/context.js';
import type { HostingObject } from './objects/object.js';
import type { RunOutcome } from './queue/dispatcher.js';
import type { TaskRow } from './queue/store.js';
import type { OutboxSender } from './outbox/types.js';
import type { PeriodicQueue } from './periodic/types.js';
import type { TaskTypeDefinition } from './tasks/types.js';

/** What the post-task hooks get: the task, its object as it was when it ran, how it ended, and the hostmaster site. */
export interface TaskEndEvent {
  readonly task: TaskRow;
  readonly object: HostingObject;
  readonly outcome: RunOutcome;
  /** What the back end reported (its result line's output), if anything. */
  readonly output: unknown;
  readonly site: SiteContext;
  /** Add a line to the task's log (what the front end made of the result: the nodes an import made, what it skipped). */
  log(level: 'info' | 'notice' | 'warning' | 'error', message: string): Promise<void>;
  /** Keep something in the task's stored result, under `frontEnd.<key>` (the nodes an import made). */
  report(key: string, value: unknown): void;
}

/**
 * Hooks of the hosting module.
 * - `hosting.task_types` (collect, once per kernel): the task types (see
 *   tasks/types.ts). A name declared twice for one object kind keeps the
 *   first and is an error naming both modules.
 * - `hosting.task_succeeded` (event, in module order, after the task's
 *   outcome is stored): update the front end from what the back end did
 *   (a site's status, the clone's new node, a backup record, a platform's
 *   packages). A throwing implementation is logged in the task's log; the
 *   task keeps its outcome.
 * - `hosting.task_failed` (event, likewise, for error and cancelled).
 * - `hosting.queues` (collect, once per kernel): periodic queues (see
 *   periodic/types.ts), run where the dispatcher runs.
 * - `hosting.outbox_senders` (collect, once per kernel): who delivers the
 *   outbox's messages of each channel (see outbox/types.ts); one per channel.
 */
export const hostingHooks = {
  'hosting.task_types': hook.collect<TaskTypeDefinition>('Task types per object kind (server, platform, site): the provision command, permission, arguments and states; collected once per kernel.'),
  'hosting.task_succeeded': hook.event<TaskEndEvent>('A task ended with success or warning: bring the front end up to date with what the back end did.'),
  'hosting.task_failed': hook.event<TaskEndEvent>('A task ended with error or was cancelled: undo what the front end had assumed.'),
  'hosting.queues': hook.collect<PeriodicQueue>('Periodic queues (site cron, scheduled backups, retention, old tasks), run beside the dispatcher; collected once per kernel.'),
  'hosting.outbox_senders': hook.collect<OutboxSender>('Senders of the outbox\'s messages, one per channel (webhooks): the outbox keeps, retries and logs, the sender tries once; collected once per kernel.'),
} as const;

/** Types of the hosting module's hooks. */
export type HostingHooks = typeof hostingHooks;

declare module '../../core/hooks/hook-map.js' {
  interface HookMap extends HostingHooks {}
}
