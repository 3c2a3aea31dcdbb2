import type { Kernel } from '../../../core/kernel/kernel.js';
import type { Logger } from '../../../core/logger/logger.js';
import type { ContextStore } from '../context/store.js';
import type { ServerContext } from '../context/types.js';
import type { Executor } from '../executor/types.js';
import type { Secrets } from '../service/secrets.js';
import type { TaskNotes } from './notes.js';

/** Option values of a task, by the command line's option names (`new-name`, `file`). */
export type TaskOptions = Readonly<Record<string, string | number | boolean | undefined>>;

/** What the steps of every task share, whatever its context type. */
export interface TaskContextBase {
  /** The Aegir home: contexts, secrets, journals, backups. */
  readonly home: string;
  readonly kernel: Kernel;
  readonly contexts: ContextStore;
  readonly secrets: Secrets;
  readonly logger: Logger;
  /** The back end's own bin/aegir. */
  readonly aegirBin: string;
  /** Values steps hand to later steps in this process (a plan, a file name). Gone after a crash: undos read `notes`. */
  readonly state: Map<string, unknown>;
  /** Facts the undo of a step needs even after the task's process died; kept in the journal. */
  readonly notes: TaskNotes;
  /** Options of the task (from the command line or the front end); kept in the journal for a recovery. */
  readonly options: TaskOptions;
  /**
   * The executor of a server for this task (one per server, made on first
   * use): local commands run in process groups the task records, so that a
   * cancel or a recovery ends them.
   */
  executorFor(server: ServerContext): Promise<Executor>;
  /**
   * A new private folder (0700) for the task's own temporary files on a
   * server: under the Aegir home's work/ here, in /tmp on a server over
   * SSH. It is noted in the journal and removed when the task ends, and by
   * the recovery of a task whose process died, so it never outlives the task.
   */
  workFolder(server: ServerContext): Promise<string>;
  /** Remove the work folders the task (or the interrupted task it recovers) made. */
  removeWorkFolders(): Promise<void>;
  /** Release the executors the task made (connections to other servers). */
  close(): Promise<void>;
}
