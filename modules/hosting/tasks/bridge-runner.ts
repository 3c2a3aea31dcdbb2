import { createHash } from 'node:crypto';
import { describe } from '../../../core/errors/aegir-error.js';
import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';
import { runBackend, type BackendOutcome } from '../../drush-bridge/run.js';
import { loadObject, type HostingObject } from '../objects/object.js';
import type { RunIo, RunOutcome, TaskRunner } from '../queue/dispatcher.js';
import type { TaskRow } from '../queue/store.js';
import { contextsFor, type ContextSave } from './contexts.js';
import { taskType } from './registry.js';

/** Where the back end is, for the bridge. */
export interface BridgeSetup {
  /** The hostmaster site (its database holds the queue and the objects). */
  readonly site: SiteContext;
  /** The back end's bin/aegir. */
  readonly aegirBin: string;
  /** The Aegir home the back end works in. */
  readonly home: string;
}

/** The dispatcher's own account, for the task types' checks while a task runs (the task was checked when it was queued). */
const DISPATCHER: Account = { uid: 0, name: 'the dispatcher', roles: [], anonymous: false, hasPermission: () => true };

/**
 * How a back end's outcome reads as a task status: cancelled, error, or
 * success (warning when it logged warnings or errors). A back end that a
 * cancel's SIGTERM ended before it wrote a result is cancelled too: the
 * signal came while it was still starting, before its task (and its own
 * handling of SIGTERM) began, so nothing of the task was done.
 */
export function statusOf(out: BackendOutcome, warned: boolean, cancelled = false): RunOutcome['status'] {
  if (out.result?.status === 'success') return warned ? 'warning' : 'success';
  if (out.result?.error?.code === 'ERR_TASK_CANCELLED') return 'cancelled';
  if (!out.result && cancelled && out.signal === 'SIGTERM') return 'cancelled';
  return 'error';
}

/**
 * The task runner of the hosting front end: run the task type's provision
 * command through the drush bridge, with the contexts it needs written
 * first from the front end's tables (those that changed, on its standard
 * input for --save-contexts) and the log stored as it comes, then let
 * modules react (hosting.task_succeeded or hosting.task_failed). A back
 * end that ends without a result is an error with its last lines in the
 * log.
 */
export function bridgeRunner(b: BridgeSetup): TaskRunner {
  return async (task: TaskRow, io: RunIo): Promise<RunOutcome> => {
    const db = b.site.db;
    const note = (level: string, message: string) => io.log({ time: Date.now(), level, message });
    const object = await loadObject(db, task.objectNid);
    if (!object) {
      await note('error', `Node ${task.objectNid} is no server, platform or site any more.`);
      return { status: 'error', errorCode: 'ERR_OBJECT_UNKNOWN' };
    }
    const type = taskType(b.site.kernel, object.kind, task.taskType);
    if (!type) {
      await note('error', `No enabled module offers a ${task.taskType} task for a ${object.kind} (was its module disabled?).`);
      return { status: 'error', errorCode: 'ERR_TASK_TYPE_UNKNOWN' };
    }
    let warned = false;
    const forward = async (e: { time: number; level: string; message: string }): Promise<void> => {
      if (e.level === 'warning' || e.level === 'error') warned = true;
      await note(e.level, e.message);
    };
    const contexts = await contextsFor(db, object, task.args);
    // Contexts written with these very options before (and not forgotten since) are not sent again; the
    // others ride on the task's own command (--save-contexts on its standard input: one back-end start).
    const changed: { name: string; options: ContextSave['options']; hash: string }[] = [];
    for (const c of contexts) {
      const hash = createHash('sha256').update(JSON.stringify([c.name, c.options])).digest('hex');
      if ((await db('hosting_context').where({ name: c.name }).first('hash'))?.hash !== hash) changed.push({ ...c, hash });
    }
    const options = (await type.options?.(task.args, { site: b.site, object, account: DISPATCHER })) ?? {};
    const out = await runBackend({
      aegirBin: b.aegirBin, home: b.home, command: type.command, context: object.context, onLog: forward, signal: io.signal,
      options: changed.length ? { ...options, 'save-contexts': '-' } : options,
      stdin: changed.length ? JSON.stringify(changed.map((c) => ({ name: c.name, options: c.options }))) : undefined,
      onSpawn: (child) => { void io.started(child); },
    });
    if (out.result?.status === 'success') {
      // Two tasks may write one context at once (a server's verify and its platform's): the last one's hash stays.
      for (const c of changed) await db('hosting_context').insert({ name: c.name, hash: c.hash, saved_at: Date.now() }).onConflict('name').merge();
    }
    const status = statusOf(out, warned, io.signal.aborted);
    if (!out.result && status === 'cancelled') {
      await note('warning', 'The back end was ended by the cancel while it was starting, before the task began: nothing of it was done.');
    } else if (!out.result) {
      await note('error', `The back end ended without a result (exit ${out.exitCode ?? out.signal}). Its last lines: ${out.lastLines.slice(-5).join(' / ') || 'none'}`);
    } else if (out.result.status === 'error') {
      await note('error', `${out.result.error?.code}: ${out.result.error?.message}`);
    }
    // A back end that does not know a context as written (removed by hand, another home): write them all again next time.
    if (out.result?.error && ['ERR_CONTEXT_UNKNOWN', 'ERR_CONTEXT_INVALID', 'ERR_CONTEXT_TYPE'].includes(out.result.error.code)) {
      await db('hosting_context').whereIn('name', contexts.map((c) => c.name)).delete();
    }
    const outcome: RunOutcome = {
      status, exitCode: out.exitCode, errorCode: out.result?.error?.code ?? (out.result ? null : status === 'cancelled' ? 'ERR_TASK_CANCELLED' : 'ERR_BACKEND_NO_RESULT'), result: out.result?.output ?? null,
    };
    return finish(b, task, object, outcome, out.result?.output, io);
  };
}

/**
 * Let modules react to how the task ended; what they report (an import's
 * new nodes) joins the task's stored result. A reaction that fails is
 * logged and turns a success into a warning.
 */
async function finish(b: BridgeSetup, task: TaskRow, object: HostingObject, outcome: RunOutcome, output: unknown, io: RunIo): Promise<RunOutcome> {
  const ok = outcome.status === 'success' || outcome.status === 'warning';
  const reported: Record<string, unknown> = {};
  const withReports = (o: RunOutcome): RunOutcome => (Object.keys(reported).length
    ? { ...o, result: { ...(o.result && typeof o.result === 'object' ? o.result : {}), frontEnd: reported } }
    : o);
  try {
    const log = (level: string, message: string): Promise<void> => io.log({ time: Date.now(), level, message });
    const report = (key: string, value: unknown): void => { reported[key] = value; };
    await b.site.hooks.emit(ok ? 'hosting.task_succeeded' : 'hosting.task_failed', { task, object, outcome, output, site: b.site, log, report });
    return withReports(outcome);
  } catch (e) {
    await io.log({ time: Date.now(), level: 'error', message: `The front end could not record what the task did: ${describe(e)}` });
    return withReports(ok ? { ...outcome, status: 'warning' } : outcome);
  }
}
