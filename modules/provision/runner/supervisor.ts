import { AegirError } from '../../../core/errors/aegir-error.js';
import { endProcessGroup, processStart, type ProcessIdentity } from '../../../core/util/process-identity.js';
import type { ExecOptions, Executor } from '../executor/types.js';
import type { Fault } from './fault.js';

/**
 * What one run of a task knows about the processes it started and where it
 * is: every local command runs in a process group of its own, recorded
 * here (and through `attach`, in the task's journal) while it runs, so that
 * a cancel ends them now and the recovery of a task whose process died
 * ends what is left of them before it undoes anything. It also counts the
 * server changes of the current step, for faults injected half-way.
 */
export class TaskSupervisor {
  private readonly live = new Map<number, ProcessIdentity>();
  private sink: ((processes: readonly ProcessIdentity[]) => void) | undefined;
  private step = 0;
  private changes = 0;
  private cancelledBy: string | undefined;
  private undoing = false;
  private pastCommit = false;
  private fired = false;

  constructor(private readonly fault?: Fault) {}

  /** Send the list of running commands to `sink` on every change (the journal). */
  attach(sink: (processes: readonly ProcessIdentity[]) => void): void {
    this.sink = sink;
    sink(this.processes());
  }

  /** Commands of this task running now. */
  processes(): ProcessIdentity[] {
    return [...this.live.values()];
  }

  /** The runner starts step `n` (1-based). */
  enterStep(n: number): void {
    this.step = n;
    this.changes = 0;
  }

  /** The runner goes back: from now on changes are the undo's, allowed after a cancel and never faulted. */
  beginUndo(): void {
    this.undoing = true;
  }

  /** Why the task was cancelled, once it was. */
  get cancelled(): string | undefined {
    return this.cancelledBy;
  }

  /**
   * Cancel the task: end every command it runs now (their step then fails
   * and the runner undoes what was done). Refused (false) once the task is
   * past its point of no return: then it finishes.
   */
  cancel(reason: string): boolean {
    if (this.pastCommit) return false;
    this.cancelledBy ??= reason;
    for (const p of this.processes()) void endProcessGroup(p);
    return true;
  }

  /** The runner starts a step marked `commit`: from now on the task is finished, never cancelled. */
  commit(): void {
    this.pastCommit = true;
  }

  /** Before a change on a server (a command, a file written, moved or removed): fire a fault injected half-way through this step. */
  beforeChange(): void {
    if (this.undoing) return;
    const f = this.fault;
    if (f?.mid && f.step === this.step && this.changes === 1 && !this.fired) {
      // Once: what the step does to clean up after the failure (a finally) must run as it would after a real one.
      this.fired = true;
      if (f.mode === 'kill') process.kill(process.pid, 'SIGKILL');
      throw new AegirError('ERR_FAULT_INJECTED', { task: f.task, step: f.step });
    }
    if (this.cancelledBy) throw new AegirError('ERR_TASK_CANCELLED', { task: f?.task ?? 'task', reason: this.cancelledBy });
    this.changes++;
  }

  /** After step `n` ran: fire a fault injected there (also a half-way one the step swallowed or never reached). */
  afterStep(n: number): void {
    const f = this.fault;
    if (f?.step !== n) return;
    if (f.mode === 'kill') process.kill(process.pid, 'SIGKILL');
    throw new AegirError('ERR_FAULT_INJECTED', { task: f.task, step: f.step });
  }

  /** Options that make a local command run in its own group, recorded while it runs. */
  commandOptions(): Pick<ExecOptions, 'group' | 'onSpawn' | 'onExit'> {
    return {
      group: true,
      onSpawn: (pid) => { this.live.set(pid, { pid, start: processStart(pid) }); this.sink?.(this.processes()); },
      onExit: (pid) => { if (this.live.delete(pid)) this.sink?.(this.processes()); },
    };
  }
}

/**
 * An executor whose commands and file changes go through a task's
 * supervisor: local commands in process groups of their own, recorded in
 * the journal while they run; faults injected half-way; no new change once
 * the task is cancelled, until the runner undoes it.
 */
export function supervised(exec: Executor, sup: TaskSupervisor): Executor {
  const change = async <T>(work: () => Promise<T>): Promise<T> => {
    sup.beforeChange();
    return work();
  };
  return {
    server: exec.server,
    local: exec.local,
    run: (argv, opts = {}) => change(() => exec.run(argv, exec.local ? { ...opts, ...sup.commandOptions() } : opts)),
    readFile: (p) => exec.readFile(p),
    writeFile: (p, d, m) => change(() => exec.writeFile(p, d, m)),
    mkdir: (p, m) => change(() => exec.mkdir(p, m)),
    remove: (p) => change(() => exec.remove(p)),
    exists: (p) => exec.exists(p),
    rename: (a, b) => change(() => exec.rename(a, b)),
    list: (p) => exec.list(p),
    freeBytes: (p) => exec.freeBytes(p),
    close: () => exec.close(),
  };
}
