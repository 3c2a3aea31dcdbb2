import { isHostName } from '../../../core/settings/uri.js';
import { scopeOf, seesPlatform } from '../access/scope.js';
import { mayView } from '../access/visible.js';
import { loadObject } from '../objects/object.js';
import type { FieldDefinition } from '../../../core/forms/types.js';
import type { TaskArgsContext } from './types.js';

/** The arguments of a move (migrate, clone): a target platform, a db server, a new domain; each optional here. */
export const moveArgs = {
  platform: { type: 'number', label: 'Platform', integer: true, min: 1 },
  db_server: { type: 'number', label: 'Database server', integer: true, min: 1 },
  new_name: { type: 'text', label: 'New domain', maxLength: 253 },
} as const satisfies Record<string, FieldDefinition>;

/**
 * The problems of a move's target, by argument: a platform that exists,
 * is verified and is not locked; a db server with a database service; a
 * new domain that is valid and no site's domain or alias. A clone needs a
 * new domain; a migrate needs at least one change.
 */
export async function checkMove(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext, clone: boolean): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const db = ctx.site.db;
  if (args.platform !== undefined && args.platform !== null && args.platform !== '') {
    const p = await loadObject(db, Number(args.platform));
    if (!p || p.kind !== 'platform' || !seesPlatform(await scopeOf(ctx.site, ctx.account), p.nid)) errors.platform = 'No such platform.';
    else if (p.status !== 'verified') errors.platform = `Platform ${p.title} is not verified: verify it first.`;
    else if (p.locked) errors.platform = `Platform ${p.title} is locked: it takes no new sites.`;
  }
  if (args.db_server !== undefined && args.db_server !== null && args.db_server !== '') {
    const s = (await db('hosting_server').where({ nid: Number(args.db_server) }).first('db', 'status')) as { db: string | null; status: string } | undefined;
    if (!s || !(await mayView(ctx.site, ctx.account, 'server', Number(args.db_server)))) errors.db_server = 'No such server.';
    else if (!s.db) errors.db_server = 'That server offers no database service.';
  }
  const name = typeof args.new_name === 'string' ? args.new_name.trim().toLowerCase() : '';
  if (name) {
    if (!isHostName(name)) errors.new_name = `"${name}" is not a valid domain name.`;
    else if (await db('hosting_domain').where({ domain: name }).first('domain')) errors.new_name = `${name} is already a domain or alias of a site.`;
  } else if (clone) errors.new_name = 'A clone needs a new domain.';
  if (!clone && !name && !args.platform && !args.db_server) errors[''] = 'Give a platform, a database server or a new domain.';
  return errors;
}

/** Provision's options for a move's target: contexts by name, the new domain in lower case. */
export async function moveOptions(args: Readonly<Record<string, unknown>>, ctx: TaskArgsContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const db = ctx.site.db;
  if (args.platform) out.platform = `@${String((await db('hosting_platform').where({ nid: Number(args.platform) }).first('context')).context)}`;
  if (args.db_server) out['db-server'] = `@${String((await db('hosting_server').where({ nid: Number(args.db_server) }).first('context')).context)}`;
  if (typeof args.new_name === 'string' && args.new_name.trim()) out['new-name'] = args.new_name.trim().toLowerCase();
  return out;
}
