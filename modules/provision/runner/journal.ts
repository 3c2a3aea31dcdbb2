import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { NoteValue } from './notes.js';

/** What a running (or interrupted) task has done so far. */
export interface JournalState {
  readonly task: string;
  readonly context: string;
  readonly pid: number;
  readonly started: number;
  /** Steps whose run finished, in order. */
  readonly done: readonly string[];
  /** The step being run, if any: it may have done part of its work. */
  readonly current: string | null;
  /** What the steps noted for their undo (see TaskNotes). */
  readonly notes?: Readonly<Record<string, NoteValue>>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A task's journal: `<home>/tasks/<context>.json`, created exclusively when
 * the task starts (one task per context at a time), rewritten after each
 * step, removed when the task ends. A journal left by a process that died
 * is an interrupted task, whose steps the next task on the context undoes
 * first.
 */
export class Journal {
  private state: JournalState;

  private constructor(private readonly path: string, state: JournalState) {
    this.state = state;
  }

  /** The journal file of a context. */
  static pathFor(home: string, context: string): string {
    return join(home, 'tasks', `${context}.json`);
  }

  /** An interrupted task's journal (its process is gone), if there is one; ERR_TASK_BUSY if a live task holds the context. */
  static interrupted(home: string, context: string): JournalState | undefined {
    let state: JournalState;
    try {
      state = JSON.parse(readFileSync(Journal.pathFor(home, context), 'utf8')) as JournalState;
    } catch {
      return undefined;
    }
    if (alive(state.pid) && state.pid !== process.pid) throw new AegirError('ERR_TASK_BUSY', { context, task: state.task, pid: state.pid });
    return state;
  }

  /** Start a task's journal; ERR_TASK_BUSY when another task holds the context. */
  static start(home: string, task: string, context: string): Journal {
    const path = Journal.pathFor(home, context);
    mkdirSync(join(home, 'tasks'), { recursive: true, mode: 0o750 });
    const state: JournalState = { task, context, pid: process.pid, started: Date.now(), done: [], current: null };
    try {
      closeSync(openSync(path, 'wx', 0o640));
    } catch {
      const other = Journal.interrupted(home, context);
      if (other) throw new AegirError('ERR_TASK_BUSY', { context, task: other.task, pid: other.pid });
      closeSync(openSync(path, 'wx', 0o640));
    }
    const j = new Journal(path, state);
    j.write();
    return j;
  }

  /** Take over an interrupted task's journal to undo it. */
  static adopt(home: string, state: JournalState): Journal {
    const j = new Journal(Journal.pathFor(home, state.context), { ...state, pid: process.pid });
    j.write();
    return j;
  }

  get current(): JournalState {
    return this.state;
  }

  begin(step: string): void {
    this.state = { ...this.state, current: step };
    this.write();
  }

  finish(step: string): void {
    this.state = { ...this.state, done: [...this.state.done, step], current: null };
    this.write();
  }

  /** Record the task's notes. */
  note(notes: Readonly<Record<string, NoteValue>>): void {
    this.state = { ...this.state, notes };
    this.write();
  }

  /** The task ended (done or fully undone): forget it. */
  end(): void {
    rmSync(this.path, { force: true });
  }

  private write(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state) + '\n', { mode: 0o640 });
    renameSync(tmp, this.path);
  }
}
