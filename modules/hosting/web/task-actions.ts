import { describe } from '../../../core/errors/aegir-error.js';
import { redirect, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { nodeAccess } from '../../node/access.js';
import type { Node } from '../../node/types.js';
import { TaskQueue } from '../queue/store.js';
import { loadObject } from '../objects/object.js';
import { checkRequest } from '../tasks/queue-task.js';
import { taskType } from '../tasks/registry.js';
import { mayRun } from './buttons.js';

/** Whether the account sees the task node and may run its task type (who may ask for a task may cancel or retry it). */
async function mayAct(ctx: RequestContext): Promise<boolean> {
  const node = ctx.params.nid as Node;
  if (node.type !== 'task' || !(await nodeAccess(ctx.site, 'view', { node }, ctx.account))) return false;
  const t = await new TaskQueue(ctx.site.db).get(node.nid);
  const object = t ? await loadObject(ctx.site.db, t.objectNid) : undefined;
  const type = t && object ? taskType(ctx.site.kernel, object.kind, t.taskType) : undefined;
  return !!type && mayRun(ctx, type);
}

const back = (ctx: RequestContext) => [{ title: 'Back to the task', href: ctx.url('node.view', { nid: (ctx.params.nid as Node).nid }) }];

/** Cancel and retry of a task: forms of one button (their CSRF token), also posted from the task's page. */
export const taskActionRoutes: RouteDefinition[] = [
  {
    name: 'hosting.task_cancel',
    path: '/node/:nid/cancel',
    title: (ctx) => `Cancel ${(ctx.params.nid as Node).title}`,
    params: { nid: 'node' },
    theme: 'admin',
    access: { check: mayAct },
    form: (ctx) => ({
      id: 'hosting_task_cancel',
      fields: {},
      submitLabel: 'Cancel the task',
      danger: true,
      links: back(ctx),
      async validate() {
        try {
          const how = await new TaskQueue(ctx.site.db).cancel((ctx.params.nid as Node).nid);
          ctx.message('status', how === 'cancelled' ? 'The task was cancelled before it started.' : 'The task is being cancelled: its back end ends and undoes what it did.');
          return {};
        } catch (e) {
          return { '': describe(e) };
        }
      },
      submit: () => redirect(ctx.url('node.view', { nid: (ctx.params.nid as Node).nid })),
    }),
  },
  {
    name: 'hosting.task_retry',
    path: '/node/:nid/retry',
    title: (ctx) => `Run ${(ctx.params.nid as Node).title} again`,
    params: { nid: 'node' },
    theme: 'admin',
    access: { check: mayAct },
    form: (ctx) => ({
      id: 'hosting_task_retry',
      fields: {},
      submitLabel: 'Run it again',
      links: back(ctx),
      async validate() {
        const nid = (ctx.params.nid as Node).nid;
        const queue = new TaskQueue(ctx.site.db);
        try {
          const t = await queue.get(nid);
          // Everything queueing checks, again: the object's state may have changed since (a retried install of a site installed meanwhile).
          if (t) await checkRequest(ctx.site, { type: t.taskType, object: t.objectNid, args: t.args, account: ctx.account });
          await queue.retry(nid);
          ctx.message('status', 'The task is queued again; this run has a log of its own.');
          return {};
        } catch (e) {
          return { '': describe(e) };
        }
      },
      submit: () => redirect(ctx.url('node.view', { nid: (ctx.params.nid as Node).nid })),
    }),
  },
];
