import type { CommandResult } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { Logger } from '../../../core/logger/logger.js';
import { checkName } from '../context/validate.js';
import type { TaskContextBase, TaskOptions } from './context.js';
import type { AnyTaskDefinition, TaskCall, TaskDefinition, TaskOn } from './definition.js';
import { parseFault } from './fault.js';
import { Journal } from './journal.js';
import { openTask, type ExecutorFactory } from './open.js';
import { taskRegistry } from './registry.js';
import { recoverTask, runTask, type Recovery } from './runner.js';
import { TaskSupervisor } from './supervisor.js';

/** One request to run a provision task on a context, from the command line, the front end or a test. */
export interface TaskInvocation {
  readonly kernel: Kernel;
  readonly home: string;
  readonly logger: Logger;
  /** The back end's own bin/aegir. */
  readonly aegirBin: string;
  /** The context to work on (`example.com`, `platform_x`, `server_y`). */
  readonly context: string;
  /** The task by name (`backup`), or `command` with the context's type choosing the task. */
  readonly task?: string;
  readonly command?: string;
  readonly options?: TaskOptions;
  /** $AEGIR_FAULT, for tests. */
  readonly fault?: string | undefined;
  readonly call?: TaskCall;
  /** Make executors some other way (tests). */
  readonly executors?: ExecutorFactory;
  /** Leave SIGINT and SIGTERM alone (the caller cancels some other way). */
  readonly noSignals?: boolean;
}

/** What a task run gave. */
export interface TaskOutcome {
  readonly task: string;
  /** The task context the steps had (their state: the backup file, the target of a move). */
  readonly ctx: TaskContextBase;
  readonly result: CommandResult;
  readonly elapsedMs: number;
  /** What undoing or finishing an interrupted task on the context did first, if there was one. */
  readonly recovered?: Recovery;
}

/** The task an invocation names, checked against the context's type. */
function chooseTask(inv: TaskInvocation, on: TaskOn): AnyTaskDefinition {
  const registry = taskRegistry(inv.kernel);
  if (inv.task) {
    const def = registry.get(inv.task);
    if (def.on !== on) throw new AegirError('ERR_CONTEXT_TYPE', { name: inv.context, actual: on, expected: def.on });
    return def;
  }
  const defs = [...registry.tasks.values()].map((t) => t.definition).filter((d) => d.command === inv.command);
  const def = defs.find((d) => d.on === on);
  if (!def) throw new AegirError('ERR_CONTEXT_TYPE', { name: inv.context, actual: on, expected: defs.map((d) => d.on).join(' or ') || 'none' });
  return def;
}

/**
 * Run a task on a context: first undo (or finish) a task on it whose
 * process died, then prepare, run under the journal with its claims,
 * finish and report. Errors are coded (ERR_TASK_BUSY before anything
 * changed, ERR_TASK_FAILED after a rollback, a refusal's own code).
 */
export async function invokeTask(inv: TaskInvocation): Promise<TaskOutcome> {
  const started = Date.now();
  const on = checkName(inv.context);
  const def = chooseTask(inv, on) as TaskDefinition<TaskOn>;
  const registry = taskRegistry(inv.kernel);
  const open = (supervisor: TaskSupervisor, options: TaskOptions) => openTask(def.on, {
    kernel: inv.kernel, home: inv.home, name: inv.context, logger: inv.logger, aegirBin: inv.aegirBin, supervisor, options,
    ...(inv.executors ? { executors: inv.executors } : {}),
  });
  let recovered: Recovery | undefined;
  const interrupted = Journal.interrupted(inv.home, inv.context);
  if (interrupted) {
    const idef = registry.get(interrupted.task, inv.context) as TaskDefinition<TaskOn>;
    const sup = new TaskSupervisor();
    const rctx = await openTask(idef.on, {
      kernel: inv.kernel, home: inv.home, name: inv.context, logger: inv.logger, aegirBin: inv.aegirBin, supervisor: sup, options: interrupted.options,
      ...(inv.executors ? { executors: inv.executors } : {}),
    });
    try {
      recovered = await recoverTask(interrupted, registry.steps(idef), rctx, sup);
    } finally {
      await rctx.close();
    }
  }
  const sup = new TaskSupervisor(parseFault(inv.fault, def.name));
  let ctx = await open(sup, inv.options ?? {});
  try {
    const prepared = await def.prepare?.(ctx, inv.call ?? { cwd: process.cwd(), env: {} });
    if (prepared?.options) ctx = { ...ctx, options: { ...ctx.options, ...prepared.options } };
    await runTask({
      task: def.name, context: inv.context, claims: def.claims?.(ctx) ?? [], steps: registry.steps(def), ctx, supervisor: sup,
      ...(def.refusals ? { refusals: def.refusals } : {}), ...(inv.noSignals ? { noSignals: true } : {}),
    });
    await def.finish?.(ctx);
    const elapsedMs = Date.now() - started;
    const result = def.result?.(ctx, elapsedMs) ?? { data: { context: inv.context, task: def.name } };
    return { task: def.name, ctx, result, elapsedMs, ...(recovered ? { recovered } : {}) };
  } finally {
    await ctx.close();
  }
}
