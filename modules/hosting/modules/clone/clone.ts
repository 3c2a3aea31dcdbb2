import type { TaskEndEvent } from '../../hooks.js';
import { offeredIn } from '../../tasks/offered.js';
import { checkMove, moveArgs, moveChoices, moveOptions } from '../../tasks/move.js';
import type { TaskTypeDefinition } from '../../tasks/types.js';

/** Copy an installed site under a new domain (required), optionally onto another platform or db server. */
export const cloneTaskType: TaskTypeDefinition = {
  name: 'clone', on: 'site', roles: ['client', 'manager'], label: 'Clone', description: 'Copy the site under a new domain, with its own database.', command: 'provision-clone', permission: 'create clone task', offered: offeredIn('installed'),
  args: { ...moveArgs, new_name: { ...moveArgs.new_name, required: true } }, webArgs: (ctx) => moveChoices(ctx, true), checkArgs: (args, ctx) => checkMove(args, ctx, true), options: moveOptions,
};

/**
 * The node of a new clone, installed already (the back end made it): the
 * source's profile and client, the platform and db server the task named
 * or the source's, no aliases. Written straight into the tables in one
 * transaction (no install is queued for it: it exists).
 */
export async function recordClone(e: TaskEndEvent): Promise<void> {
  if (e.object.kind !== 'site' || e.task.taskType !== 'clone' || typeof e.task.args.new_name !== 'string') return;
  const name = e.task.args.new_name.trim().toLowerCase();
  const db = e.site.db;
  const src = (await db('hosting_site').where({ nid: e.object.nid }).first()) as Record<string, unknown>;
  const now = Date.now();
  const platform = e.task.args.platform ? Number(e.task.args.platform) : Number(src.platform_nid);
  const dbServer = e.task.args.db_server ? Number(e.task.args.db_server) : Number(src.db_server_nid);
  await db.transaction(async (trx) => {
    const fields = { aliases: '', redirection: false, platform, db_server: dbServer, profile: String(src.profile), client: src.client_nid === null ? null : Number(src.client_nid) };
    const ids = (await trx('node').insert({ type: 'site', title: name, uid: e.task.uid, status: 1, promote: 0, sticky: 0, created: now, changed: now, data: JSON.stringify(fields) })) as number[];
    const nid = Number(ids[0]);
    await trx('hosting_site').insert({ nid, domain: name, platform_nid: platform, db_server_nid: dbServer, client_nid: src.client_nid ?? null, profile: src.profile, redirection: 0, status: 'installed', verified: now, last_task_nid: e.task.nid });
    await trx('hosting_domain').insert({ domain: name, site_nid: nid, alias: 0 });
  });
}
