import type { RequestContext, RouteDefinition } from '../../../core/http/types.js';
import type { Node } from '../../node/types.js';
import { ACCESS_HOSTING, ADMINISTER_HOSTING } from '../access/scope.js';
import { mayView } from '../access/visible.js';
import { FINISHED, TaskQueue } from '../queue/store.js';
import { queueCounts } from './dashboard.js';
import { logLineView } from './pages/task.js';
import { duration } from './lists/tasks.js';

/** How often a task's stream looks for new lines, and the queue's stream for new counts. */
const TASK_POLL_MS = 200;
const QUEUE_POLL_MS = 2000;
/** A stream ends after this long; the browser reconnects (with the last line's id) if the page is still open. */
const STREAM_LIFE_MS = 30 * 60_000;
/** Lines sent per look, so a huge log streams in slices. */
const BATCH = 500;

/** An open server-sent event stream on a request. */
interface Stream {
  send(event: string, data: unknown, id?: number): void;
  readonly closed: () => boolean;
  /** Wait `ms`, or less when the client went away. */
  wait(ms: number): Promise<void>;
  end(): void;
}

function open(ctx: RequestContext): Stream {
  const { req, res } = ctx;
  let closed = false;
  let wake: (() => void) | undefined;
  req.on('close', () => { closed = true; wake?.(); });
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Accel-Buffering': 'no', Connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  return {
    send(event, data, id) {
      if (closed) return;
      // JSON has no raw line breaks, so one data line carries the whole event.
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed: () => closed,
    wait: (ms) => new Promise<void>((r) => { const t = setTimeout(r, ms); wake = () => { clearTimeout(t); r(); }; }),
    end() { if (!closed) res.end(); closed = true; },
  };
}

/**
 * A task's live log: every line of its current run as the back end writes
 * it (event `line`, its id the line's, so a reconnect with Last-Event-ID
 * goes on where it stopped), its status as it changes (`status`), a new
 * run when it is retried (`run`: start the log again), and `end` with the
 * final status once it has finished and every line was sent. A login-reset
 * task's end carries its link for the user who asked for it.
 */
async function taskEvents(ctx: RequestContext): Promise<{ kind: 'done' }> {
  const nid = (ctx.params.nid as Node).nid;
  const db = ctx.site.db;
  const queue = new TaskQueue(db);
  const s = open(ctx);
  const header = Number(ctx.req.headers['last-event-id']);
  let last = Number.isSafeInteger(header) && header > 0 ? header : Number(ctx.query.after ?? 0) || 0;
  let rid: number | null | undefined;
  let status = '';
  const until = Date.now() + STREAM_LIFE_MS;
  while (!s.closed() && Date.now() < until) {
    const t = await queue.get(nid);
    if (!t) break;
    if (rid !== undefined && t.runId !== rid) { last = 0; s.send('run', { run: t.runId }); }
    rid = t.runId;
    const lines = rid === null ? [] : ((await db('hosting_task_log').where('rid', rid).andWhere('lid', '>', last).orderBy('lid').limit(BATCH)) as { lid: number; time: number; level: string; message: string }[]);
    for (const l of lines) s.send('line', logLineView(l, t.startedAt ?? t.queuedAt), Number(l.lid));
    if (lines.length) last = Number(lines.at(-1)!.lid);
    if (t.status !== status) {
      status = t.status;
      s.send('status', { status, startedAt: t.startedAt, took: t.startedAt ? duration((t.finishedAt ?? Date.now()) - t.startedAt) : '' });
    }
    if (FINISHED.includes(t.status) && lines.length < BATCH) {
      let login: string | undefined;
      if (t.taskType === 'login-reset' && t.status === 'success' && t.uid === ctx.account.uid && rid !== null) {
        const run = (await db('hosting_task_run').where({ rid }).first('result')) as { result: string | null } | undefined;
        try { const url = (JSON.parse(run?.result ?? '{}') as { url?: unknown }).url; if (typeof url === 'string' && /^https?:\/\//.test(url)) login = url; } catch { /* no link */ }
      }
      s.send('end', { status: t.status, ...(login ? { login } : {}) });
      break;
    }
    if (!lines.length) await s.wait(TASK_POLL_MS);
  }
  s.end();
  return { kind: 'done' };
}

/** The queue summary of the header, live: counts (running, queued, failed in the last day) each time they change. */
async function queueEvents(ctx: RequestContext): Promise<{ kind: 'done' }> {
  const s = open(ctx);
  let sent = '';
  const until = Date.now() + STREAM_LIFE_MS;
  while (!s.closed() && Date.now() < until) {
    const counts = await queueCounts(ctx);
    const text = JSON.stringify(counts);
    if (text !== sent) { s.send('counts', counts); sent = text; }
    await s.wait(QUEUE_POLL_MS);
  }
  s.end();
  return { kind: 'done' };
}

const mayUseHosting = (ctx: RequestContext): boolean => ctx.account.hasPermission(ACCESS_HOSTING) || ctx.account.hasPermission(ADMINISTER_HOSTING);

/** The event streams: one task's log, and the queue summary. */
export const eventRoutes: RouteDefinition[] = [
  {
    name: 'hosting.task_events',
    path: '/hosting/tasks/:nid/events',
    title: 'Task events',
    params: { nid: 'node' },
    access: { check: async (ctx) => (ctx.params.nid as Node).type === 'task' && mayUseHosting(ctx) && mayView(ctx.site, ctx.account, 'task', (ctx.params.nid as Node).nid) },
    handler: taskEvents,
  },
  {
    name: 'hosting.queue_events',
    path: '/hosting/queue/events',
    title: 'Queue events',
    access: { check: mayUseHosting },
    handler: queueEvents,
  },
];
