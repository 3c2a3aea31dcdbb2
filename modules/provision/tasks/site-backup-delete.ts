import { posix } from 'node:path';
import { backupDirOf, ownBackupPath } from '../backup/paths.js';
import { runTask } from '../runner/runner.js';
import { runRefusable } from './site-backup.js';
import type { SiteTaskContext } from './site-context.js';
import type { TaskStep } from '../runner/step.js';

const ASIDE = '.deleting-';

/**
 * The steps of provision-backup-delete: check that the path is one of the
 * site's own backups (ERR_PATH_INVALID otherwise: path traversal, symlinks,
 * other sites' backups), set it aside under a hidden name, remove it.
 */
export const backupDeleteSteps: readonly TaskStep<SiteTaskContext>[] = [
  {
    name: 'check',
    title: 'Check that the file is one of the site\'s backups',
    async run(ctx) {
      ctx.state.set('delete.file', await ownBackupPath(ctx.appExec, ctx.home, ctx.site.name, ctx.state.get('delete.request') as string));
    },
  },
  {
    name: 'aside',
    title: 'Set the backup aside',
    async run(ctx) {
      const file = ctx.state.get('delete.file') as string;
      await ctx.appExec.rename(file, posix.join(posix.dirname(file), `${ASIDE}${posix.basename(file)}`));
    },
    async undo(ctx) {
      // After a crash the state is gone: every backup set aside in the folder goes back.
      const dir = backupDirOf(ctx.home, ctx.site.name);
      for (const name of await ctx.appExec.list(dir)) {
        if (name.startsWith(ASIDE)) await ctx.appExec.rename(posix.join(dir, name), posix.join(dir, name.slice(ASIDE.length)));
      }
    },
  },
  {
    name: 'remove',
    title: 'Remove the backup',
    async run(ctx) {
      const file = ctx.state.get('delete.file') as string;
      await ctx.appExec.remove(posix.join(posix.dirname(file), `${ASIDE}${posix.basename(file)}`));
    },
  },
];

/** Run provision-backup-delete of `file` on an opened site task; returns the removed path. */
export async function runBackupDelete(ctx: SiteTaskContext, file: string, fault?: string): Promise<string> {
  ctx.state.set('delete.request', file);
  await runRefusable(() => runTask({ task: 'backup-delete', context: ctx.site.name, steps: backupDeleteSteps, ctx, logger: ctx.logger, home: ctx.home, fault, notes: ctx.notes }));
  return ctx.state.get('delete.file') as string;
}
