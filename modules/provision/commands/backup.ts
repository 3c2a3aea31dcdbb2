import { defineCommand } from '../../../core/cli/command.js';
import { runBackup } from '../tasks/site-backup.js';
import { openAndRecover } from './common.js';

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
