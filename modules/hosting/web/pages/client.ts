import type { FormDefinition } from '../../../../core/forms/types.js';
import { redirect, type RequestContext, type RouteDefinition } from '../../../../core/http/types.js';
import { template, type Renderable } from '../../../../core/theme/renderable.js';
import type { Node } from '../../../node/types.js';
import { ADMINISTER_CLIENTS, ADMINISTER_HOSTING, scopeOf, whereSiteInScope } from '../../access/scope.js';
import { badge } from '../badges.js';

/** Users one client may be granted in one save. */
const MAX_USERS = 500;

async function grants(ctx: RequestContext, nid: number): Promise<{ users: { uid: number; name: string }[]; platforms: { nid: number; title: string }[] }> {
  const db = ctx.site.db;
  const users = (await db('hosting_client_user as g').join('users as u', 'u.uid', 'g.uid').where('g.client_nid', nid).orderBy('u.name').select('u.uid', 'u.name')) as { uid: number; name: string }[];
  const platforms = (await db('hosting_client_platform as g').join('node as n', 'n.nid', 'g.platform_nid').where('g.client_nid', nid).orderBy('n.title').select('n.nid', 'n.title')) as { nid: number; title: string }[];
  return { users, platforms };
}

/** A client's page: contact, its sites (those the account sees), the users granted it and the platforms it is limited to. */
export async function clientPage(ctx: RequestContext, node: Node): Promise<Renderable> {
  const db = ctx.site.db;
  const c = (await db('hosting_client').where({ nid: node.nid }).first('name', 'mail')) as { name: string; mail: string | null } | undefined;
  const scope = await scopeOf(ctx.site, ctx.account);
  const sites = (await whereSiteInScope(db('hosting_site as s'), scope, 's.client_nid').where('s.client_nid', node.nid).whereNot('s.status', 'deleted').orderBy('s.domain').limit(200)
    .select('s.nid', 's.domain', 's.status', 's.profile')) as { nid: number; domain: string; status: string; profile: string }[];
  const g = await grants(ctx, node.nid);
  const admin = ctx.account.hasPermission(ADMINISTER_CLIENTS) || ctx.account.hasPermission(ADMINISTER_HOSTING);
  return template('hosting/client', {
    client: { name: c?.name ?? node.title, mail: c?.mail ?? '' },
    sites: { headers: [{ label: 'Domain' }, { label: 'Status' }, { label: 'Profile' }], rows: sites.map((s) => [{ text: s.domain, href: ctx.url('node.view', { nid: Number(s.nid) }) }, badge(s.status), s.profile]) },
    users: admin ? g.users.map((u) => u.name) : undefined,
    platforms: g.platforms.map((p) => ({ text: p.title, href: ctx.url('node.view', { nid: Number(p.nid) }) })),
    access: admin ? ctx.url('hosting.client_access', { nid: node.nid }) : undefined,
  });
}

/**
 * The Access tab of a client: the users granted it (one name per line;
 * they see and act on its sites) and the platforms it is limited to (none
 * ticked: every platform). Saved whole, in one transaction.
 */
async function accessForm(ctx: RequestContext): Promise<FormDefinition> {
  const node = ctx.params.nid as Node;
  const db = ctx.site.db;
  const g = await grants(ctx, node.nid);
  const all = (await db('hosting_platform as p').join('node as n', 'n.nid', 'p.nid').whereNot('p.status', 'deleted').orderBy('n.title').select('p.nid', 'n.title')) as { nid: number; title: string }[];
  let uids: number[] = [];
  return {
    id: 'hosting_client_access',
    fields: {
      users: { type: 'textarea', label: 'Users', rows: 6, maxLength: 40_000, default: g.users.map((u) => u.name).join('\n'), description: 'One user name per line. They see this client\'s sites and run the tasks their roles allow on them.' },
      platforms: {
        type: 'checkboxes', label: 'Platforms', options: Object.fromEntries(all.map((p) => [String(p.nid), p.title])), default: g.platforms.map((p) => String(p.nid)),
        description: 'The platforms its sites may be created on, cloned and migrated to. None ticked: every platform.',
      },
    },
    submitLabel: 'Save access',
    links: [{ title: 'Cancel', href: ctx.url('node.view', { nid: node.nid }) }],
    async validate(values) {
      const names = [...new Set(String(values.users).split('\n').map((l) => l.trim()).filter(Boolean))];
      if (names.length > MAX_USERS) return { users: `At most ${MAX_USERS} users.` };
      const found = (await db('users').whereIn('name', names).select('uid', 'name')) as { uid: number; name: string }[];
      const missing = names.filter((n) => !found.some((f) => f.name === n));
      if (missing.length) return { users: `No user is called ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}.` };
      uids = found.map((f) => Number(f.uid));
      return {};
    },
    async submit(values) {
      const platforms = (values.platforms as string[]).map(Number);
      await db.transaction(async (trx) => {
        await trx('hosting_client_user').where({ client_nid: node.nid }).delete();
        if (uids.length) await trx('hosting_client_user').insert(uids.map((uid) => ({ client_nid: node.nid, uid })));
        await trx('hosting_client_platform').where({ client_nid: node.nid }).delete();
        if (platforms.length) await trx('hosting_client_platform').insert(platforms.map((p) => ({ client_nid: node.nid, platform_nid: p })));
      });
      ctx.message('status', `Access to ${node.title} saved: ${uids.length} user${uids.length === 1 ? '' : 's'}, ${platforms.length ? `${platforms.length} platform${platforms.length === 1 ? '' : 's'}` : 'every platform'}.`);
      return redirect(ctx.url('node.view', { nid: node.nid }));
    },
  };
}

/** The Access tab route of client nodes. */
export const clientAccessRoute: RouteDefinition = {
  name: 'hosting.client_access',
  path: '/node/:nid/access',
  title: (ctx) => `Access to ${(ctx.params.nid as Node).title}`,
  params: { nid: 'node' },
  theme: 'admin',
  tab: { base: 'node.view', title: 'Access', weight: 5 },
  access: { check: (ctx) => (ctx.params.nid as Node).type === 'client' && (ctx.account.hasPermission(ADMINISTER_CLIENTS) || ctx.account.hasPermission(ADMINISTER_HOSTING)) },
  form: accessForm,
};
