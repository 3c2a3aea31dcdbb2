/**
 * One step of a task: something done on a server, with how to take it back.
 * `undo` must be safe to run when `run` did only part of its work or none
 * of it (drop if exists, remove if present): a failed or interrupted step is
 * undone too.
 */
export interface TaskStep<C> {
  /** Machine name, unique within the task (for journals and fault injection). */
  readonly name: string;
  /** What the step does, for the task log. */
  readonly title: string;
  run(ctx: C): Promise<void>;
  undo?(ctx: C): Promise<void>;
  /**
   * The point of no return (a delete's final purge): once this step starts,
   * a failure undoes nothing any more; the task is reported incomplete and
   * running it again finishes it, so its run must be safe to repeat.
   */
  readonly commit?: boolean;
}
