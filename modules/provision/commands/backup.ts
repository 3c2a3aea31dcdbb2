import { defineCommand, type CommandContext } from '../../../core/cli/command.js';
import { Journal } from '../task/journal.js';
import { recoverTask } from '../task/runner.js';
import { runBackup } from '../task/site-backup.js';
import type { SiteTaskContext } from '../task/site-context.js';
import { homeOf, siteTask } from './common.js';
import { stepsForTask } from './tasks.js';

/** Open the site's task context and undo an interrupted task on it first. */
export async function openAndRecover(ctx: CommandContext, command: string): Promise<SiteTaskContext> {
  const t = await siteTask(ctx, command);
  const home = homeOf(ctx);
  const interrupted = Journal.interrupted(home, t.site.name);
  if (interrupted) await recoverTask(home, interrupted, stepsForTask(t.kernel, interrupted.task), t, ctx.logger);
  return t;
}

/** `aegir @site provision-backup`: a checked archive of the site's database and files. */
export const provisionBackup = defineCommand({
  name: 'provision-backup',
  description: 'Back up the site of the @context: <home>/backups/<site>/<site>-<UTC time>.tar.gz (mode 0600) with manifest.json (sizes and sha256 of every member), the database dump and the site folder. Refused with ERR_DISK_FULL before writing when space is short; a failed backup leaves nothing behind.',
  bootstrap: 'backend',
  examples: ['aegir @example.com provision-backup'],
  async run(ctx) {
    const t = await openAndRecover(ctx, 'provision-backup');
    const r = await runBackup(t, ctx.env.AEGIR_FAULT);
    ctx.logger.success(`Backed up ${t.site.name} to ${r.file} (${r.bytes} bytes, ${r.members} members) in ${(r.elapsedMs / 1000).toFixed(1)} s.`);
    return { data: { site: t.site.name, file: r.file, bytes: r.bytes, members: r.members, elapsedMs: r.elapsedMs } };
  },
});
