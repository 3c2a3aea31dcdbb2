import { posix } from 'node:path';
import type { TaskTypeDefinition } from '../../../../modules/hosting/tasks/types.js';
import { backupDirOf, defineTask, platformAegir, siteClaims, takeBackup, type SiteTaskContext } from '../../../../modules/provision/api.js';

/** The dump taken with the backup, imported again when an update fails (a fixed name: an undo after a crash finds it). */
const preDump = (ctx: SiteTaskContext): string => posix.join(backupDirOf(ctx.home, ctx.site.name), '.pre-db-updates.sql');

/** provision-db-updates: back up, run updatedb; a failed update is undone by importing the dump of that backup. */
export const dbUpdatesTask = defineTask({
  name: 'db-updates',
  on: 'site',
  command: 'provision-db-updates',
  description: 'Back up the site of the @context, then run its pending database updates (updatedb on its platform); when an update fails, its database is restored from that backup, and the log says so.',
  claims: siteClaims,
  steps: [{
    weight: 10,
    step: {
      name: 'backup',
      title: 'Back the site up before its updates',
      async run(ctx) {
        const made = await takeBackup(ctx, preDump(ctx));
        ctx.notes.set('db-updates.backup', made.file);
        ctx.state.set('db-updates.bytes', made.bytes);
        ctx.logger.notice(`Backup of ${ctx.site.name} before its updates: ${made.file}`);
      },
      // Undone after the updates' undo put the database back: the backup of that very state is not kept (failed runs never pile up archives).
      async undo(ctx) {
        const file = ctx.notes.get<string>('db-updates.backup');
        const removed = [await ctx.appExec.remove(preDump(ctx)), file !== undefined && (await ctx.appExec.remove(file))];
        if (removed[1]) ctx.logger.notice(`Removed the backup taken before the updates (${file}): the site is as it was.`);
        return removed.some(Boolean);
      },
    },
  }, {
    weight: 20,
    step: {
      name: 'updatedb',
      title: 'Run the pending database updates (updatedb)',
      async run(ctx) {
        const out = await platformAegir(ctx, [`--uri=${ctx.site.name}`, 'updatedb', '-y'], { timeoutMs: 60 * 60_000 });
        for (const line of out.stdout.trim().split('\n').filter(Boolean)) ctx.logger.info(line);
      },
      async undo(ctx) {
        if (!(await ctx.appExec.exists(preDump(ctx)))) return false;
        await platformAegir(ctx, [`--uri=${ctx.site.name}`, 'sql-import', `--file=${preDump(ctx)}`, '-q']);
        ctx.logger.warning(`An update failed: the database of ${ctx.site.name} is restored from the backup taken before the updates (${ctx.notes.get<string>('db-updates.backup')}).`);
        return true;
      },
    },
  }],
  finish: async (ctx) => { await ctx.appExec.remove(preDump(ctx)); },
  result(ctx, elapsedMs) {
    const file = ctx.notes.get<string>('db-updates.backup');
    ctx.logger.success(`Ran the database updates of ${ctx.site.name} in ${(elapsedMs / 1000).toFixed(1)} s; the backup taken before them is ${file}.`);
    return { data: { site: ctx.site.name, backup: { file, bytes: Number(ctx.state.get('db-updates.bytes') ?? 0), description: 'Before database updates' }, elapsedMs } };
  },
});

/** "Run database updates" on an installed site, for administrators and platform managers. */
export const dbUpdatesType: TaskTypeDefinition = {
  name: 'db-updates',
  on: 'site',
  label: 'Run database updates',
  description: 'Back the site up, run its pending database updates; when one fails, restore the database from that backup.',
  command: 'provision-db-updates',
  permission: 'run database updates',
  roles: ['manager'],
  offered: (site) => site.status === 'installed',
};
