import type { FieldDefinition } from '../../../core/forms/types.js';
import { isHostName } from '../../../core/settings/uri.js';
import { scopeOf, seesPlatform } from '../access/scope.js';
import { mayView } from '../access/visible.js';
import { loadObject } from '../objects/object.js';
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

/**
 * A move's arguments on the web form: the platforms the account may use
 * (verified, unlocked, other than the site's own for a migrate), the
 * servers with a database it may see, and the new domain.
 */
export async function moveChoices(ctx: TaskArgsContext, clone: boolean): Promise<Record<string, FieldDefinition>> {
  const db = ctx.site.db;
  const scope = await scopeOf(ctx.site, ctx.account);
  const current = (await db('hosting_site').where({ nid: ctx.object.nid }).first('platform_nid')) as { platform_nid: number } | undefined;
  const platforms = ((await db('hosting_platform as p').join('node as n', 'n.nid', 'p.nid').where({ 'p.status': 'verified', 'p.locked': 0 }).orderBy('n.title').select('p.nid', 'n.title')) as { nid: number; title: string }[])
    .filter((p) => seesPlatform(scope, Number(p.nid)));
  const platformOptions: Record<string, string> = {};
  for (const p of platforms) platformOptions[String(p.nid)] = Number(p.nid) === Number(current?.platform_nid) ? `${p.title} (its platform now)` : p.title;
  const fields: Record<string, FieldDefinition> = {
    new_name: { ...moveArgs.new_name, required: clone, description: clone ? 'The domain of the copy.' : 'Empty: keep the domain.' },
    platform: { type: 'select', label: 'Platform', options: platformOptions, order: platforms.map((p) => String(p.nid)), description: clone ? 'Empty: the same platform.' : 'Empty: stay on this platform.' },
  };
  if (scope.allPlatforms) {
    const servers = (await db('hosting_server as v').join('node as n', 'n.nid', 'v.nid').whereNotNull('v.db').orderBy('n.title').select('v.nid', 'n.title')) as { nid: number; title: string }[];
    fields.db_server = { type: 'select', label: 'Database server', options: Object.fromEntries(servers.map((v) => [String(v.nid), v.title])), order: servers.map((v) => String(v.nid)), description: 'Empty: the same database server.' };
  }
  return fields;
}
