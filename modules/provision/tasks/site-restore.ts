import { posix } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { keptPaths, readSiteSettings, takeBackup } from '../backup/create.js';
import type { BackupManifest } from '../backup/manifest.js';
import { backupDirOf } from '../backup/paths.js';
import { checkBackup } from '../backup/verify.js';
import { isAbsolute, resolve } from 'node:path';
import { discardPartial } from '../backup/create.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { checkServed } from './checks.js';
import { BACKUP_REFUSALS } from './site-backup.js';
import { platformAegir, service, siteClaims, siteDirOf, type SiteTaskContext } from './site-context.js';

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
async function removeWork(ctx: SiteTaskContext): Promise<boolean> {
  const p = restorePaths(ctx);
  if (await ctx.appExec.exists(p.previous)) {
    ctx.logger.error(`The site's previous files are still in ${p.previous}; they were not put back.`);
    return false;
  }
  return ctx.appExec.remove(p.work);
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
export const restoreSteps: readonly WeightedStep<SiteTaskContext>[] = [
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
        const manifest = await checkBackup(ctx.appExec, String(ctx.options.file), p.work, { site: ctx.site.name, db: current.database.driver });
        ctx.state.set('restore.manifest', manifest);
      },
      undo: removeWork,
    },
  },
  {
    weight: 20,
    step: {
      name: 'backup',
      title: 'Take a fresh backup of the site as it is',
      async run(ctx) {
        const fresh = await takeBackup(ctx, restorePaths(ctx).preDump);
        ctx.notes.set('restore.fresh', fresh.file);
        ctx.logger.notice(`Fresh backup of ${ctx.site.name} before the restore: ${fresh.file}`);
      },
      async undo(ctx) {
        // The site is put back as it was, so the backup taken of it just before is not kept: failed restores never pile up archives.
        const fresh = ctx.notes.get<string>('restore.fresh');
        const dump = await ctx.appExec.remove(restorePaths(ctx).preDump);
        const partial = await discardPartial(ctx.appExec, ctx.home, ctx.site.name, fresh);
        if (fresh) ctx.logger.notice(`Removed the fresh backup taken before the restore (${fresh}): the site is as it was.`);
        return dump || partial;
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
        if (!(await exec.exists(p.previous))) return false;
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
        return true;
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
        if (!(await ctx.appExec.exists(pre))) return false;
        await importDump(ctx, pre);
        return true;
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

/** provision-restore. */
export const restoreTask = defineTask({
  name: 'restore',
  on: 'site',
  command: 'provision-restore',
  description: 'Restore the site of the @context from a backup: the archive is checked completely first (ERR_BACKUP_INVALID, nothing changed), a fresh backup is taken, then files and database are replaced; any failure puts the site back as it was and removes that fresh backup.',
  options: {
    file: { type: 'string', description: 'The backup archive (on the site\'s server)', valueName: 'PATH', required: true },
  },
  examples: ['aegir @example.com provision-restore --file=/var/aegir/backups/example.com/example.com-20250101T120000Z.tar.gz'],
  steps: restoreSteps,
  claims: siteClaims,
  refusals: BACKUP_REFUSALS,
  prepare(ctx, call) {
    const file = String(ctx.options.file);
    // A relative path is the user's, from where they ran the command; on another server it is taken as given.
    if (!isAbsolute(file) && ctx.appExec.local) return { options: { file: resolve(call.cwd, file) } };
    return undefined;
  },
  async finish(ctx) {
    // Done: the work folder (with the replaced files, kept in the fresh backup) and the fresh dump go.
    const p = restorePaths(ctx);
    await ctx.appExec.remove(p.work);
    await ctx.appExec.remove(p.preDump);
  },
  result(ctx, elapsedMs) {
    const manifest = ctx.state.get('restore.manifest') as BackupManifest;
    const fresh = ctx.notes.get<string>('restore.fresh');
    ctx.logger.success(`Restored ${ctx.site.name} from ${String(ctx.options.file)} (made ${manifest.created}) in ${(elapsedMs / 1000).toFixed(1)} s. The site as it was is in ${fresh}.`);
    return { data: { site: ctx.site.name, file: String(ctx.options.file), created: manifest.created, freshBackup: fresh ?? null, elapsedMs } };
  },
});
