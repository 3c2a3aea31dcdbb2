import { importTaskType } from './import.js';
import { offeredIn } from './offered.js';
import { taskTypePermissions } from './permissions.js';
import type { FieldDefinition } from '../../../core/forms/types.js';
import type { TaskArgsContext, TaskTypeDefinition } from './types.js';


/** The backup of this site that `args.backup` names, or a problem. */
async function siteBackup(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<{ file?: string; problem?: string }> {
  const bid = Number(args.backup);
  if (!Number.isSafeInteger(bid) || bid <= 0) return { problem: 'Choose one of the site\'s backups.' };
  const b = (await ctx.site.db('hosting_backup').where({ bid, site_nid: ctx.object.nid }).first('file')) as { file: string } | undefined;
  return b ? { file: b.file } : { problem: `Backup ${bid} is not a backup of ${ctx.object.title}.` };
}

async function backupProblems(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<Record<string, string>> {
  const b = await siteBackup(args, ctx);
  return b.problem ? { backup: b.problem } : {};
}

const backupArg = { backup: { type: 'number', label: 'Backup', integer: true, min: 1, required: true } } as const;

/** The backup argument on the web form: a select of the site's backups, newest first. */
async function backupChoice(ctx: TaskArgsContext): Promise<Record<string, FieldDefinition>> {
  const rows = (await ctx.site.db('hosting_backup').where({ site_nid: ctx.object.nid }).orderBy('created', 'desc').select('bid', 'created', 'description', 'bytes')) as { bid: number; created: number; description: string; bytes: number }[];
  const options: Record<string, string> = {};
  for (const b of rows) options[String(b.bid)] = `${new Date(Number(b.created)).toISOString().slice(0, 16).replace('T', ' ')} UTC${b.description ? `: ${b.description}` : ''} (${(Number(b.bytes) / 1048576).toFixed(1)} MB)`;
  return { backup: { type: 'select', label: 'Backup', options, order: rows.map((b) => String(b.bid)), required: true } };
}

/** The task types the hosting module itself offers, each run by its provision command (clone, migrate and cron come with its sub-modules). */
export const builtinTaskTypes: readonly TaskTypeDefinition[] = [
  { name: 'verify', on: 'server', roles: ['manager'], label: 'Verify', description: 'Reach the server, check its services and write their config.', command: 'provision-verify', permission: 'create verify task' },
  { name: 'verify', on: 'platform', roles: ['manager'], label: 'Verify', description: 'Fetch or check the code, list its modules and profiles, start its app.', command: 'provision-verify', permission: 'create verify task', offered: (o) => o.status !== 'deleted' },
  { name: 'delete', on: 'platform', roles: ['manager'], label: 'Delete', description: 'Remove the platform (refused while sites use it).', command: 'provision-delete', permission: 'create delete task', dangerous: true, offered: offeredIn('verified', 'failed', 'new') },
  importTaskType,
  { name: 'install', on: 'site', roles: ['client', 'manager'], label: 'Install', description: 'Create the site\'s database and install it on its platform.', command: 'provision-install', permission: 'create install task', offered: offeredIn('new', 'failed') },
  { name: 'verify', on: 'site', roles: ['client', 'manager'], label: 'Verify', description: 'Write the site\'s virtual host again and check it is served.', command: 'provision-verify', permission: 'create verify task', offered: offeredIn('installed', 'disabled') },
  { name: 'backup', on: 'site', roles: ['client', 'manager'], label: 'Back up', description: 'Make a checked archive of the site\'s database and files.', command: 'provision-backup', permission: 'create backup task', offered: offeredIn('installed', 'disabled'),
    args: { description: { type: 'text', label: 'Description', maxLength: 255 } } },
  { name: 'restore', on: 'site', roles: ['client', 'manager'], label: 'Restore', description: 'Put the site back as one of its backups has it.', command: 'provision-restore', permission: 'create restore task', dangerous: true, offered: offeredIn('installed', 'disabled'),
    args: backupArg,
    webArgs: backupChoice,
    checkArgs: backupProblems,
    async options(args, ctx) { return { file: (await siteBackup(args, ctx)).file! }; } },
  { name: 'backup-delete', on: 'site', roles: ['client', 'manager'], label: 'Delete a backup', description: 'Remove one of the site\'s backups.', command: 'provision-backup-delete', permission: 'create backup-delete task', dangerous: true, offered: offeredIn('installed', 'disabled', 'failed'),
    args: backupArg,
    webArgs: backupChoice,
    checkArgs: backupProblems,
    async options(args, ctx) { return { file: (await siteBackup(args, ctx)).file! }; } },
  { name: 'disable', on: 'site', roles: ['client', 'manager'], label: 'Disable', description: 'Serve the "site disabled" page instead of the site.', command: 'provision-disable', permission: 'create disable task', offered: offeredIn('installed') },
  { name: 'enable', on: 'site', roles: ['client', 'manager'], label: 'Enable', description: 'Serve the site again.', command: 'provision-enable', permission: 'create enable task', offered: offeredIn('disabled') },
  { name: 'delete', on: 'site', roles: ['client', 'manager'], label: 'Delete', description: 'Remove the site, its database and its files for good.', command: 'provision-delete', permission: 'create delete task', dangerous: true, offered: offeredIn('installed', 'disabled', 'failed') },
  { name: 'login-reset', on: 'site', roles: ['client', 'manager'], label: 'Log in', description: 'Make a one-time login link for the site\'s admin.', command: 'provision-login-reset', permission: 'create login-reset task', offered: offeredIn('installed') },
];

/** The permissions of the built-in task types, one per task name. */
export const taskPermissions = taskTypePermissions(builtinTaskTypes);
