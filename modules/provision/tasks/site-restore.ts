import { posix } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { keptPaths, readSiteSettings, takeBackup } from '../backup/create.js';
import type { BackupManifest } from '../backup/manifest.js';
import { backupDirOf } from '../backup/paths.js';
import { checkBackup } from '../backup/verify.js';
import { checkServed } from './checks.js';
import { composeSteps } from '../runner/compose.js';
import { runTask } from '../runner/runner.js';
import { runRefusable } from './site-backup.js';
import { platformAegir, service, siteDirOf, type SiteTaskContext } from './site-context.js';
import type { TaskStep } from '../runner/step.js';

/**
 * Where a restore works, by fixed names (one task per site at a time), so
 * that undoing it after a crash finds everything: the archive is extracted
 * into `sites/.restore-<site>/` (same file system as the site, so swapping
 * folders is a rename), the site's files are moved aside to its
 * `previous/`, and the dump of the fresh backup waits in the backup folder.
 */
export function restorePaths(ctx: SiteTaskContext): { work: string; extracted: string; dump: string; previous: string; siteDir: string; preDump: string } {
  const siteDir = siteDirOf(ctx);
  const work = posix.join(posix.dirname(siteDir), `.restore-${ctx.site.name}`);
  return {
    work, extracted: posix.join(work, 'site'), dump: posix.join(work, 'database.sql'), previous: posix.join(work, 'previous'), siteDir,
    preDump: posix.join(backupDirOf(ctx.home, ctx.site.name), '.pre-restore.sql'),
  };
}

/** Remove the work folder, unless it still holds the site's previous files (then they are what an operator needs). */
async function removeWork(ctx: SiteTaskContext): Promise<void> {
  const p = restorePaths(ctx);
  if (await ctx.appExec.exists(p.previous)) {
    ctx.logger.error(`The site's previous files are still in ${p.previous}; they were not put back.`);
    return;
  }
  await ctx.appExec.remove(p.work);
}

/** The database section of a settings.json text. */
const databaseOf = (text: string): unknown => (JSON.parse(text) as { database?: unknown }).database;

/** Move the kept paths (live SQLite files, private/backups) from one site folder to another. */
async function carryKept(ctx: SiteTaskContext, keep: readonly string[], from: string, to: string): Promise<void> {
  const exec = ctx.appExec;
  for (const k of keep) {
    const src = posix.join(from, k);
    if (!(await exec.exists(src))) continue;
    const dst = posix.join(to, k);
    await exec.remove(dst);
    await exec.mkdir(posix.dirname(dst), 0o700);
    await exec.rename(src, dst);
  }
}

async function importDump(ctx: SiteTaskContext, file: string): Promise<void> {
  await platformAegir(ctx, [`--uri=${ctx.site.name}`, 'sql-import', `--file=${file}`, '-q']);
}

/** The steps of provision-restore: check the archive, take a fresh backup, then swap files and import the dump, each undone on failure. */
export const restoreSteps: readonly { weight: number; step: TaskStep<SiteTaskContext> }[] = [
  {
    weight: 10,
    step: {
      name: 'check',
      title: 'Check the backup: complete archive, manifest, every member\'s size and sha256',
      async run(ctx) {
        const p = restorePaths(ctx);
        const current = await readSiteSettings(ctx.appExec, p.siteDir);
        if (await ctx.appExec.exists(p.previous)) {
          throw new AegirError('ERR_PATH_INVALID', { path: p.previous, problem: 'an earlier restore left the site\'s previous files here; put them back or remove them first' });
        }
        await ctx.appExec.remove(p.work);
        const manifest = await checkBackup(ctx.appExec, ctx.state.get('restore.file') as string, p.work, { site: ctx.site.name, db: current.database.driver });
        ctx.state.set('restore.manifest', manifest);
      },
      async undo(ctx) {
        await removeWork(ctx);
      },
    },
  },
  {
    weight: 20,
    step: {
      name: 'backup',
      title: 'Take a fresh backup of the site as it is',
      async run(ctx) {
        const fresh = await takeBackup(ctx, restorePaths(ctx).preDump);
        ctx.state.set('restore.fresh', fresh.file);
        ctx.logger.notice(`Fresh backup of ${ctx.site.name} before the restore: ${fresh.file}`);
      },
      async undo(ctx) {
        await ctx.appExec.remove(restorePaths(ctx).preDump);
      },
    },
  },
  {
    weight: 30,
    step: {
      name: 'files',
      title: 'Replace the site\'s files with the backup\'s (settings.json, files/, private/)',
      async run(ctx) {
        const exec = ctx.appExec;
        const p = restorePaths(ctx);
        const currentText = (await exec.readFile(posix.join(p.siteDir, 'settings.json'))).toString('utf8');
        const keep = keptPaths(await readSiteSettings(exec, p.siteDir));
        await exec.rename(p.siteDir, p.previous);
        await exec.rename(p.extracted, p.siteDir);
        await carryKept(ctx, keep, p.previous, p.siteDir);
        // The site keeps its own database: the backup's settings get the current database section if theirs differs.
        const restoredPath = posix.join(p.siteDir, 'settings.json');
        const restoredText = (await exec.readFile(restoredPath)).toString('utf8');
        if (JSON.stringify(databaseOf(restoredText)) !== JSON.stringify(databaseOf(currentText))) {
          const merged = { ...(JSON.parse(restoredText) as object), database: databaseOf(currentText) };
          await exec.writeFile(restoredPath, JSON.stringify(merged, null, 2) + '\n', 0o640);
          ctx.logger.notice('The backup\'s settings.json named another database; the site keeps its own.');
        }
        await readSiteSettings(exec, p.siteDir);
      },
      async undo(ctx) {
        const exec = ctx.appExec;
        const p = restorePaths(ctx);
        if (!(await exec.exists(p.previous))) return;
        const keep = keptPaths(await readSiteSettings(exec, p.previous));
        if (await exec.exists(p.siteDir)) {
          const moved: string[] = [];
          for (const k of keep) if (!(await exec.exists(posix.join(p.previous, k)))) moved.push(k);
          await carryKept(ctx, moved, p.siteDir, p.previous);
          await exec.remove(posix.join(p.work, 'restored'));
          await exec.rename(p.siteDir, posix.join(p.work, 'restored'));
        }
        await exec.rename(p.previous, p.siteDir);
        await exec.remove(posix.join(p.work, 'restored'));
      },
    },
  },
  {
    weight: 40,
    step: {
      name: 'database',
      title: 'Import the backup\'s database dump into the site\'s own database (platform sql-import)',
      async run(ctx) {
        await importDump(ctx, restorePaths(ctx).dump);
      },
      async undo(ctx) {
        const pre = restorePaths(ctx).preDump;
        if (await ctx.appExec.exists(pre)) await importDump(ctx, pre);
      },
    },
  },
  {
    weight: 50,
    step: {
      name: 'app',
      title: 'Make sure the platform\'s app process runs',
      async run(ctx) {
        const { impl, env } = service(ctx, ctx.appServer, 'app');
        await impl.ensure(env, ctx.platform);
      },
    },
  },
  {
    weight: 60,
    step: {
      name: 'served',
      title: 'Check that the site answers through the web server',
      async run(ctx) {
        await checkServed(ctx, ctx.site.enabled ? 200 : 503);
      },
    },
  },
];

/** What a finished restore did. */
export interface RestoreResult {
  readonly file: string;
  /** The backup taken of the site just before, to go back to. */
  readonly freshBackup: string;
  readonly manifest: BackupManifest;
  readonly elapsedMs: number;
}

/** Run provision-restore of `file` on an opened site task (journal, rollback, $AEGIR_FAULT). */
export async function runRestore(ctx: SiteTaskContext, file: string, fault?: string): Promise<RestoreResult> {
  const started = Date.now();
  ctx.state.set('restore.file', file);
  await runRefusable(() => runTask({ task: 'restore', context: ctx.site.name, steps: composeSteps(ctx.kernel, 'restore', restoreSteps), ctx, logger: ctx.logger, home: ctx.home, fault, notes: ctx.notes }));
  // Done: the work folder (with the replaced files, kept in the fresh backup) and the fresh dump go.
  const p = restorePaths(ctx);
  await ctx.appExec.remove(p.work);
  await ctx.appExec.remove(p.preDump);
  return { file, freshBackup: ctx.state.get('restore.fresh') as string, manifest: ctx.state.get('restore.manifest') as BackupManifest, elapsedMs: Date.now() - started };
}
