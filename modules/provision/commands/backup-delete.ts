import { defineCommand } from '../../../core/cli/command.js';
import { runBackupDelete } from '../tasks/site-backup-delete.js';
import { openAndRecover } from './common.js';

/** `aegir @site provision-backup-delete --file=PATH`: remove one of the site's backups. */
export const provisionBackupDelete = defineCommand({
  name: 'provision-backup-delete',
  description: 'Remove a backup of the site of the @context; only files directly in <home>/backups/<site>/ with a backup\'s name are accepted.',
  bootstrap: 'backend',
  options: {
    file: { type: 'string', description: 'The backup archive to remove (absolute path)', valueName: 'PATH', required: true },
  },
  examples: ['aegir @example.com provision-backup-delete --file=/var/aegir/backups/example.com/example.com-20250101T120000Z.tar.gz'],
  async run(ctx) {
    const t = await openAndRecover(ctx, 'provision-backup-delete');
    const removed = await runBackupDelete(t, ctx.options.file, ctx.env.AEGIR_FAULT);
    ctx.logger.success(`Removed backup ${removed}.`);
    return { data: { site: t.site.name, removed } };
  },
});
