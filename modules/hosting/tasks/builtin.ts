import { isHostName } from '../../../core/settings/uri.js';
import { loadObject, type HostingObject } from '../objects/object.js';
import type { TaskArgsContext, TaskTypeDefinition } from './types.js';

const is = (...states: string[]) => (o: HostingObject): boolean => states.includes(o.status);

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

/** The problems of a move's target (migrate, clone): the platform, the db server, the new name. */
async function checkMove(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext, clone: boolean): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const db = ctx.site.db;
  if (args.platform !== undefined && args.platform !== null && args.platform !== '') {
    const p = await loadObject(db, Number(args.platform));
    if (!p || p.kind !== 'platform') errors.platform = 'No such platform.';
    else if (p.status !== 'verified') errors.platform = `Platform ${p.title} is not verified: verify it first.`;
    else if (p.locked) errors.platform = `Platform ${p.title} is locked: it takes no new sites.`;
  }
  if (args.db_server !== undefined && args.db_server !== null && args.db_server !== '') {
    const s = (await db('hosting_server').where({ nid: Number(args.db_server) }).first('db', 'status')) as { db: string | null; status: string } | undefined;
    if (!s || !s.db) errors.db_server = 'That server offers no database service.';
  }
  const name = typeof args.new_name === 'string' ? args.new_name.trim().toLowerCase() : '';
  if (name) {
    if (!isHostName(name)) errors.new_name = `"${name}" is not a valid domain name.`;
    else if (await db('hosting_domain').where({ domain: name }).first('domain')) errors.new_name = `${name} is already a domain or alias of a site.`;
  } else if (clone) errors.new_name = 'A clone needs a new domain.';
  if (!clone && !name && !args.platform && !args.db_server) errors[''] = 'Give a platform, a database server or a new domain.';
  return errors;
}

/** Provision's options for a move's target: contexts by name. */
async function moveOptions(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const db = ctx.site.db;
  if (args.platform) out.platform = `@${String((await db('hosting_platform').where({ nid: Number(args.platform) }).first('context')).context)}`;
  if (args.db_server) out['db-server'] = `@${String((await db('hosting_server').where({ nid: Number(args.db_server) }).first('context')).context)}`;
  if (typeof args.new_name === 'string' && args.new_name.trim()) out['new-name'] = args.new_name.trim().toLowerCase();
  return out;
}

const moveArgs = {
  platform: { type: 'number', label: 'Platform', integer: true, min: 1 },
  db_server: { type: 'number', label: 'Database server', integer: true, min: 1 },
  new_name: { type: 'text', label: 'New domain', maxLength: 253 },
} as const;

/** The task types the hosting module offers, each run by its provision command. */
export const builtinTaskTypes: readonly TaskTypeDefinition[] = [
  { name: 'verify', on: 'server', label: 'Verify', description: 'Reach the server, check its services and write their config.', command: 'provision-verify', permission: 'create verify task' },
  { name: 'verify', on: 'platform', label: 'Verify', description: 'Fetch or check the code, list its modules and profiles, start its app.', command: 'provision-verify', permission: 'create verify task', offered: (o) => o.status !== 'deleted' },
  { name: 'delete', on: 'platform', label: 'Delete', description: 'Remove the platform (refused while sites use it).', command: 'provision-delete', permission: 'create delete task', dangerous: true, offered: is('verified', 'failed', 'new') },
  { name: 'install', on: 'site', label: 'Install', description: 'Create the site\'s database and install it on its platform.', command: 'provision-install', permission: 'create install task', offered: is('new', 'failed') },
  { name: 'verify', on: 'site', label: 'Verify', description: 'Write the site\'s virtual host again and check it is served.', command: 'provision-verify', permission: 'create verify task', offered: is('installed', 'disabled') },
  { name: 'backup', on: 'site', label: 'Back up', description: 'Make a checked archive of the site\'s database and files.', command: 'provision-backup', permission: 'create backup task', offered: is('installed', 'disabled'),
    args: { description: { type: 'text', label: 'Description', maxLength: 255 } } },
  { name: 'restore', on: 'site', label: 'Restore', description: 'Put the site back as one of its backups has it.', command: 'provision-restore', permission: 'create restore task', dangerous: true, offered: is('installed', 'disabled'),
    args: backupArg,
    checkArgs: backupProblems,
    async options(args, ctx) { return { file: (await siteBackup(args, ctx)).file! }; } },
  { name: 'backup-delete', on: 'site', label: 'Delete a backup', description: 'Remove one of the site\'s backups.', command: 'provision-backup-delete', permission: 'create backup-delete task', dangerous: true, offered: is('installed', 'disabled', 'failed'),
    args: backupArg,
    checkArgs: backupProblems,
    async options(args, ctx) { return { file: (await siteBackup(args, ctx)).file! }; } },
  { name: 'disable', on: 'site', label: 'Disable', description: 'Serve the "site disabled" page instead of the site.', command: 'provision-disable', permission: 'create disable task', offered: is('installed') },
  { name: 'enable', on: 'site', label: 'Enable', description: 'Serve the site again.', command: 'provision-enable', permission: 'create enable task', offered: is('disabled') },
  { name: 'delete', on: 'site', label: 'Delete', description: 'Remove the site, its database and its files for good.', command: 'provision-delete', permission: 'create delete task', dangerous: true, offered: is('installed', 'disabled', 'failed') },
  { name: 'migrate', on: 'site', label: 'Migrate', description: 'Move the site to another platform, database server or domain.', command: 'provision-migrate', permission: 'create migrate task', dangerous: true, offered: is('installed'),
    args: moveArgs, checkArgs: (args, ctx) => checkMove(args, ctx, false), options: moveOptions },
  { name: 'clone', on: 'site', label: 'Clone', description: 'Copy the site under a new domain, with its own database.', command: 'provision-clone', permission: 'create clone task', offered: is('installed'),
    args: { ...moveArgs, new_name: { ...moveArgs.new_name, required: true } }, checkArgs: (args, ctx) => checkMove(args, ctx, true), options: moveOptions },
  { name: 'cron', on: 'site', label: 'Run cron', description: 'Run the site\'s periodic work.', command: 'provision-cron', permission: 'create cron task', offered: is('installed') },
  { name: 'login-reset', on: 'site', label: 'Log in', description: 'Make a one-time login link for the site\'s admin.', command: 'provision-login-reset', permission: 'create login-reset task', offered: is('installed') },
];

/** The permissions of the built-in task types, one per task name. */
export const taskPermissions = [...new Set(builtinTaskTypes.map((t) => t.permission))].map((name) => ({
  name, title: `Create ${name.replace(/^create | task$/g, '')} tasks`,
  ...(builtinTaskTypes.some((t) => t.permission === name && t.dangerous) ? { restricted: true } : {}),
}));
