import { archiveBackup, clearStaging, discardPartial, dumpAndHash, fileSize, planBackup, writeManifest, type BackupPlan } from '../backup/create.js';
import type { BackupMember } from '../backup/manifest.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { siteClaims, type SiteTaskContext } from './site-context.js';

const plan = (ctx: SiteTaskContext): BackupPlan => ctx.state.get('backup.plan') as BackupPlan;

/** Codes that mean "refused, and rolled back" for tasks that read or write backups. */
export const BACKUP_REFUSALS = ['ERR_BACKUP_INVALID', 'ERR_DISK_FULL', 'ERR_PATH_INVALID', 'ERR_SITE_NOT_FOUND'] as const;

/**
 * The steps of provision-backup. The archive appears under its final name
 * only once it is complete; until then, and when any step fails, every
 * undo removes what the backup wrote (staging folder, partial archive, the
 * archive itself), so a failed backup leaves nothing behind.
 */
export const backupSteps: readonly WeightedStep<SiteTaskContext>[] = [
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
      undo: (ctx) => clearStaging(ctx.appExec, ctx.home, ctx.site.name),
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
        const file = await archiveBackup(ctx, plan(ctx));
        ctx.state.set('backup.file', file);
        // Until the next step clears the staging folder, it names the archive too: an undo after a crash finds it either way.
        ctx.notes.set('backup.file', file);
      },
      undo: (ctx) => discardPartial(ctx.appExec, ctx.home, ctx.site.name, ctx.notes.get<string>('backup.file')),
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

/** provision-backup. */
export const backupTask = defineTask({
  name: 'backup',
  on: 'site',
  command: 'provision-backup',
  description: 'Back up the site of the @context: <home>/backups/<site>/<site>-<UTC time>.tar.gz (mode 0600) with manifest.json (sizes and sha256 of every member), the database dump and the site folder. Refused with ERR_DISK_FULL before writing when space is short; a failed backup leaves nothing behind.',
  examples: ['aegir @example.com provision-backup'],
  steps: backupSteps,
  claims: siteClaims,
  refusals: BACKUP_REFUSALS,
  async finish(ctx) {
    const file = ctx.state.get('backup.file') as string;
    ctx.state.set('backup.bytes', await fileSize(ctx.appExec, file));
  },
  result(ctx, elapsedMs) {
    const file = ctx.state.get('backup.file') as string;
    const bytes = ctx.state.get('backup.bytes') as number;
    const members = (ctx.state.get('backup.members') as BackupMember[]).length;
    ctx.logger.success(`Backed up ${ctx.site.name} to ${file} (${bytes} bytes, ${members} members) in ${(elapsedMs / 1000).toFixed(1)} s.`);
    return { data: { site: ctx.site.name, file, bytes, members, elapsedMs } };
  },
});
