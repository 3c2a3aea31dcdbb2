import type { CommandContext } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { SiteContext } from '../../../core/site/context.js';
import { FINISHED, TaskQueue, type TaskRow } from '../queue/store.js';

/**
 * Wait for a queued task to end, printing its log lines as they are
 * stored (a retry's new run included); resolves with the ended task, or
 * fails with ERR_TASK_FAILED when it ended in error or was cancelled.
 */
export async function followTask(ctx: CommandContext, site: SiteContext, nid: number, context: string): Promise<TaskRow> {
  const queue = new TaskQueue(site.db);
  let run: number | null = null;
  let lastLid = 0;
  for (;;) {
    const t = await queue.get(nid);
    if (t?.runId) {
      if (t.runId !== run) { run = t.runId; lastLid = 0; }
      const lines = (await site.db('hosting_task_log').where({ rid: t.runId }).andWhere('lid', '>', lastLid).orderBy('lid')) as { lid: number; level: string; message: string }[];
      for (const l of lines) { ctx.logger.log(l.level as never, l.message); lastLid = Number(l.lid); }
    }
    if (t && FINISHED.includes(t.status)) {
      if (t.status === 'error' || t.status === 'cancelled') throw new AegirError('ERR_TASK_FAILED', { task: t.taskType, context, step: 'its run', problem: `it ended ${t.status}`, undone: 'See its log above.' });
      return t;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
