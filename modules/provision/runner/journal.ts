import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { withHostMutex } from '../../../core/lock/host-mutex.js';
import { MISSING, readJsonFile } from '../../../core/util/json-file.js';
import { isRunning, selfIdentity, type ProcessIdentity } from '../../../core/util/process-identity.js';
import { claimsOf, firstConflict, type Claim } from './claims.js';
import type { TaskOptions } from './context.js';
import type { NoteValue } from './notes.js';

/** What a running (or interrupted) task has done so far, as its journal keeps it. */
export interface JournalState {
  readonly task: string;
  readonly context: string;
  /** The process running the task. */
  readonly owner: ProcessIdentity;
  readonly started: number;
  /** Names held besides the context (see claims.ts). */
  readonly claims: readonly Claim[];
  /** The task's options, for a recovery in another process. */
  readonly options: TaskOptions;
  /** Steps whose run finished, in order. */
  readonly done: readonly string[];
  /** The step being run, if any: it may have done part of its work. */
  readonly current: string | null;
  /** What the steps noted for their undo (see TaskNotes). */
  readonly notes: Readonly<Record<string, NoteValue>>;
  /** Local commands of the task running now, each the leader of its own process group. */
  readonly processes: readonly ProcessIdentity[];
}

/** What starting a task's journal needs. */
export interface JournalStart {
  readonly task: string;
  readonly context: string;
  readonly claims?: readonly Claim[];
  readonly options?: TaskOptions;
}

const dirOf = (home: string): string => join(home, 'tasks');
const mutexOf = (home: string): string => join(dirOf(home), '.claims.lock');

function parseState(raw: unknown, path: string): JournalState {
  const bad = (problem: string): never => { throw new AegirError('ERR_JOURNAL_INVALID', { path, problem }); };
  const s = raw as Partial<JournalState> | null;
  if (typeof s !== 'object' || s === null) return bad('it is not a JSON object');
  if (typeof s.task !== 'string' || typeof s.context !== 'string') bad('it names no task or context');
  if (typeof s.owner?.pid !== 'number') bad('it names no owner process');
  if (!Array.isArray(s.done) || !Array.isArray(s.claims)) bad('it has no list of done steps or claims');
  return { options: {}, notes: {}, processes: [], current: null, started: 0, ...s } as JournalState;
}

/** Read one journal file; undefined when there is none. */
function readState(path: string): JournalState | undefined {
  const raw = readJsonFile(path, 'ERR_JOURNAL_INVALID', { optional: true });
  return raw === MISSING ? undefined : parseState(raw, path);
}

/** Every journal under the home (running and interrupted tasks). */
function allStates(home: string): JournalState[] {
  let names: string[];
  try {
    names = readdirSync(dirOf(home)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  return names.map((n) => readState(join(dirOf(home), n))).filter((s): s is JournalState => s !== undefined);
}

function busy(name: string, holder: JournalState): AegirError {
  return new AegirError('ERR_TASK_BUSY', {
    context: name, task: holder.task, holder: holder.context, pid: holder.owner.pid, state: isRunning(holder.owner) ? 'running' : 'interrupted',
  });
}

/**
 * A task's journal: `<home>/tasks/<context>.json`, made when the task
 * starts, rewritten after each step, removed when the task ends. It holds
 * the task's claims: a task starts only when none of its names is held by
 * another journal (checked and written under one machine-wide mutex, so
 * two tasks started together can never both win), and a journal left by a
 * process that died is an interrupted task that keeps its names until the
 * next task on its context undoes or finishes it.
 */
export class Journal {
  private ended = false;

  private constructor(private readonly path: string, private state: JournalState) {}

  /** The journal file of a context. */
  static pathFor(home: string, context: string): string {
    return join(dirOf(home), `${context}.json`);
  }

  /** The journal of a context, if any, as it is now. */
  static read(home: string, context: string): JournalState | undefined {
    return readState(Journal.pathFor(home, context));
  }

  /** An interrupted task's journal on the context (its process is gone), if there is one; ERR_TASK_BUSY if a live task holds the context. */
  static interrupted(home: string, context: string): JournalState | undefined {
    const state = Journal.read(home, context);
    if (!state) return undefined;
    if (isRunning(state.owner) && state.owner.pid !== process.pid) throw busy(context, state);
    return state;
  }

  /**
   * Start a task's journal, holding its context and claims; ERR_TASK_BUSY
   * (naming the holder, running or interrupted) when another task holds
   * one of them. Nothing is changed when it is refused.
   */
  static async start(home: string, s: JournalStart): Promise<Journal> {
    mkdirSync(dirOf(home), { recursive: true, mode: 0o750 });
    const wanted = claimsOf(s.context, s.claims ?? []);
    return withHostMutex(mutexOf(home), () => {
      for (const other of allStates(home)) {
        const clash = firstConflict(wanted, claimsOf(other.context, other.claims));
        if (clash) throw busy(clash.name, other);
      }
      const path = Journal.pathFor(home, s.context);
      const state: JournalState = {
        task: s.task, context: s.context, owner: selfIdentity(), started: Date.now(), claims: wanted.slice(1), options: s.options ?? {},
        done: [], current: null, notes: {}, processes: [],
      };
      closeSync(openSync(path, 'wx', 0o640));
      const j = new Journal(path, state);
      j.write();
      return j;
    }, { what: `the task claims of ${home}` });
  }

  /**
   * Run `work` while no task holds `name` (in any mode), atomically with
   * task starts: a context is never changed under a task that depends on
   * it (ERR_TASK_BUSY naming the holder otherwise).
   */
  static async whileUnclaimed<T>(home: string, name: string, work: () => T): Promise<T> {
    mkdirSync(dirOf(home), { recursive: true, mode: 0o750 });
    return withHostMutex(mutexOf(home), () => {
      for (const other of allStates(home)) {
        if (claimsOf(other.context, other.claims).some((c) => c.name === name)) throw busy(name, other);
      }
      return work();
    }, { what: `the task claims of ${home}` });
  }

  /** Take over an interrupted task's journal to undo or finish it; ERR_TASK_BUSY when another process took it over first. */
  static async adopt(home: string, interrupted: JournalState): Promise<Journal> {
    return withHostMutex(mutexOf(home), () => {
      const now = Journal.read(home, interrupted.context);
      if (!now || now.started !== interrupted.started || now.task !== interrupted.task) throw new AegirError('ERR_TASK_BUSY', { context: interrupted.context, task: interrupted.task, holder: interrupted.context, pid: interrupted.owner.pid, state: 'running' });
      if (isRunning(now.owner) && now.owner.pid !== process.pid) throw busy(interrupted.context, now);
      const j = new Journal(Journal.pathFor(home, now.context), { ...now, owner: selfIdentity() });
      j.write();
      return j;
    }, { what: `the task claims of ${home}` });
  }

  get current(): JournalState {
    return this.state;
  }

  begin(step: string): void {
    this.update({ current: step });
  }

  finish(step: string): void {
    this.update({ done: [...this.state.done, step], current: null });
  }

  /** Record the task's notes. */
  note(notes: Readonly<Record<string, NoteValue>>): void {
    this.update({ notes });
  }

  /** Record the local commands running now. */
  processes(processes: readonly ProcessIdentity[]): void {
    this.update({ processes });
  }

  /** The task ended (done or fully undone): forget it and free its names. Later updates (a command run after the steps) are ignored. */
  end(): void {
    this.ended = true;
    rmSync(this.path, { force: true });
  }

  private update(change: Partial<JournalState>): void {
    this.state = { ...this.state, ...change };
    if (!this.ended) this.write();
  }

  private write(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state) + '\n', { mode: 0o640 });
    renameSync(tmp, this.path);
  }
}
