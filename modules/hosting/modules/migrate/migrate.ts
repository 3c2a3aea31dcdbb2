import { AegirError } from '../../../../core/errors/aegir-error.js';
import type { FieldDefinition } from '../../../../core/forms/types.js';
import { ADMINISTER_HOSTING } from '../../access/scope.js';
import type { TaskEndEvent } from '../../hooks.js';
import { patchNodeFields } from '../../objects/sync.js';
import { offeredIn } from '../../tasks/offered.js';
import { checkMove, moveArgs, moveChoices, moveOptions } from '../../tasks/move.js';
import type { TaskArgsContext, TaskTypeDefinition } from '../../tasks/types.js';
import { compareWithPlatforms, comparisonTables, describeRefused, refusedOf } from './versions.js';

/** A migrate's arguments: a move's, and `force` (administrators only) to migrate past downgraded or missing modules. */
const migrateArgs = {
  ...moveArgs,
  force: { type: 'checkbox', label: 'Force', description: 'Migrate even if modules of the site would be downgraded or missing there (administer hosting only).' },
} as const satisfies Record<string, FieldDefinition>;

/**
 * The migrate form: a move's fields, then for each platform the user may
 * choose how each module of the site would change there, and for a
 * hosting administrator the choice to force past downgrades and missing
 * modules (radios: the task form sends an unchecked checkbox as "false",
 * which the queue would read as checked).
 */
async function migrateChoices(ctx: TaskArgsContext): Promise<Record<string, FieldDefinition>> {
  const fields = await moveChoices(ctx, false);
  const current = (await ctx.site.db('hosting_site').where({ nid: ctx.object.nid }).first('platform_nid')) as { platform_nid: number } | undefined;
  const platform = fields.platform;
  const titles = new Map<number, string>();
  if (platform?.type === 'select') {
    for (const [nid, title] of Object.entries(platform.options)) if (Number(nid) !== Number(current?.platform_nid)) titles.set(Number(nid), title);
  }
  const out: Record<string, FieldDefinition> = {};
  for (const [name, f] of Object.entries(fields)) {
    out[name] = f;
    if (name === 'platform') out.versions = { type: 'markup', content: comparisonTables(await compareWithPlatforms(ctx.site.db, ctx.object.nid, [...titles.keys()]), titles) };
  }
  if (ctx.account.hasPermission(ADMINISTER_HOSTING)) {
    out.force = {
      type: 'radios', label: 'Modules downgraded or missing on the new platform', default: '',
      options: { '': 'Refuse the migrate', '1': 'Migrate anyway (force): the site may break' },
    };
  }
  return out;
}

/**
 * A move's checks, and the modules of the site compared with the target
 * platform: a downgrade or a missing module is refused at the platform
 * field, naming them, unless forced; only an account with "administer
 * hosting" may force (ERR_TASK_FORCE_DENIED). The queue runs this on
 * every path (web form, hosting-task --args=force=1, code).
 */
async function checkMigrate(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<Record<string, string>> {
  const errors = await checkMove(args, ctx, false);
  const admin = ctx.account.hasPermission(ADMINISTER_HOSTING);
  if (args.force === true && !admin) throw new AegirError('ERR_TASK_FORCE_DENIED', { who: ctx.account.name, task: 'migrate' });
  if (errors.platform || args.platform === undefined || args.platform === null || args.platform === '' || args.force === true) return errors;
  const target = Number(args.platform);
  const refused = refusedOf((await compareWithPlatforms(ctx.site.db, ctx.object.nid, [target]))?.get(target) ?? []);
  if (refused.length) {
    const title = ((await ctx.site.db('node').where({ nid: target }).first('title')) as { title: string } | undefined)?.title ?? `platform ${target}`;
    errors.platform = `On ${title} the site would lose or go back on modules it has enabled: ${describeRefused(refused)}. Choose a platform with the same or newer versions${admin ? ', or force the migrate' : ' (a hosting administrator may force it)'}.`;
  }
  return errors;
}

/** Move an installed site: another platform, db server or domain (at least one). */
export const migrateTaskType: TaskTypeDefinition = {
  name: 'migrate', on: 'site', roles: ['manager'], label: 'Migrate', description: 'Move the site to another platform, database server or domain.', command: 'provision-migrate', permission: 'create migrate task', dangerous: true, offered: offeredIn('installed'),
  args: migrateArgs, webArgs: migrateChoices, checkArgs: checkMigrate, options: moveOptions,
};

/**
 * A site the back end moved: its platform and db server; under a new name
 * its node's title, its row and its main domain follow (its aliases stay),
 * and the old context's hash is forgotten (the back end removed it). On a
 * new platform its modules' versions become the platform's (unknown where
 * the platform lacks one) until its next verify lists them again.
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
    if (args.platform) {
      const mods = (await trx('hosting_site_package').where({ site_nid: e.object.nid }).whereNot({ origin: 'site' }).select('package_nid')) as { package_nid: number }[];
      for (const m of mods) {
        const i = (await trx('hosting_package_instance').where({ platform_nid: Number(args.platform), package_nid: m.package_nid }).first('version', 'version_origin')) as { version: string | null; version_origin: string | null } | undefined;
        await trx('hosting_site_package').where({ site_nid: e.object.nid, package_nid: m.package_nid }).update({ version: i?.version ?? null, version_origin: i?.version_origin ?? null });
      }
    }
    if (!name) return;
    await trx('hosting_context').where({ name: e.object.context }).delete();
    await trx('node').where({ nid: e.object.nid }).update({ title: name, changed: Date.now() });
    await trx('hosting_domain').where({ site_nid: e.object.nid, alias: 0 }).delete();
    await trx('hosting_domain').insert({ domain: name, site_nid: e.object.nid, alias: 0 });
  });
}
