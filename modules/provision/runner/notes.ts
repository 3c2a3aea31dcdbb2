/** A JSON value a task may note. */
export type NoteValue = string | number | boolean | null | readonly NoteValue[] | { readonly [key: string]: NoteValue };

/**
 * Small facts a task's steps note as they go (the working folder they made,
 * the names they chose) and that their undo needs. The runner writes them
 * into the task's journal on every change, so that when the task's process
 * dies, the next task on the context undoes it with the same facts. Never
 * secrets: a journal is a plain file of mode 0640.
 */
export class TaskNotes {
  private data: Record<string, NoteValue> = {};
  private sink: ((data: Readonly<Record<string, NoteValue>>) => void) | undefined;

  /** A noted value, if any. */
  get<T extends NoteValue>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }

  /** Note a value; it reaches the journal at once. */
  set(key: string, value: NoteValue): void {
    this.data = { ...this.data, [key]: value };
    this.sink?.(this.data);
  }

  /** Send every change to `sink` from now on (the runner's journal). */
  attach(sink: (data: Readonly<Record<string, NoteValue>>) => void): void {
    this.sink = sink;
    sink(this.data);
  }

  /** Take the notes of an interrupted task, to undo it. */
  load(data: Readonly<Record<string, NoteValue>> | undefined): void {
    this.data = { ...(data ?? {}) };
  }
}
