import { join } from 'node:path';
import type { CommandContext } from '../../../core/cli/command.js';
import { aegirHome } from '../../../core/cli/aliases.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Account } from '../../../core/http/types.js';
import type { SiteContext } from '../../../core/site/context.js';

/** The command line's own account: it may queue any task (the console is trusted as the site's administrator). */
export const CONSOLE_ACCOUNT: Account = { uid: 1, name: 'the command line', roles: [], anonymous: false, hasPermission: () => true };

/** The back end a command line's tasks run on: its codebase's bin/aegir and its Aegir home. */
export function backendOf(ctx: CommandContext): { aegirBin: string; home: string } {
  return { aegirBin: join(ctx.codebase.root, 'bin', 'aegir'), home: aegirHome(ctx.env) };
}

/** An object by node id, domain, or context name (server_x, platform_y); ERR_CLI_ARGUMENT_INVALID when there is none. */
export async function objectNid(site: SiteContext, command: string, ref: string): Promise<number> {
  const name = ref.replace(/^@/, '');
  if (/^\d{1,10}$/.test(name)) return Number(name);
  const row = (await site.db('hosting_domain').where({ domain: name }).first('site_nid')) as { site_nid: number } | undefined
    ?? (await site.db('hosting_platform').where({ context: name }).first('nid as site_nid'))
    ?? (await site.db('hosting_server').where({ context: name }).first('nid as site_nid'));
  if (!row) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command, argument: 'object', problem: `no server, platform or site is called "${name.slice(0, 100)}"` });
  return Number(row.site_nid);
}

/** `k=v,k=v` task arguments. */
export function parseArgs(command: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const m = /^([a-z][a-z0-9_]{0,40})=(.*)$/.exec(pair);
    if (!m) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'args', command, problem: `"${pair.slice(0, 80)}" is not name=value` });
    out[m[1]!] = m[2]!;
  }
  return out;
}
