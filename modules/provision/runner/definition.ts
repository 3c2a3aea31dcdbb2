import type { CommandResult, OptionSpecs } from '../../../core/cli/command.js';
import type { ErrorCode } from '../../../core/errors/catalogue.js';
import type { PlatformTaskContext } from '../tasks/platform-context.js';
import type { ServerTaskContext } from '../tasks/server-context.js';
import type { SiteTaskContext } from '../tasks/site-context.js';
import type { Claim } from './claims.js';
import type { TaskOptions } from './context.js';
import type { WeightedStep } from './step.js';

/** Where a task was asked for: the caller's working folder and environment. */
export interface TaskCall {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What `prepare` may change. */
export type PrepareResult = { readonly options?: TaskOptions } | undefined | void;

/** The task context of each context type. */
export interface TaskContexts {
  site: SiteTaskContext;
  platform: PlatformTaskContext;
  server: ServerTaskContext;
}

/** The context types a task can work on. */
export type TaskOn = keyof TaskContexts;

/**
 * A provision task, as modules declare it through `provision.tasks`: its
 * steps, the names it holds, and the command that runs it. The runner, the
 * command line and the recovery of an interrupted task all find tasks here
 * by name, so a contrib task is run, offered and recovered like provision's
 * own.
 */
export interface TaskDefinition<T extends TaskOn = TaskOn> {
  /** Machine name, unique across modules (`install`, `platform-verify`): journals and $AEGIR_FAULT use it. */
  readonly name: string;
  /** The type of context it works on. */
  readonly on: T;
  /**
   * The command that runs it (`provision-install`). Tasks on different
   * context types may share a command (`provision-verify` of a server, a
   * platform, a site): the @context's type picks the task.
   */
  readonly command: string;
  /** One sentence for the command's help, starting with what it does to a context of this type. */
  readonly description: string;
  /** Options of the command; an option two tasks of one command share must be declared alike. */
  readonly options?: OptionSpecs;
  readonly examples?: readonly string[];
  /** Its steps, ordered by weight; other modules add theirs through `provision.steps` (site tasks). */
  readonly steps: readonly WeightedStep<TaskContexts[T]>[];
  /**
   * Names held for the whole task besides its own context (held
   * exclusively): names it creates (exclusive), contexts it depends on
   * (shared). Computed from the contexts and options before any step runs.
   */
  claims?(ctx: TaskContexts[T]): readonly Claim[];
  /**
   * Check the options and set up the task's state before its journal
   * starts (a refusal here changes nothing); may return the options as the
   * task keeps them (a relative path made absolute).
   */
  prepare?(ctx: TaskContexts[T], call: TaskCall): PrepareResult | Promise<PrepareResult>;
  /** After the last step: work outside the journal (remove a work folder that is no longer needed). */
  finish?(ctx: TaskContexts[T]): Promise<void>;
  /** The command's result (data for --backend, a line for people). */
  result?(ctx: TaskContexts[T], elapsedMs: number): CommandResult;
  /**
   * Codes that mean "refused, and rolled back": when a step fails with one
   * of them, the task fails with that code (cause: the task error) instead
   * of ERR_TASK_FAILED, so callers can tell bad input from a broken server.
   */
  readonly refusals?: readonly ErrorCode[];
}

/** A task definition of any context type. */
export type AnyTaskDefinition = { [T in TaskOn]: TaskDefinition<T> }[TaskOn];

/** Type-check a task definition (its steps, claims and hooks all get its context type). */
export function defineTask<T extends TaskOn>(def: TaskDefinition<T>): TaskDefinition<T> {
  return def;
}
