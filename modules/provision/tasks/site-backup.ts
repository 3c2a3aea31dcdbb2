import { AegirError, isAegirError } from '../../../core/errors/aegir-error.js';
import { archiveBackup, clearStaging, discardPartial, dumpAndHash, fileSize, planBackup, writeManifest, type BackupPlan } from '../backup/create.js';
import type { BackupMember } from '../backup/manifest.js';
import { composeSteps } from '../runner/compose.js';
import { runTask } from '../runner/runner.js';
import type { SiteTaskContext } from './site-context.js';
import type { TaskStep } from '../runner/step.js';

const plan = (ctx: SiteTaskContext): BackupPlan => ctx.state.get('backup.plan') as BackupPlan;

/**
 * The steps of provision-backup. The archive appears under its final name
 * only once it is complete; until then, and when any step fails, every
 * undo removes what the backup wrote (staging folder, partial archive, the
 * archive itself), so a failed backup leaves nothing behind.
 */
export const backupSteps: readonly { weight: number; step: TaskStep<SiteTaskContext> }[] = [
  {
    weight: 10,
    step: {
      name: 'check',
      title: 'Check the site and the free space for its backup',
      async run(ctx) {
        ctx.state.set('backup.plan', await planBackup(ctx));
      },
    },
  },
  {
    weight: 20,
    step: {
      name: 'dump',
      title: 'Dump the database with the platform\'s sql-dump and checksum the site\'s files',
      async run(ctx) {
        ctx.state.set('backup.members', await dumpAndHash(ctx, plan(ctx)));
      },
      async undo(ctx) {
        await clearStaging(ctx.appExec, ctx.home, ctx.site.name);
      },
    },
  },
  {
    weight: 30,
    step: {
      name: 'manifest',
      title: 'Write the manifest (members with sizes and sha256)',
      async run(ctx) {
        await writeManifest(ctx, plan(ctx), ctx.state.get('backup.members') as BackupMember[]);
      },
    },
  },
  {
    weight: 40,
    step: {
      name: 'archive',
      title: 'Write the archive (tar.gz, mode 0600)',
      async run(ctx) {
        ctx.state.set('backup.file', await archiveBackup(ctx, plan(ctx)));
      },
      async undo(ctx) {
        await discardPartial(ctx.appExec, ctx.home, ctx.site.name, ctx.state.get('backup.file') as string | undefined);
      },
    },
  },
  {
    weight: 50,
    step: {
      name: 'finish',
      title: 'Remove the staging folder',
      async run(ctx) {
        await clearStaging(ctx.appExec, ctx.home, ctx.site.name);
      },
    },
  },
];

/** Codes that mean "refused, and rolled back": a task failing with one of them as its cause fails with that code. */
const REFUSALS = new Set(['ERR_BACKUP_INVALID', 'ERR_DISK_FULL', 'ERR_PATH_INVALID']);

/**
 * Run a task, and when it failed because its input was refused (a bad
 * backup, no disk space, a path outside the backups) and was rolled back,
 * fail with that code instead of ERR_TASK_FAILED, the task error as cause.
 */
export async function runRefusable(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const cause = isAegirError(e) && e.code === 'ERR_TASK_FAILED' ? (e as Error).cause : undefined;
    if (isAegirError(cause) && REFUSALS.has(cause.code)) throw new AegirError(cause.code, cause.facts, { cause: e });
    throw e;
  }
}

/** What a finished backup is. */
export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  readonly members: number;
  readonly elapsedMs: number;
}

/** Run provision-backup on an opened site task (journal, rollback, $AEGIR_FAULT). */
export async function runBackup(ctx: SiteTaskContext, fault?: string): Promise<BackupResult> {
  const started = Date.now();
  await runRefusable(() => runTask({ task: 'backup', context: ctx.site.name, steps: composeSteps(ctx.kernel, 'backup', backupSteps), ctx, logger: ctx.logger, home: ctx.home, fault, notes: ctx.notes }));
  const file = ctx.state.get('backup.file') as string;
  return { file, bytes: await fileSize(ctx.appExec, file), members: (ctx.state.get('backup.members') as BackupMember[]).length, elapsedMs: Date.now() - started };
}
