import { isAbsolute, resolve } from 'node:path';
import { defineCommand } from '../../../core/cli/command.js';
import { runRestore } from '../tasks/site-restore.js';
import { openAndRecover } from './common.js';

/** `aegir @site provision-restore --file=PATH`: put the site back as a backup has it. */
export const provisionRestore = defineCommand({
  name: 'provision-restore',
  description: 'Restore the site of the @context from a backup: the archive is checked completely first (ERR_BACKUP_INVALID, nothing changed), a fresh backup is taken, then files and database are replaced; any failure puts the site back as it was.',
  bootstrap: 'backend',
  options: {
    file: { type: 'string', description: 'The backup archive (on the site\'s server)', valueName: 'PATH', required: true },
  },
  examples: ['aegir @example.com provision-restore --file=/var/aegir/backups/example.com/example.com-20250101T120000Z.tar.gz'],
  async run(ctx) {
    const t = await openAndRecover(ctx, 'provision-restore');
    const file = isAbsolute(ctx.options.file) || !t.appExec.local ? ctx.options.file : resolve(ctx.cwd, ctx.options.file);
    const r = await runRestore(t, file, ctx.env.AEGIR_FAULT);
    ctx.logger.success(`Restored ${t.site.name} from ${file} (made ${r.manifest.created}) in ${(r.elapsedMs / 1000).toFixed(1)} s. The site as it was is in ${r.freshBackup}.`);
    return { data: { site: t.site.name, file, created: r.manifest.created, freshBackup: r.freshBackup, elapsedMs: r.elapsedMs } };
  },
});
