import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { loadObject } from '../objects/object.js';
import type { ImportOutcome } from '../tasks/import.js';
import { queueTask } from '../tasks/queue-task.js';
import { CONSOLE_ACCOUNT, objectNid } from './common.js';
import { followTask } from './follow.js';

/** `aegir hosting-import PLATFORM [--wait]`: site nodes for the sites installed in a platform's folders. */
export const hostingImport = defineCommand({
  name: 'hosting-import',
  description: 'Queue the import of a verified platform\'s sites: each site installed in its folders that no site node has gets a node, then a verify. With --wait, print the log and the sites imported.',
  arguments: [{ name: 'platform', description: 'The platform: node id or context name (platform_x)', required: true }],
  options: { wait: { type: 'boolean', description: 'Wait for the import to end, printing its log and the sites it made' } },
  bootstrap: 'full',
  examples: ['aegir --uri=hostmaster.test hosting-import platform_shop --wait'],
  async run(ctx) {
    const site = ctx.site!;
    const nid = await objectNid(site, 'hosting-import', ctx.args.platform as string);
    const object = await loadObject(site.db, nid);
    if (object?.kind !== 'platform') throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'hosting-import', argument: 'platform', problem: `${String(ctx.args.platform).slice(0, 100)} is ${object ? `a ${object.kind}` : 'nothing'}, not a platform` });
    const q = await queueTask(site, { type: 'import', object: nid, account: CONSOLE_ACCOUNT });
    ctx.logger.success(`Queued task ${q.node.nid}: ${q.node.title}.`);
    if (!ctx.options.wait) return { data: { task: q.node.nid, status: 'queued' } };
    const t = await followTask(ctx, site, q.node.nid, object.context);
    const row = (await site.db('hosting_task_run').where({ rid: t.runId }).first('result')) as { result: string | null };
    const done = ((row.result ? JSON.parse(row.result) : {}) as { frontEnd?: { import?: ImportOutcome } }).frontEnd?.import ?? { imported: [], skipped: [] };
    const text = `${done.imported.length ? `Imported: ${done.imported.map((i) => i.domain).join(', ')}` : 'No site imported.'}${done.skipped.length ? `\nSkipped: ${done.skipped.map((s) => `${s.domain} (${s.problem})`).join('; ')}` : ''}\n`;
    return { data: { task: t.nid, status: t.status, ...done } as never, text };
  },
});
