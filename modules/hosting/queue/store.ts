import type { Knex } from 'knex';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { ProcessIdentity } from '../../../core/util/process-identity.js';
import { ring } from './bell.js';
import { pick, type Lanes, type Limits } from './lanes.js';

/** Where a task stands. */
export type TaskStatus = 'queued' | 'processing' | 'success' | 'warning' | 'error' | 'cancelled';

/** The statuses of a task that has ended. */
export const FINISHED: readonly TaskStatus[] = ['success', 'warning', 'error', 'cancelled'];

/** A task row, typed. */
export interface TaskRow extends Lanes {
  readonly taskType: string;
  readonly objectNid: number;
  readonly status: TaskStatus;
  readonly args: Readonly<Record<string, unknown>>;
  readonly uid: number;
  readonly queuedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly runId: number | null;
  readonly runs: number;
  readonly dispatcher: string | null;
  readonly pid: number | null;
  readonly pidStart: number | null;
  readonly heartbeatAt: number | null;
  readonly cancelRequested: boolean;
}

/** What queueing a task writes (its node exists already). */
export interface NewTask extends Lanes {
  readonly taskType: string;
  readonly objectNid: number;
  readonly args: Readonly<Record<string, unknown>>;
  readonly uid: number;
}

interface DbRow {
  nid: number; task_type: string; object_nid: number; object_kind: string; site_nid: number | null; platform_nid: number | null; server_nid: number | null;
  status: string; args: string; uid: number; queued_at: number; started_at: number | null; finished_at: number | null; run_id: number | null; runs: number;
  dispatcher: string | null; pid: number | null; pid_start: number | null; heartbeat_at: number | null; cancel_requested: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A database row as a TaskRow (numbers from MySQL's BIGINT strings too). */
export function fromDb(r: DbRow): TaskRow {
  let args: Record<string, unknown> = {};
  try { args = JSON.parse(r.args) as Record<string, unknown>; } catch { /* a damaged row shows no arguments */ }
  return {
    nid: Number(r.nid), taskType: r.task_type, objectNid: Number(r.object_nid), objectKind: r.object_kind as Lanes['objectKind'],
    siteNid: num(r.site_nid), platformNid: num(r.platform_nid), serverNid: num(r.server_nid), status: r.status as TaskStatus, args,
    uid: Number(r.uid), queuedAt: Number(r.queued_at), startedAt: num(r.started_at), finishedAt: num(r.finished_at), runId: num(r.run_id), runs: Number(r.runs),
    dispatcher: r.dispatcher, pid: num(r.pid), pidStart: num(r.pid_start), heartbeatAt: num(r.heartbeat_at), cancelRequested: Number(r.cancel_requested) === 1,
  };
}

/** Whether the connection is MySQL/MariaDB (row locks) rather than SQLite (one writer at a time). */
export function isMysql(db: Knex): boolean {
  return (db.client as { config?: { client?: string } }).config?.client === 'mysql2';
}

/**
 * The queue's reads and writes. Every change of status is one statement
 * guarded by the status it expects (`WHERE status = ...`), so two
 * dispatchers, or a dispatcher and a cancel, can never both move a task.
 */
export class TaskQueue {
  constructor(private readonly db: Knex, private readonly now: () => number = Date.now) {}

  /** Write a new task row, queued (through `trx`, the task node's transaction). Refused when the same kind of task is queued on the object. */
  static async insert(trx: Knex | Knex.Transaction, nid: number, t: NewTask, now = Date.now()): Promise<void> {
    const dup = await trx('hosting_task').where({ object_nid: t.objectNid, task_type: t.taskType, status: 'queued' }).first('nid');
    if (dup) throw new AegirError('ERR_TASK_QUEUED', { task: t.taskType, object: t.objectNid, nid: Number(dup.nid) });
    await trx('hosting_task').insert({
      nid, task_type: t.taskType, object_nid: t.objectNid, object_kind: t.objectKind, site_nid: t.siteNid, platform_nid: t.platformNid, server_nid: t.serverNid,
      status: 'queued', args: JSON.stringify(t.args), uid: t.uid, queued_at: now, runs: 0, cancel_requested: 0,
    });
  }

  /** A task, or undefined. */
  async get(nid: number): Promise<TaskRow | undefined> {
    const r = (await this.db('hosting_task').where({ nid }).first()) as DbRow | undefined;
    return r ? fromDb(r) : undefined;
  }

  /**
   * Claim the tasks that may start now (see lanes.ts), at most `max`, for
   * `dispatcher`: each becomes processing with a new run. One claim at a
   * time across dispatchers: on MySQL the queue lock row is held FOR UPDATE
   * for the claim's transaction; on SQLite the database has one writer and
   * one dispatcher.
   */
  async claim(dispatcher: string, limits: Limits, max = limits.global): Promise<TaskRow[]> {
    return this.db.transaction(async (trx) => {
      if (isMysql(this.db)) {
        await trx.raw('INSERT IGNORE INTO hosting_queue_lock (id, claimed_at) VALUES (1, 0)');
        await trx.raw('SELECT id FROM hosting_queue_lock WHERE id = 1 FOR UPDATE');
      }
      const running = ((await trx('hosting_task').where({ status: 'processing' })) as DbRow[]).map(fromDb);
      if (running.length >= limits.global) return [];
      const queued = ((await trx('hosting_task').where({ status: 'queued' }).orderBy([{ column: 'queued_at' }, { column: 'nid' }]).limit(500)) as DbRow[]).map(fromDb);
      const chosen = pick(queued, running, limits).slice(0, max);
      const now = this.now();
      const out: TaskRow[] = [];
      for (const c of chosen) {
        const task = queued.find((q) => q.nid === c.nid)!;
        const ids = (await trx('hosting_task_run').insert({ task_nid: c.nid, attempt: task.runs + 1, status: 'processing', started_at: now })) as number[];
        const rid = Number(ids[0]);
        const n = await trx('hosting_task').where({ nid: c.nid, status: 'queued' }).update({
          status: 'processing', started_at: now, finished_at: null, run_id: rid, runs: task.runs + 1, dispatcher, heartbeat_at: now, pid: null, pid_start: null, cancel_requested: 0,
        });
        if (n === 1) out.push({ ...task, status: 'processing', startedAt: now, runId: rid, runs: task.runs + 1, dispatcher, heartbeatAt: now });
      }
      if (isMysql(this.db) && out.length) await trx('hosting_queue_lock').where({ id: 1 }).update({ claimed_at: now });
      return out;
    });
  }

  /** Record the back-end process of a running task. */
  async started(nid: number, child: ProcessIdentity): Promise<void> {
    await this.db('hosting_task').where({ nid, status: 'processing' }).update({ pid: child.pid, pid_start: child.start ?? null });
  }

  /** Append log lines to a run. */
  async log(rid: number, lines: readonly { time: number; level: string; message: string }[]): Promise<void> {
    if (lines.length) await this.db('hosting_task_log').insert(lines.map((l) => ({ rid, time: l.time, level: l.level, message: l.message })));
  }

  /** The dispatcher still runs these tasks; resolves with those a cancel was asked for meanwhile. */
  async heartbeat(dispatcher: string, nids: readonly number[]): Promise<number[]> {
    if (!nids.length) return [];
    await this.db('hosting_task').whereIn('nid', nids).andWhere({ status: 'processing', dispatcher }).update({ heartbeat_at: this.now() });
    return ((await this.db('hosting_task').whereIn('nid', nids).andWhere({ cancel_requested: 1 }).select('nid')) as { nid: number }[]).map((r) => Number(r.nid));
  }

  /** End a run: the task gets `status`; refused (false) when the task is no longer this dispatcher's (it was recovered meanwhile). */
  async finish(nid: number, dispatcher: string, status: Exclude<TaskStatus, 'queued' | 'processing'>, run: { exitCode?: number | null; errorCode?: string | null; result?: unknown }): Promise<boolean> {
    const now = this.now();
    return this.db.transaction(async (trx) => {
      const t = (await trx('hosting_task').where({ nid }).first()) as DbRow | undefined;
      if (!t || t.status !== 'processing' || t.dispatcher !== dispatcher) return false;
      await trx('hosting_task_run').where({ rid: t.run_id }).update({
        status, finished_at: now, duration_ms: now - Number(t.started_at), exit_code: run.exitCode ?? null, error_code: run.errorCode ?? null,
        result: run.result === undefined ? null : JSON.stringify(run.result),
      });
      await trx('hosting_task').where({ nid, status: 'processing', dispatcher }).update({ status, finished_at: now, pid: null, pid_start: null, heartbeat_at: null });
      return true;
    });
  }

  /**
   * Cancel a task: a queued one is cancelled at once; a running one is
   * marked, and its dispatcher ends its back-end process (which undoes
   * what it did). ERR_TASK_NOT_CANCELLABLE for a task that has ended.
   */
  async cancel(nid: number): Promise<'cancelled' | 'requested'> {
    const now = this.now();
    if ((await this.db('hosting_task').where({ nid, status: 'queued' }).update({ status: 'cancelled', finished_at: now })) === 1) return 'cancelled';
    if ((await this.db('hosting_task').where({ nid, status: 'processing' }).update({ cancel_requested: 1 })) === 1) {
      ring(this.db);
      return 'requested';
    }
    const t = await this.get(nid);
    throw new AegirError('ERR_TASK_NOT_CANCELLABLE', { nid, status: t?.status ?? 'gone' });
  }

  /** Queue a task that has ended again: its next claim is a new run with a log of its own. */
  async retry(nid: number): Promise<void> {
    const t = await this.get(nid);
    if (!t || !FINISHED.includes(t.status)) throw new AegirError('ERR_TASK_NOT_RETRYABLE', { nid, status: t?.status ?? 'gone' });
    const dup = await this.db('hosting_task').where({ object_nid: t.objectNid, task_type: t.taskType, status: 'queued' }).first('nid');
    if (dup) throw new AegirError('ERR_TASK_QUEUED', { task: t.taskType, object: t.objectNid, nid: Number(dup.nid) });
    const n = await this.db('hosting_task').where({ nid, status: t.status }).update({ status: 'queued', queued_at: this.now(), finished_at: null, cancel_requested: 0, dispatcher: null });
    if (n !== 1) throw new AegirError('ERR_TASK_NOT_RETRYABLE', { nid, status: 'changed meanwhile' });
    ring(this.db);
  }

  /** Running tasks whose dispatcher has not been heard of for `staleMs`, or whose dispatcher is one of `gone`. */
  async orphans(staleMs: number, gone: readonly string[] = []): Promise<TaskRow[]> {
    const before = this.now() - staleMs;
    const rows = (await this.db('hosting_task').where({ status: 'processing' }).andWhere((q) => {
      q.where('heartbeat_at', '<', before).orWhereNull('heartbeat_at');
      if (gone.length) q.orWhereIn('dispatcher', gone);
    })) as DbRow[];
    return rows.map(fromDb);
  }

  /** Mark a running task whose dispatcher is gone as failed, with a line in its log that says why; false when it moved meanwhile. */
  async abandon(t: TaskRow, why: string): Promise<boolean> {
    const now = this.now();
    return this.db.transaction(async (trx) => {
      const n = await trx('hosting_task').where({ nid: t.nid, status: 'processing', dispatcher: t.dispatcher }).update({ status: 'error', finished_at: now, pid: null, pid_start: null, heartbeat_at: null });
      if (n !== 1) return false;
      if (t.runId !== null) {
        await trx('hosting_task_run').where({ rid: t.runId }).update({ status: 'error', finished_at: now, duration_ms: now - (t.startedAt ?? now), error_code: 'ERR_TASK_ABANDONED' });
        await trx('hosting_task_log').insert({ rid: t.runId, time: now, level: 'error', message: why });
      }
      return true;
    });
  }
}
