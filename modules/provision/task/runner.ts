import { AegirError, describe, isAegirError } from '../../../core/errors/aegir-error.js';
import type { Logger } from '../../../core/logger/logger.js';
import { Journal, type JournalState } from './journal.js';
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

/**
 * Undo an interrupted task (its process died): the steps its journal
 * recorded as done or under way, in reverse. Returns what was undone.
 */
export async function recoverTask<C>(home: string, state: JournalState, steps: readonly TaskStep<C>[], ctx: C, logger: Logger): Promise<string[]> {
  const journal = Journal.adopt(home, state);
  const names = [...state.done, ...(state.current ? [state.current] : [])];
  const touched = steps.filter((s) => names.includes(s.name));
  logger.warning(`Task ${state.task} of @${state.context} (pid ${state.pid}) was interrupted; undoing its ${touched.length} step(s) first.`);
  const undone = await undoSteps(touched, ctx, logger);
  journal.end();
  return undone;
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
