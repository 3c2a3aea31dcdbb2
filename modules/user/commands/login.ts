import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { loadUser, loadUserByName, type UserRecord } from '../accounts.js';
import { oneTimeLoginPath } from '../one-time.js';

/**
 * The address a link printed for the site starts with: --uri itself when it
 * is a URL, else `http://` and --uri; `user.base_url` when the site was
 * chosen without an address.
 */
export function commandBaseUrl(uri: string, configured: string | undefined): string {
  if (/^https?:\/\//i.test(uri)) return uri.replace(/\/+$/, '');
  if ((uri === 'default' || uri === '') && configured) return configured.replace(/\/+$/, '');
  return `http://${uri.replace(/\/+$/, '')}`;
}

/** The user a command names (by name, or by id with --uid); ERR_CLI_ARGUMENT_INVALID when there is none. */
export async function userArgument(site: Parameters<typeof loadUser>[0], command: string, name: string | undefined, uid?: number): Promise<UserRecord> {
  const user = uid !== undefined ? await loadUser(site, uid) : await loadUserByName(site, name ?? '');
  if (!user) {
    throw new AegirError('ERR_CLI_ARGUMENT_INVALID', {
      command, argument: uid !== undefined ? 'uid' : 'name', problem: uid !== undefined ? `there is no user ${uid}` : `there is no user named "${name}"`,
    });
  }
  return user;
}

/** `aegir user-login [name]`: print a one-time login link. */
export const userLogin = defineCommand({
  name: 'user-login',
  aliases: ['uli'],
  description: 'Print a one-time login link for a user (default: user 1). It works once and expires after 24 hours.',
  arguments: [{ name: 'name', description: 'User name (default: user 1)' }],
  options: { uid: { type: 'integer', description: 'User id instead of a name', min: 1 } },
  bootstrap: 'full',
  examples: ['aegir --uri=example.test user-login', 'aegir --uri=https://example.test user-login alice'],
  async run(ctx) {
    const site = ctx.site!;
    const name = ctx.args.name as string | undefined;
    if (name !== undefined && ctx.options.uid !== undefined) {
      throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'user-login', argument: 'name', problem: 'give a name or --uid, not both' });
    }
    const user = await userArgument(site, 'user-login', name, name === undefined ? (ctx.options.uid ?? 1) : undefined);
    if (user.status !== 1) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'user-login', argument: 'name', problem: `the account ${user.name} is blocked; unblock it with user-unblock first` });
    const url = `${commandBaseUrl(ctx.uri, await site.config.get<string>('user.base_url'))}${await oneTimeLoginPath(site, user)}`;
    return { text: `${url}\n`, data: { uid: user.uid, name: user.name, url } };
  },
});
