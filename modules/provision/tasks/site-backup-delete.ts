import { posix } from 'node:path';
import { backupDirOf, ownBackupPath } from '../backup/paths.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { BACKUP_REFUSALS } from './site-backup.js';
import { siteClaims, type SiteTaskContext } from './site-context.js';

const ASIDE = '.deleting-';

/**
 * The steps of provision-backup-delete: check that the path is one of the
 * site's own backups (ERR_PATH_INVALID otherwise: path traversal, symlinks,
 * other sites' backups), set it aside under a hidden name, remove it.
 */
export const backupDeleteSteps: readonly WeightedStep<SiteTaskContext>[] = [
  {
    weight: 10,
    step: {
      name: 'check',
      title: 'Check that the file is one of the site\'s backups',
      async run(ctx) {
        ctx.state.set('delete.file', await ownBackupPath(ctx.appExec, ctx.home, ctx.site.name, String(ctx.options.file)));
      },
    },
  },
  {
    weight: 20,
    step: {
      name: 'aside',
      title: 'Set the backup aside',
      async run(ctx) {
        const file = ctx.state.get('delete.file') as string;
        await ctx.appExec.rename(file, posix.join(posix.dirname(file), `${ASIDE}${posix.basename(file)}`));
      },
      async undo(ctx) {
        // After a crash the state is gone: every backup set aside in the folder goes back.
        const dir = backupDirOf(ctx.home, ctx.site.name);
        let moved = false;
        for (const name of await ctx.appExec.list(dir)) {
          if (!name.startsWith(ASIDE)) continue;
          await ctx.appExec.rename(posix.join(dir, name), posix.join(dir, name.slice(ASIDE.length)));
          moved = true;
        }
        return moved;
      },
    },
  },
  {
    weight: 30,
    step: {
      name: 'remove',
      title: 'Remove the backup',
      // Once the file is gone there is nothing to put back: a failure here goes forward.
      commit: true,
      async run(ctx) {
        const file = ctx.state.get('delete.file') as string;
        await ctx.appExec.remove(posix.join(posix.dirname(file), `${ASIDE}${posix.basename(file)}`));
      },
    },
  },
];

/** provision-backup-delete. */
export const backupDeleteTask = defineTask({
  name: 'backup-delete',
  on: 'site',
  command: 'provision-backup-delete',
  description: 'Remove a backup of the site of the @context; only files directly in <home>/backups/<site>/ with a backup\'s name are accepted.',
  options: {
    file: { type: 'string', description: 'The backup archive to remove (absolute path)', valueName: 'PATH', required: true },
  },
  examples: ['aegir @example.com provision-backup-delete --file=/var/aegir/backups/example.com/example.com-20250101T120000Z.tar.gz'],
  steps: backupDeleteSteps,
  claims: siteClaims,
  refusals: BACKUP_REFUSALS,
  result(ctx) {
    const removed = ctx.state.get('delete.file') as string;
    ctx.logger.success(`Removed backup ${removed}.`);
    return { data: { site: ctx.site.name, removed } };
  },
});
