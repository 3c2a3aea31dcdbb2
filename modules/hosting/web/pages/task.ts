import type { RequestContext } from '../../../../core/http/types.js';
import { template, type Renderable } from '../../../../core/theme/renderable.js';
import { formatDate } from '../../../node/render.js';
import type { Node } from '../../../node/types.js';
import { loadObject } from '../../objects/object.js';
import { FINISHED, TaskQueue } from '../../queue/store.js';
import { taskType } from '../../tasks/registry.js';
import { badgeOf, taskStatusLabel } from '../badges.js';
import { mayRun } from '../buttons.js';
import { duration } from '../lists/tasks.js';

/** Lines of one run shown on the page (the newest, when a run wrote more). */
export const LOG_LINES_SHOWN = 5000;

interface RunRow { rid: number; attempt: number; status: string; started_at: number; finished_at: number | null; duration_ms: number | null; exit_code: number | null; error_code: string | null; result: string | null }

/** A log line as the page and the event stream show it: its time, seconds since the run started, severity and text. */
export function logLineView(l: { lid: number; time: number | string; level: string; message: string }, startedAt: number): { lid: number; time: string; offset: string; level: string; message: string } {
  const t = Number(l.time);
  return { lid: Number(l.lid), time: new Date(t).toISOString().slice(11, 19), offset: `+${((t - startedAt) / 1000).toFixed(1)} s`, level: l.level, message: l.message };
}

/** The one-time login link a login-reset run reported, for the user who asked for it only. */
function loginLink(run: RunRow | undefined, taskUid: number, ctx: RequestContext, type: string): string | undefined {
  if (type !== 'login-reset' || !run?.result || run.status !== 'success' || taskUid !== ctx.account.uid) return undefined;
  try {
    const url = (JSON.parse(run.result) as { url?: unknown }).url;
    return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A task's page: what it is and on what, its status, times and runs, the
 * log of the run asked for (the current one by default), cancel and retry
 * buttons for those who may, and, while it is not finished, the address of
 * its event stream so the log and status follow live. A login-reset task
 * shows its link to the user who asked for it.
 */
export async function taskPage(ctx: RequestContext, node: Node): Promise<Renderable> {
  const db = ctx.site.db;
  const task = await new TaskQueue(db).get(node.nid);
  if (!task) return template('hosting/task', { missing: true });
  const object = await loadObject(db, task.objectNid);
  const type = object ? taskType(ctx.site.kernel, object.kind, task.taskType) : undefined;
  const runs = (await db('hosting_task_run').where({ task_nid: node.nid }).orderBy('attempt')) as RunRow[];
  const asked = Number(ctx.query.run);
  const run = runs.find((r) => Number(r.rid) === asked) ?? runs.find((r) => Number(r.rid) === task.runId) ?? runs.at(-1);
  const lines = run
    ? ((await db('hosting_task_log').where({ rid: run.rid }).orderBy('lid', 'desc').limit(LOG_LINES_SHOWN)) as { lid: number; time: number; level: string; message: string }[]).reverse()
    : [];
  const user = (await db('users').where({ uid: task.uid }).first('name')) as { name: string } | undefined;
  const finished = FINISHED.includes(task.status);
  const may = !!type && mayRun(ctx, type);
  const current = !run || Number(run.rid) === task.runId;
  const started = Number(run?.started_at ?? task.startedAt ?? task.queuedAt);
  return template('hosting/task', {
    task: {
      nid: task.nid, type: type?.label ?? task.taskType, status: task.status, statusLabel: taskStatusLabel(task.status), badge: badgeOf(task.status),
      queued: formatDate(task.queuedAt), started: task.startedAt ? formatDate(task.startedAt) : '', finished: task.finishedAt ? formatDate(task.finishedAt) : '',
      took: task.startedAt ? duration((task.finishedAt ?? Date.now()) - task.startedAt) : '', startedAt: task.startedAt ?? 0, by: user?.name ?? '',
      args: Object.entries(task.args).map(([k, v]) => ({ name: k, value: String(v) })),
    },
    object: object ? { title: object.title, kind: object.kind, href: ctx.url('node.view', { nid: object.nid }) } : undefined,
    runs: runs.map((r) => ({
      attempt: r.attempt, status: taskStatusLabel(r.status), badge: badgeOf(r.status), href: `${ctx.url('node.view', { nid: node.nid })}?run=${r.rid}`,
      current: run !== undefined && Number(r.rid) === Number(run.rid), took: r.duration_ms !== null ? duration(Number(r.duration_ms)) : '', error: r.error_code ?? '',
    })),
    run: run ? { attempt: run.attempt, exitCode: run.exit_code === null ? '' : String(run.exit_code), error: run.error_code ?? '', truncated: lines.length === LOG_LINES_SHOWN } : undefined,
    lines: lines.map((l) => logLineView(l, started)),
    live: !finished && current ? { events: ctx.url('hosting.task_events', { nid: node.nid }), lastLid: lines.at(-1)?.lid ?? 0 } : undefined,
    cancel: may && !finished ? { href: ctx.url('hosting.task_cancel', { nid: node.nid }), token: ctx.session.csrfToken('hosting_task_cancel') } : undefined,
    retry: may && finished ? { href: ctx.url('hosting.task_retry', { nid: node.nid }), token: ctx.session.csrfToken('hosting_task_retry') } : undefined,
    login: loginLink(run, task.uid, ctx, task.taskType),
    waitingForLogin: task.taskType === 'login-reset' && !finished && task.uid === ctx.account.uid,
  });
}
