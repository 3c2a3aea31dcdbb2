import type { Knex } from 'knex';
import { hostname } from 'node:os';
import { describe } from '../../../core/errors/aegir-error.js';
import type { Logger } from '../../../core/logger/logger.js';
import { isRunning, processStart, selfIdentity, type ProcessIdentity } from '../../../core/util/process-identity.js';
import type { Limits } from './lanes.js';
import { listen } from './bell.js';
import { deadHere, SingleDispatcherLock } from './single.js';
import { isMysql, TaskQueue, type TaskRow, type TaskStatus } from './store.js';

/** One log line of a task run. */
export interface RunLogLine {
  readonly time: number;
  readonly level: string;
  readonly message: string;
}

/** What a runner gets for one task run. */
export interface RunIo {
  /** Store a log line of the run (live: readers see it at once). */
  log(line: RunLogLine): Promise<void>;
  /** Aborted when the task must end: a cancel, its time limit, the dispatcher stopping without handing back. */
  readonly signal: AbortSignal;
  /** Record the back-end process running the task (to end it if the dispatcher dies). */
  started(child: ProcessIdentity): Promise<void>;
}

/** How a run ended. */
export interface RunOutcome {
  readonly status: Exclude<TaskStatus, 'queued' | 'processing'>;
  readonly exitCode?: number | null;
  readonly errorCode?: string | null;
  readonly result?: unknown;
}

/** Runs one task (the drush bridge behind the hosting task types); never throws for a task that failed, only reports it. */
export type TaskRunner = (task: TaskRow, io: RunIo) => Promise<RunOutcome>;

/** How a dispatcher works. */
export interface DispatcherOptions {
  readonly db: Knex;
  readonly runner: TaskRunner;
  readonly limits: Limits;
  readonly logger: Logger;
  /** How often running tasks get a heartbeat and cancels are looked for (default 2 s). */
  readonly heartbeatMs?: number;
  /** How often the queue is looked at for tasks queued by other processes (default 100 ms; in-process queueing wakes it at once). */
  readonly pollMs?: number;
  /** A running task whose dispatcher gave no heartbeat for this long is abandoned (default 5 heartbeats). */
  readonly staleMs?: number;
  /** Its name in task rows (default host:pid:start of this process; tests run several in one process). */
  readonly id?: string;
  /** The time limit of a task (default 2 hours). */
  readonly timeLimitMs?: (task: TaskRow) => number;
  /** How long a back end gets to undo its work after SIGTERM, when the dispatcher ends it (default 120 s). */
  readonly graceMs?: number;
}

/** A task being run by this dispatcher. */
interface Running {
  readonly task: TaskRow;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  child?: ProcessIdentity;
}

/**
 * The dispatcher: claims queued tasks (TaskQueue.claim keeps apart what
 * must not run together and keeps the limits), runs each with the runner,
 * stores its log as it comes and its outcome at the end. It wakes at once
 * when a task is queued in its process (`wake`) and looks at the queue
 * every `pollMs` for the others. Every running task has a heartbeat and a
 * time limit; a cancel asked for in the database ends the task's back end
 * (which undoes what it did). On start, tasks whose dispatcher is gone are
 * abandoned, their back-end processes ended first, so nothing stays in
 * processing. On SQLite one dispatcher may run (SingleDispatcherLock);
 * on MySQL/MariaDB several share one queue.
 */
export class Dispatcher {
  /** This dispatcher's name in task rows: host, pid and process start. */
  readonly id: string;
  private readonly queue: TaskQueue;
  private readonly running = new Map<number, Running>();
  private readonly lock: SingleDispatcherLock | undefined;
  private timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private again = false;
  private stopping = false;
  private unlisten: () => void = () => undefined;
  private cancelsChecked = 0;

  constructor(private readonly o: DispatcherOptions) {
    const me = selfIdentity();
    this.id = o.id ?? `${hostname()}:${me.pid}:${me.start ?? 0}`;
    this.queue = new TaskQueue(o.db);
    this.lock = isMysql(o.db) ? undefined : new SingleDispatcherLock(o.db, this.id, this.staleMs());
  }

  private staleMs(): number {
    return this.o.staleMs ?? 5 * (this.o.heartbeatMs ?? 2000);
  }

  /** Start: take the SQLite lock, deal with tasks whose dispatcher is gone, then claim and run. */
  async start(): Promise<void> {
    await this.lock?.acquire();
    await this.recover();
    const hb = this.o.heartbeatMs ?? 2000;
    this.timers.push(setInterval(() => { void this.beat(); }, hb));
    this.timers.push(setInterval(() => this.wake(), this.o.pollMs ?? 100));
    for (const t of this.timers) t.unref();
    this.unlisten = listen(this.o.db, () => this.wake());
    this.wake();
    this.o.logger.info(`Dispatcher ${this.id} runs up to ${this.o.limits.global} task(s), ${this.o.limits.perServer} per server.`);
  }

  /** Look at the queue now (a task was queued). Calls made while a claim runs lead to one more claim, not to many. */
  wake(): void {
    if (this.stopping) return;
    if (this.ticking) { this.again = true; return; }
    this.ticking = true;
    void this.tick().finally(() => {
      this.ticking = false;
      if (this.again) { this.again = false; this.wake(); }
    });
  }

  /** The tasks running here now. */
  runningTasks(): number[] {
    return [...this.running.keys()];
  }

  /**
   * Stop claiming; then either let the running tasks finish (`handBack`
   * false, the default) or end their back ends, which undo what they did,
   * and leave the tasks cancelled (`handBack` true). Releases the lock.
   */
  async stop(o: { handBack?: boolean } = {}): Promise<void> {
    this.stopping = true;
    this.unlisten();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (o.handBack) for (const r of this.running.values()) r.abort.abort('the dispatcher stopped');
    // Heartbeats go on while the running tasks finish.
    const hb = setInterval(() => { void this.beat(); }, this.o.heartbeatMs ?? 2000);
    try {
      await Promise.all([...this.running.values()].map((r) => r.done));
    } finally {
      clearInterval(hb);
      await this.lock?.release().catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    if (this.running.size && Date.now() - this.cancelsChecked >= (this.o.pollMs ?? 100)) {
      // Cancels asked for by other processes are seen at the pace of the queue, not of the heartbeat.
      this.cancelsChecked = Date.now();
      const asked = (await this.o.db('hosting_task').whereIn('nid', this.runningTasks()).andWhere({ cancel_requested: 1 }).select('nid').catch(() => [])) as { nid: number }[];
      for (const r of asked) this.running.get(Number(r.nid))?.abort.abort('a cancel was asked for');
    }
    const free = this.o.limits.global - this.running.size;
    if (free <= 0) return;
    let claimed: TaskRow[];
    try {
      claimed = await this.queue.claim(this.id, this.o.limits, free);
    } catch (e) {
      this.o.logger.error(`Dispatcher could not claim tasks: ${describe(e)}`);
      return;
    }
    for (const t of claimed) this.run(t);
  }

  private run(task: TaskRow): void {
    const abort = new AbortController();
    const limit = this.o.timeLimitMs?.(task) ?? 2 * 60 * 60_000;
    const timer = setTimeout(() => abort.abort(`its time limit of ${Math.round(limit / 1000)} s was reached`), limit);
    timer.unref();
    const rid = task.runId!;
    const entry: Running = { task, abort, done: Promise.resolve() };
    const io: RunIo = {
      log: (l) => this.queue.log(rid, [l]),
      signal: abort.signal,
      started: async (child) => { entry.child = child; await this.queue.started(task.nid, child); },
    };
    const done = (async () => {
      let outcome: RunOutcome;
      try {
        outcome = await this.o.runner(task, io);
      } catch (e) {
        await this.queue.log(rid, [{ time: Date.now(), level: 'error', message: `The task could not be run: ${describe(e)}` }]).catch(() => undefined);
        outcome = { status: 'error', errorCode: 'ERR_UNEXPECTED' };
      } finally {
        clearTimeout(timer);
      }
      if (abort.signal.aborted && outcome.status !== 'success') {
        await this.queue.log(rid, [{ time: Date.now(), level: 'warning', message: `Ended because ${String(abort.signal.reason)}.` }]).catch(() => undefined);
      }
      const ok = await this.queue.finish(task.nid, this.id, outcome.status, outcome).catch((e: unknown) => {
        this.o.logger.error(`Could not record the end of task ${task.nid}: ${describe(e)}`);
        return false;
      });
      if (!ok) this.o.logger.warning(`Task ${task.nid} was no longer this dispatcher's when it ended; its outcome (${outcome.status}) was not recorded.`);
    })().finally(() => {
      this.running.delete(task.nid);
      this.wake();
    });
    this.running.set(task.nid, { ...entry, done });
  }

  /** Heartbeat: running tasks are alive; cancels asked for meanwhile end their back ends; the SQLite lock is renewed; dead dispatchers' tasks are abandoned. */
  private async beat(): Promise<void> {
    try {
      if (this.lock && !(await this.lock.renew())) this.o.logger.error('The dispatcher lost its lock on the queue (it expired); another dispatcher may have taken over.');
      const cancels = await this.queue.heartbeat(this.id, this.runningTasks());
      for (const nid of cancels) this.running.get(nid)?.abort.abort('a cancel was asked for');
      await this.recover();
    } catch (e) {
      this.o.logger.error(`Dispatcher heartbeat failed: ${describe(e)}`);
    }
  }

  /**
   * Tasks still marked processing whose dispatcher is gone (a dead process
   * on this host, or no heartbeat for staleMs): their back end is ended if
   * it still runs here (it undoes its work), then they are marked error
   * with a line that says what happened. The next provision task on the
   * object recovers whatever its journal kept.
   */
  private async recover(): Promise<void> {
    const host = hostname();
    const mine = new Set(this.runningTasks());
    const processing = (await this.o.db('hosting_task').where({ status: 'processing' }).select('dispatcher')) as { dispatcher: string | null }[];
    const gone = [...new Set(processing.map((p) => p.dispatcher).filter((d): d is string => d !== null && d !== this.id && deadHere(d)))];
    for (const t of await this.queue.orphans(this.staleMs(), gone)) {
      if (mine.has(t.nid) || t.dispatcher === this.id) continue;
      const child = t.pid !== null ? { pid: t.pid, start: t.pidStart ?? undefined } : undefined;
      if (child && t.dispatcher?.startsWith(`${host}:`) && isRunning(child)) {
        try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
        const until = Date.now() + (this.o.graceMs ?? 120_000);
        while (isRunning(child) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        if (isRunning(child)) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
      }
      const why = `The dispatcher that ran this task (${t.dispatcher ?? 'unknown'}) stopped${child ? `; its back end (pid ${child.pid}) was ended` : ''}. The next task on this ${t.objectKind} undoes what it had done.`;
      if (await this.queue.abandon(t, why)) this.o.logger.warning(`Task ${t.nid} abandoned: ${why}`);
    }
  }
}

/** The identity of a process by pid, for tests and commands. */
export function identityOf(pid: number): ProcessIdentity {
  return { pid, start: processStart(pid) };
}
