import { AegirError, describe, isAegirError } from '../../../core/errors/aegir-error.js';
import type { Logger } from '../../../core/logger/logger.js';
import { Journal, type JournalState } from './journal.js';
import type { TaskNotes } from './notes.js';
import type { TaskStep } from './step.js';

/** Where and how a task runs. */
export interface TaskRun<C> {
  /** Task name (`install`, `backup`). */
  readonly task: string;
  /** Context the task works on: one task per context at a time. */
  readonly context: string;
  readonly steps: readonly TaskStep<C>[];
  /** What every step gets. */
  readonly ctx: C;
  readonly logger: Logger;
  /** The Aegir home, where journals live. */
  readonly home: string;
  /**
   * Fault injection for tests, `<task>:<step number>:fail|kill` (from
   * $AEGIR_FAULT): after step N has run, fail as if it had thrown, or kill
   * this process outright before the journal records it.
   */
  readonly fault?: string | undefined;
  /** The task's notes, kept in its journal for an undo after a crash. */
  readonly notes?: TaskNotes | undefined;
}

/** Parse $AEGIR_FAULT for one task: the 1-based step number and what to do there. */
function faultFor(fault: string | undefined, task: string): { step: number; mode: 'fail' | 'kill' } | undefined {
  const m = fault ? /^([a-z-]+):(\d{1,3}):(fail|kill)$/.exec(fault) : null;
  if (!m || m[1] !== task) return undefined;
  return { step: Number(m[2]), mode: m[3] as 'fail' | 'kill' };
}

/**
 * Run a task's steps in order under its journal. When a step fails, it and
 * every step before it are undone in reverse order, each undo logged; the
 * error (ERR_TASK_FAILED) names the step and says what was undone. An undo
 * that fails is logged and the others still run.
 */
export async function runTask<C>(run: TaskRun<C>): Promise<void> {
  const journal = Journal.start(run.home, run.task, run.context);
  run.notes?.attach((n) => journal.note(n));
  const fault = faultFor(run.fault, run.task);
  const done: TaskStep<C>[] = [];
  let current: TaskStep<C> | undefined;
  try {
    for (const [i, step] of run.steps.entries()) {
      current = step;
      journal.begin(step.name);
      run.logger.info(`[${i + 1}/${run.steps.length}] ${step.title}`);
      await step.run(run.ctx);
      if (fault?.step === i + 1) {
        if (fault.mode === 'kill') process.kill(process.pid, 'SIGKILL');
        throw new AegirError('ERR_FAULT_INJECTED', { task: run.task, step: i + 1 });
      }
      journal.finish(step.name);
      done.push(step);
      current = undefined;
    }
    journal.end();
  } catch (e) {
    const failed = current?.title ?? 'start';
    const problem = `${isAegirError(e) ? `[${e.code}] ` : ''}${describe(e).replace(/\.$/, '')}`;
    if ([...done, ...(current ? [current] : [])].some((s) => s.commit)) {
      // Past the point of no return: going back would restore half a site. Finish by running the task again.
      run.logger.error(`${run.task} failed at "${failed}": ${problem}. Nothing is undone past "${done.find((s) => s.commit)?.title ?? failed}"; run the task again to finish it.`);
      journal.end();
      throw new AegirError('ERR_TASK_FAILED', { task: run.task, context: run.context, step: failed, problem, undone: 'It is past its point of no return: run it again to finish.' }, { cause: e });
    }
    run.logger.error(`${run.task} failed at "${failed}": ${problem}. Rolling back.`);
    const undone = await undoSteps(current ? [...done, current] : done, run.ctx, run.logger);
    journal.end();
    throw new AegirError('ERR_TASK_FAILED', {
      task: run.task, context: run.context, step: failed, problem,
      undone: undone.length ? `Undone: ${undone.join('; ')}.` : 'Nothing needed undoing.',
    }, { cause: e });
  }
}

/** What recovering an interrupted task did. */
export interface Recovery {
  /** Titles of the steps undone. */
  readonly undone: readonly string[];
  /** The task had passed its point of no return and was finished instead: the context may have changed or be gone. */
  readonly finished: boolean;
}

/**
 * Deal with an interrupted task (its process died). Before its point of no
 * return, the steps its journal recorded as done or under way are undone
 * in reverse. Once a commit step had started, going back would restore half
 * a site, so that step and the ones after it run again to finish the task
 * (their runs are safe to repeat); if finishing fails, the journal stays
 * for the next try.
 */
export async function recoverTask<C>(home: string, state: JournalState, steps: readonly TaskStep<C>[], ctx: C, logger: Logger, notes?: TaskNotes): Promise<Recovery> {
  const journal = Journal.adopt(home, state);
  notes?.load(state.notes);
  const names = [...state.done, ...(state.current ? [state.current] : [])];
  const commitAt = steps.findIndex((s) => s.commit && names.includes(s.name));
  if (commitAt >= 0) {
    logger.warning(`Task ${state.task} of @${state.context} (pid ${state.pid}) was interrupted past its point of no return; finishing it first.`);
    for (const step of steps.slice(commitAt)) {
      logger.info(`Finishing: ${step.title}`);
      await step.run(ctx);
    }
    journal.end();
    return { undone: [], finished: true };
  }
  const touched = steps.filter((s) => names.includes(s.name));
  logger.warning(`Task ${state.task} of @${state.context} (pid ${state.pid}) was interrupted; undoing its ${touched.length} step(s) first.`);
  const undone = await undoSteps(touched, ctx, logger);
  journal.end();
  return { undone, finished: false };
}

async function undoSteps<C>(steps: readonly TaskStep<C>[], ctx: C, logger: Logger): Promise<string[]> {
  const undone: string[] = [];
  for (const step of [...steps].reverse()) {
    if (!step.undo) continue;
    try {
      await step.undo(ctx);
      undone.push(step.title);
      logger.notice(`Undone: ${step.title}`);
    } catch (e) {
      logger.error(`Could not undo "${step.title}": ${describe(e)}`);
    }
  }
  return undone;
}
