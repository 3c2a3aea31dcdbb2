import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { TaskQueue } from '../queue/store.js';
import { queueTask } from '../tasks/queue-task.js';
import { CONSOLE_ACCOUNT, objectNid, parseArgs } from './common.js';
import { followTask } from './follow.js';

/** `aegir hosting-task OBJECT TYPE [--args=k=v,...] [--wait]`: queue a task; with --wait, stream its log until it ends. */
export const hostingTask = defineCommand({
  name: 'hosting-task',
  description: 'Queue a task on a server, platform or site of this hostmaster (by node id, domain or context name). With --wait, print its log as it runs and exit with its outcome.',
  arguments: [
    { name: 'object', description: 'Node id, domain or context name (server_x, platform_y)', required: true },
    { name: 'type', description: 'Task type (install, verify, backup, ...)', required: true },
  ],
  options: {
    args: { type: 'string', description: 'Task arguments as name=value,name=value', valueName: 'ARGS' },
    wait: { type: 'boolean', description: 'Wait for the task to end, printing its log' },
  },
  bootstrap: 'full',
  examples: ['aegir --uri=hostmaster.test hosting-task example.com backup --wait', 'aegir --uri=hostmaster.test hosting-task example.com clone --args=new_name=copy.example.com'],
  async run(ctx) {
    const site = ctx.site!;
    const object = await objectNid(site, 'hosting-task', ctx.args.object as string);
    const q = await queueTask(site, { type: ctx.args.type as string, object, args: parseArgs('hosting-task', ctx.options.args), account: CONSOLE_ACCOUNT });
    ctx.logger.success(`Queued task ${q.node.nid}: ${q.node.title}.`);
    if (!ctx.options.wait) return { data: { task: q.node.nid, status: 'queued' } };
    const t = await followTask(ctx, site, q.node.nid, q.object.context);
    return { data: { task: t.nid, status: t.status } };
  },
});

/** `aegir hosting-tasks [--status=...] [--object=...] [--type=...] [--limit=N]`: the latest tasks. */
export const hostingTasks = defineCommand({
  name: 'hosting-tasks',
  description: 'List tasks of this hostmaster, newest first, filtered by status, object or type.',
  options: {
    status: { type: 'string', description: 'queued, processing, success, warning, error or cancelled', choices: ['queued', 'processing', 'success', 'warning', 'error', 'cancelled'] },
    object: { type: 'string', description: 'Node id, domain or context name', valueName: 'OBJECT' },
    type: { type: 'string', description: 'Task type', valueName: 'TYPE', validate: (v: string) => (/^[a-z][a-z0-9-]{0,63}$/.test(v) ? undefined : 'a task type name') },
    limit: { type: 'integer', description: 'At most this many', default: 50, min: 1, max: 1000 },
  },
  bootstrap: 'full',
  async run(ctx) {
    const site = ctx.site!;
    const q = site.db('hosting_task as t').join('node as n', 'n.nid', 't.nid').orderBy('t.queued_at', 'desc').orderBy('t.nid', 'desc').limit(ctx.options.limit)
      .select('t.nid', 'n.title', 't.task_type', 't.status', 't.queued_at', 't.started_at', 't.finished_at', 't.runs');
    if (ctx.options.status) q.where('t.status', ctx.options.status);
    if (ctx.options.type) q.where('t.task_type', ctx.options.type);
    if (ctx.options.object) q.where('t.object_nid', await objectNid(site, 'hosting-tasks', ctx.options.object));
    const rows = (await q) as { nid: number; title: string; task_type: string; status: string; queued_at: number; runs: number }[];
    const text = rows.map((r) => `${String(r.nid).padStart(6)}  ${r.status.padEnd(10)}  ${r.title}`).join('\n');
    return { data: rows.map((r) => ({ ...r, nid: Number(r.nid), queued_at: Number(r.queued_at) })) as never, text: rows.length ? `${text}\n` : 'No tasks.\n' };
  },
});

/** `aegir hosting-cancel TASK` and `hosting-retry TASK`. */
export const hostingCancel = defineCommand({
  name: 'hosting-cancel',
  description: 'Cancel a task: a queued one at once, a running one through its back end (which undoes what it did).',
  arguments: [{ name: 'task', description: 'Task node id', required: true }],
  bootstrap: 'full',
  async run(ctx) {
    const nid = Number(ctx.args.task);
    if (!Number.isSafeInteger(nid) || nid <= 0) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'hosting-cancel', argument: 'task', problem: 'give the task\'s node id' });
    const r = await new TaskQueue(ctx.site!.db).cancel(nid);
    ctx.logger.success(r === 'cancelled' ? `Cancelled task ${nid}.` : `Asked task ${nid} to stop; its back end undoes what it did.`);
    return { data: { task: nid, result: r } };
  },
});

export const hostingRetry = defineCommand({
  name: 'hosting-retry',
  description: 'Queue a task that has ended again, as a new run with a log of its own.',
  arguments: [{ name: 'task', description: 'Task node id', required: true }],
  bootstrap: 'full',
  async run(ctx) {
    const nid = Number(ctx.args.task);
    if (!Number.isSafeInteger(nid) || nid <= 0) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'hosting-retry', argument: 'task', problem: 'give the task\'s node id' });
    await new TaskQueue(ctx.site!.db).retry(nid);
    ctx.logger.success(`Queued task ${nid} again.`);
    return { data: { task: nid, status: 'queued' } };
  },
});
