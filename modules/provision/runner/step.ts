/**
 * One step of a task: something done on a server, with how to take it back.
 * `undo` must be safe to run when `run` did only part of its work or none
 * of it (drop if exists, remove if present): a failed, cancelled or
 * interrupted step is undone too. Everything an undo needs comes from the
 * contexts and from the task's notes (kept in its journal), never from
 * memory alone: after a crash the undo runs in another process.
 */
export interface TaskStep<C> {
  /** Machine name, unique within the task (for journals and fault injection). */
  readonly name: string;
  /** What the step does, for the task log. */
  readonly title: string;
  run(ctx: C): Promise<void>;
  /**
   * Take the step back; resolves with whether it changed anything (the log
   * says "Undone" only then).
   */
  undo?(ctx: C): Promise<boolean>;
  /**
   * The point of no return (a delete's final purge): once this step starts,
   * a failure undoes nothing any more; the task is reported incomplete and
   * running it again finishes it, so its run must be safe to repeat.
   */
  readonly commit?: boolean;
}

/** A step with its place in a task: provision's own steps are 10, 20, ... apart, so that other modules' steps fit between. */
export interface WeightedStep<C> {
  readonly weight: number;
  readonly step: TaskStep<C>;
}

/** Whether any of a list of undo results changed something. */
export function anyChanged(results: readonly boolean[]): boolean {
  return results.some(Boolean);
}
