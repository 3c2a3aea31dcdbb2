import { defineForm } from '../../../core/forms/types.js';
import { pageParam, pager } from '../../../core/http/pager.js';
import { page, redirect, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { createUser } from '../accounts.js';
import { isRoleName, listRoles, ANONYMOUS_ROLE, AUTHENTICATED_ROLE } from '../roles.js';
import { checkIdentity } from './account.js';
import { formatTime, roleOptions } from './common.js';
import { mayManageAccount } from '../manage.js';

/** Accounts per page of /admin/people. */
export const PEOPLE_PAGE_SIZE = 50;
const SORTS = { name: 'asc', created: 'desc', login: 'desc' } as const;
type SortKey = keyof typeof SORTS;

/** The filters and sort order of /admin/people, from the query (anything unknown falls back to the default). */
function listing(query: Readonly<Record<string, string>>) {
  const role = query.role && isRoleName(query.role) ? query.role : '';
  const status = query.status === '1' || query.status === '0' ? query.status : '';
  const sort: SortKey = Object.hasOwn(SORTS, query.sort ?? '') ? (query.sort as SortKey) : 'created';
  const order = query.order === 'asc' || query.order === 'desc' ? query.order : SORTS[sort];
  return { role, status, sort, order };
}

async function peoplePage(ctx: RequestContext) {
  const { db } = ctx.site;
  const l = listing(ctx.query);
  const base = db('users');
  if (l.status) base.where('status', Number(l.status));
  if (l.role === ANONYMOUS_ROLE) base.whereRaw('1 = 0');
  else if (l.role && l.role !== AUTHENTICATED_ROLE) base.whereIn('uid', db('users_roles').select('uid').where({ rid: l.role }));
  const total = Number(((await base.clone().count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);
  const p = pager('/admin/people', ctx.query, total, pageParam(ctx.query), PEOPLE_PAGE_SIZE);
  const rows = (await base.clone().select('uid', 'name', 'status', 'created', 'login')
    .orderBy(l.sort, l.order).orderBy('uid', 'asc').limit(PEOPLE_PAGE_SIZE).offset(p.page * PEOPLE_PAGE_SIZE)) as
    { uid: number; name: string; status: number; created: number; login: number }[];
  const roles = await listRoles(ctx.site);
  const labels = new Map(roles.map((r) => [r.rid, r.label]));
  const memberships = rows.length
    ? ((await db('users_roles').whereIn('uid', rows.map((r) => r.uid)).select('uid', 'rid')) as { uid: number; rid: string }[]) : [];
  const sortHref = (key: SortKey): string => {
    const q = new URLSearchParams({ ...ctx.query, sort: key, order: l.sort === key && l.order === 'asc' ? 'desc' : 'asc' });
    q.delete('page');
    return `/admin/people?${q.toString()}`;
  };
  const headers = [
    ...(['name', 'created', 'login'] as const).map((key) => ({
      label: { name: 'Username', created: 'Member since', login: 'Last login' }[key], href: sortHref(key),
      ...(l.sort === key ? { sort: l.order } : {}),
    })),
    { label: 'Status' }, { label: 'Roles' }, { label: 'Operations' },
  ];
  const tableRows = rows.map((r) => {
    const rids = memberships.filter((m) => Number(m.uid) === Number(r.uid)).map((m) => m.rid);
    // Accounts holding roles this administrator may not give are listed but not offered for editing.
    const editable = mayManageAccount(ctx.account, { uid: Number(r.uid), roles: rids });
    return [
      { text: r.name, href: `/user/${r.uid}` },
      formatTime(Number(r.created)),
      formatTime(Number(r.login)),
      Number(r.status) === 1 ? 'Active' : 'Blocked',
      rids.map((rid) => labels.get(rid) ?? rid).join(', '),
      editable ? { links: [{ title: 'Edit', href: `/user/${r.uid}/edit` }] } : '',
    ];
  });
  return page('People', template('user/people', {
    headers, rows: tableRows, filter: l, total, pager: p,
    roleChoices: roles.filter((r) => r.rid !== ANONYMOUS_ROLE).map((r) => ({ value: r.rid, label: r.label })),
  }));
}

/** The list of accounts and the form to add one. */
export const peopleRoutes: RouteDefinition[] = [
  {
    name: 'user.admin_people',
    path: '/admin/people',
    title: 'People',
    access: { permission: 'administer users' },
    menu: { menu: 'admin', title: 'People', weight: 20 },
    handler: peoplePage,
  },
  {
    name: 'user.admin_create',
    path: '/admin/people/create',
    title: 'Add user',
    access: { permission: 'administer users' },
    async form(ctx) {
      const assignRoles = ctx.account.hasPermission('administer permissions');
      return defineForm({
        id: 'user_create',
        submitLabel: 'Create account',
        links: [{ title: 'Cancel', href: '/admin/people' }],
        fields: {
          name: { type: 'text', label: 'Username', required: true, maxLength: 60 },
          mail: { type: 'email', label: 'E-mail address', required: true },
          pass: { type: 'password', label: 'Password', required: true, minLength: 8, autocomplete: 'new-password' },
          pass_confirm: { type: 'password', label: 'Confirm password', required: true, autocomplete: 'new-password' },
          status: { type: 'radios', label: 'Status', required: true, options: { 1: 'Active', 0: 'Blocked' }, default: '1' },
          ...(assignRoles ? { roles: { type: 'checkboxes', label: 'Roles', options: await roleOptions(ctx.site) } } : {}),
        },
        async validate(v) {
          const errors = await checkIdentity(ctx, 0, { name: v.name, mail: v.mail });
          if (v.pass !== v.pass_confirm) errors.pass_confirm = 'The passwords do not match.';
          return errors;
        },
        async submit(v) {
          const roles = assignRoles ? ((v as Record<string, unknown>).roles as string[]) : [];
          const uid = await createUser(ctx.site, { name: v.name, mail: v.mail, password: v.pass, status: Number(v.status), roles });
          ctx.site.logger.notice(`Created user ${uid}.`);
          ctx.message('status', `Created the account ${v.name}.`);
          return redirect('/admin/people');
        },
      });
    },
  },
];
