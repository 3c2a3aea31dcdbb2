import { AegirError, describe, isAegirError } from '../../../core/errors/aegir-error.js';
import type { ErrorCode } from '../../../core/errors/catalogue.js';
import { endProcessGroup } from '../../../core/util/process-identity.js';
import type { Claim } from './claims.js';
import type { TaskContextBase } from './context.js';
import { Journal, type JournalState } from './journal.js';
import { onCancelSignals } from './signals.js';
import type { TaskStep } from './step.js';
import type { TaskSupervisor } from './supervisor.js';

/** One run of a task. */
export interface TaskRun<C extends TaskContextBase> {
  /** Task name (`install`, `backup`). */
  readonly task: string;
  /** Context the task works on: held exclusively while it runs. */
  readonly context: string;
  /** Other names it holds (see claims.ts). */
  readonly claims?: readonly Claim[];
  readonly steps: readonly TaskStep<C>[];
  /** What every step gets; its executors go through `supervisor`. */
  readonly ctx: C;
  readonly supervisor: TaskSupervisor;
  /** Codes that mean "refused and rolled back" (see TaskDefinition.refusals). */
  readonly refusals?: readonly ErrorCode[];
  /** Leave SIGINT and SIGTERM alone (the caller handles cancellation itself). */
  readonly noSignals?: boolean;
}

/** What undoing a list of steps did. */
interface UndoReport {
  /** Titles of the steps whose undo changed something. */
  readonly undone: string[];
  /** Titles of the steps whose undo failed. */
  readonly failed: string[];
}

const problemOf = (e: unknown): string => `${isAegirError(e) ? `[${e.code}] ` : ''}${describe(e).replace(/\.$/, '')}`;

/**
 * Run a task's steps in order under its journal, holding its context and
 * claims (ERR_TASK_BUSY before anything changes when another task holds
 * one). When a step fails, or the task is cancelled (SIGINT, SIGTERM), it
 * and every step before it are undone in reverse, each undo that changed
 * something logged as "Undone"; the error names the step and what was
 * undone. When an undo fails the journal stays, so the next task on the
 * context undoes the task again (ERR_TASK_UNDO_FAILED). Past a step marked
 * `commit` nothing is undone: running the task again finishes it.
 */
export async function runTask<C extends TaskContextBase>(run: TaskRun<C>): Promise<void> {
  const { ctx, supervisor: sup } = run;
  const logger = ctx.logger;
  const journal = await Journal.start(ctx.home, { task: run.task, context: run.context, claims: run.claims ?? [], options: ctx.options });
  ctx.notes.attach((n) => journal.note(n));
  sup.attach((p) => journal.processes(p));
  const release = run.noSignals ? () => undefined : onCancelSignals(sup, logger);
  const done: TaskStep<C>[] = [];
  let current: TaskStep<C> | undefined;
  try {
    for (const [i, step] of run.steps.entries()) {
      current = step;
      if (step.commit) sup.commit();
      sup.enterStep(i + 1);
      journal.begin(step.name);
      logger.info(`[${i + 1}/${run.steps.length}] ${step.title}`);
      await step.run(ctx);
      sup.afterStep(i + 1);
      if (sup.cancelled) throw new AegirError('ERR_TASK_CANCELLED', { task: run.task, reason: sup.cancelled });
      journal.finish(step.name);
      done.push(step);
      current = undefined;
    }
    await ctx.removeWorkFolders();
    journal.end();
  } catch (e) {
    const failed = current?.title ?? 'start';
    const problem = problemOf(e);
    const touched = current ? [...done, current] : done;
    if (touched.some((s) => s.commit)) {
      // Past the point of no return: going back would restore half a site. Finish by running the task again.
      logger.error(`${run.task} failed at "${failed}": ${problem}. Nothing is undone past "${touched.find((s) => s.commit)?.title ?? failed}"; run the task again to finish it.`);
      await ctx.removeWorkFolders().catch(() => undefined);
      journal.end();
      throw new AegirError('ERR_TASK_FAILED', { task: run.task, context: run.context, step: failed, problem, undone: 'It is past its point of no return: run it again to finish.' }, { cause: e });
    }
    const cancelled = sup.cancelled;
    logger.error(cancelled ? `${run.task} was cancelled (${cancelled}) at "${failed}". Undoing what it did.` : `${run.task} failed at "${failed}": ${problem}. Rolling back.`);
    sup.beginUndo();
    const r = await undoSteps(touched, ctx);
    await ctx.removeWorkFolders().catch((x: unknown) => { r.failed.push(`remove the task's work folders (${describe(x)})`); });
    const undone = r.undone.length ? `Undone: ${r.undone.join('; ')}.` : 'Nothing needed undoing.';
    if (r.failed.length) {
      // The journal stays: once this process ends, the next task on the context undoes the task again.
      throw new AegirError('ERR_TASK_UNDO_FAILED', { task: run.task, context: run.context, step: failed, problem, failed: r.failed.join('; '), undone }, { cause: e });
    }
    journal.end();
    if (cancelled) throw new AegirError('ERR_TASK_CANCELLED', { task: run.task, reason: cancelled }, { cause: e });
    const refusal = refusalOf(e, run.refusals);
    if (refusal) throw new AegirError(refusal.code, refusal.facts, { cause: new AegirError('ERR_TASK_FAILED', { task: run.task, context: run.context, step: failed, problem, undone }, { cause: e }) });
    throw new AegirError('ERR_TASK_FAILED', { task: run.task, context: run.context, step: failed, problem, undone }, { cause: e });
  } finally {
    release();
  }
}

/** The coded error that caused a failure, when its code is one of the task's refusals. */
function refusalOf(e: unknown, refusals: readonly ErrorCode[] | undefined): AegirError | undefined {
  return isAegirError(e) && refusals?.includes(e.code) ? e : undefined;
}

/** What recovering an interrupted task did. */
export interface Recovery {
  /** Titles of the steps whose undo changed something. */
  readonly undone: readonly string[];
  /** The task had passed its point of no return and was finished instead: the context may have changed or be gone. */
  readonly finished: boolean;
  /** How many commands it had left running that were ended first. */
  readonly ended: number;
}

/**
 * Deal with an interrupted task (its process died): take over its journal,
 * end the commands it left running (each in a process group of its own),
 * then, before its point of no return, undo in reverse the steps its
 * journal records as done or under way, with the notes it kept. Once a
 * commit step had started, going back would restore half a site, so that
 * step and the ones after it run again to finish the task. If an undo or
 * the finishing fails, the journal stays for the next try.
 */
export async function recoverTask<C extends TaskContextBase>(state: JournalState, steps: readonly TaskStep<C>[], ctx: C, sup: TaskSupervisor): Promise<Recovery> {
  const logger = ctx.logger;
  const journal = await Journal.adopt(ctx.home, state);
  ctx.notes.load(state.notes);
  ctx.notes.attach((n) => journal.note(n));
  sup.attach((p) => journal.processes(p));
  let ended = 0;
  for (const p of state.processes) if (await endProcessGroup(p)) ended++;
  if (ended) logger.warning(`Ended ${ended} command(s) that the interrupted task ${state.task} had left running (pid ${state.processes.map((p) => p.pid).join(', ')}).`);
  const names = [...state.done, ...(state.current ? [state.current] : [])];
  const commitAt = steps.findIndex((s) => s.commit && names.includes(s.name));
  if (commitAt >= 0) {
    logger.warning(`Task ${state.task} of @${state.context} (pid ${state.owner.pid}) was interrupted past its point of no return; finishing it first.`);
    sup.commit();
    for (const step of steps.slice(commitAt)) {
      logger.info(`Finishing: ${step.title}`);
      await step.run(ctx);
    }
    await ctx.removeWorkFolders();
    journal.end();
    return { undone: [], finished: true, ended };
  }
  const touched = steps.filter((s) => names.includes(s.name));
  logger.warning(`Task ${state.task} of @${state.context} (pid ${state.owner.pid}) was interrupted; undoing its ${touched.length} step(s) first.`);
  sup.beginUndo();
  const r = await undoSteps(touched, ctx);
  await ctx.removeWorkFolders().catch((x: unknown) => { r.failed.push(`remove the task's work folders (${describe(x)})`); });
  if (r.failed.length) {
    throw new AegirError('ERR_TASK_UNDO_FAILED', {
      task: state.task, context: state.context, step: state.current ?? state.done.at(-1) ?? 'start', problem: 'its process died',
      failed: r.failed.join('; '), undone: r.undone.length ? `Undone: ${r.undone.join('; ')}.` : '',
    });
  }
  journal.end();
  return { undone: r.undone, finished: false, ended };
}

async function undoSteps<C extends TaskContextBase>(steps: readonly TaskStep<C>[], ctx: C): Promise<UndoReport> {
  const report: UndoReport = { undone: [], failed: [] };
  for (const step of [...steps].reverse()) {
    if (!step.undo) continue;
    try {
      if (await step.undo(ctx)) {
        report.undone.push(step.title);
        ctx.logger.notice(`Undone: ${step.title}`);
      } else {
        ctx.logger.debug(`Nothing to undo for: ${step.title}`);
      }
    } catch (e) {
      report.failed.push(step.title);
      ctx.logger.error(`Could not undo "${step.title}": ${describe(e)}`);
    }
  }
  return report;
}
