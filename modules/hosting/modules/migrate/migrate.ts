import type { TaskEndEvent } from '../../hooks.js';
import { patchNodeFields } from '../../objects/sync.js';
import { offeredIn } from '../../tasks/offered.js';
import { checkMove, moveArgs, moveChoices, moveOptions } from '../../tasks/move.js';
import type { TaskTypeDefinition } from '../../tasks/types.js';

/** Move an installed site: another platform, db server or domain (at least one). */
export const migrateTaskType: TaskTypeDefinition = {
  name: 'migrate', on: 'site', roles: ['manager'], label: 'Migrate', description: 'Move the site to another platform, database server or domain.', command: 'provision-migrate', permission: 'create migrate task', dangerous: true, offered: offeredIn('installed'),
  args: moveArgs, webArgs: (ctx) => moveChoices(ctx, false), checkArgs: (args, ctx) => checkMove(args, ctx, false), options: moveOptions,
};

/**
 * A site the back end moved: its platform and db server; under a new name
 * its node's title, its row and its main domain follow (its aliases stay),
 * and the old context's hash is forgotten (the back end removed it).
 */
export async function recordMigrate(e: TaskEndEvent): Promise<void> {
  if (e.object.kind !== 'site' || e.task.taskType !== 'migrate') return;
  const { args } = e.task;
  const name = typeof args.new_name === 'string' ? args.new_name.trim().toLowerCase() : '';
  await e.site.db.transaction(async (trx) => {
    const update: Record<string, unknown> = {};
    const fields: Record<string, number> = {};
    if (args.platform) update.platform_nid = fields.platform = Number(args.platform);
    if (args.db_server) update.db_server_nid = fields.db_server = Number(args.db_server);
    if (name) update.domain = name;
    if (Object.keys(update).length) await trx('hosting_site').where({ nid: e.object.nid }).update(update);
    if (Object.keys(fields).length) await patchNodeFields(trx, e.object.nid, fields);
    if (!name) return;
    await trx('hosting_context').where({ name: e.object.context }).delete();
    await trx('node').where({ nid: e.object.nid }).update({ title: name, changed: Date.now() });
    await trx('hosting_domain').where({ site_nid: e.object.nid, alias: 0 }).delete();
    await trx('hosting_domain').insert({ domain: name, site_nid: e.object.nid, alias: 0 });
  });
}
