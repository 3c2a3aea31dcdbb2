import { defineForm } from '../../../core/forms/types.js';
import type { FormErrors } from '../../../core/forms/types.js';
import { isAegirError } from '../../../core/errors/aegir-error.js';
import { forbidden, page, redirect, type ParamLoader, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { loadUser, loadUserByMail, loadUserByName, nameProblem, passwordHash, type UserRecord } from '../accounts.js';
import { changeAccount, deleteAccount, mayManageAccount } from '../manage.js';
import { verifyPassword } from '../password.js';
import { listRoles, setUserRoles } from '../roles.js';
import { formatTime, roleOptions } from './common.js';
import { PASS_RESET_KEY } from './password.js';

/** `/user/:uid` and friends: the user id becomes the account (undefined, so 404, for malformed or unknown ids). */
export const userLoader: ParamLoader = {
  name: 'user',
  load: (value, { site }) => (/^[1-9]\d{0,9}$/.test(value) ? loadUser(site, Number(value)) : undefined),
};

const target = (ctx: RequestContext): UserRecord => ctx.params.uid as UserRecord;
const own = (ctx: RequestContext): boolean => !ctx.account.anonymous && ctx.account.uid === target(ctx).uid;
/** Whether the request's account may change the target's password, mail, name or status (see manage.ts). */
const manages = (ctx: RequestContext): boolean => (own(ctx) || ctx.account.hasPermission('administer users')) && mayManageAccount(ctx.account, target(ctx));

/** Run a change of the account; a refusal by the rule (the roles changed since the page was shown) is a 403. */
async function guarded(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (isAegirError(e) && (e.code === 'ERR_USER_ACCESS_DENIED' || e.code === 'ERR_USER_PROTECTED')) forbidden(e.message);
    throw e;
  }
}

/** Check a new name and mail against the rules and the other accounts. */
export async function checkIdentity(ctx: RequestContext, uid: number, v: { name?: string; mail: string }): Promise<FormErrors> {
  const errors: FormErrors = {};
  if (v.name !== undefined) {
    const problem = nameProblem(v.name);
    if (problem) errors.name = `Username: ${problem}.`;
    else if (((await loadUserByName(ctx.site, v.name))?.uid ?? uid) !== uid) errors.name = 'The name is already taken.';
  }
  if (((await loadUserByMail(ctx.site, v.mail))?.uid ?? uid) !== uid) errors.mail = 'The e-mail address is already taken.';
  return errors;
}

/** Viewing, editing and deleting one account. */
export const accountRoutes: RouteDefinition[] = [
  {
    name: 'user.view',
    path: '/user/:uid',
    params: { uid: 'user' },
    title: (ctx) => target(ctx).name,
    access: {
      check: (ctx) => own(ctx) || ctx.account.hasPermission('administer users')
        || (ctx.account.hasPermission('access user profiles') && target(ctx).status === 1),
    },
    async handler(ctx) {
      const u = target(ctx);
      const labels = new Map((await listRoles(ctx.site)).map((r) => [r.rid, r.label]));
      const private_ = own(ctx) || ctx.account.hasPermission('administer users');
      return page(u.name, template('user/profile', {
        name: u.name,
        created: formatTime(u.created),
        mail: private_ ? u.mail : undefined,
        login: private_ ? formatTime(u.login) : undefined,
        roles: private_ ? u.roles.map((r) => labels.get(r) ?? r) : [],
        blocked: u.status !== 1,
      }));
    },
  },
  {
    name: 'user.edit',
    path: '/user/:uid/edit',
    params: { uid: 'user' },
    title: (ctx) => `Edit ${target(ctx).name}`,
    tab: { base: 'user.view', title: 'Edit' },
    // Editing another account is taking it over (its password and mail): only accounts one may manage.
    access: { check: manages },
    async form(ctx) {
      const u = target(ctx);
      const admin = ctx.account.hasPermission('administer users');
      const assignRoles = admin && ctx.account.hasPermission('administer permissions');
      // After a one-time login the user does not know the password: they may set one without it.
      const needCurrent = own(ctx) && ctx.session.get<number>(PASS_RESET_KEY) !== u.uid;
      const mayBlock = admin && u.uid !== 1 && !own(ctx);
      return defineForm({
        id: 'user_edit',
        submitLabel: 'Save',
        fields: {
          ...(admin ? { name: { type: 'text', label: 'Username', required: true, maxLength: 60, default: u.name } } : {}),
          mail: { type: 'email', label: 'E-mail address', required: true, default: u.mail },
          ...(needCurrent ? { current_pass: { type: 'password', label: 'Current password', autocomplete: 'current-password', description: 'Needed to change the e-mail address or the password.' } } : {}),
          pass: { type: 'password', label: 'New password', minLength: 8, autocomplete: 'new-password', description: 'Leave empty to keep the password. At least 8 characters.' },
          pass_confirm: { type: 'password', label: 'Confirm new password', autocomplete: 'new-password' },
          ...(mayBlock ? { status: { type: 'radios', label: 'Status', required: true, options: { 1: 'Active', 0: 'Blocked' }, default: String(u.status) } } : {}),
          ...(assignRoles ? { roles: { type: 'checkboxes', label: 'Roles', options: await roleOptions(ctx.site), default: u.roles } } : {}),
        },
        async validate(v) {
          const values = v as Record<string, unknown>;
          const errors = await checkIdentity(ctx, u.uid, { name: admin ? String(values.name) : undefined, mail: v.mail });
          if (v.pass !== v.pass_confirm) errors.pass_confirm = 'The passwords do not match.';
          if (needCurrent && (v.pass || v.mail.toLowerCase() !== u.mail.toLowerCase())) {
            const current = String(values.current_pass ?? '');
            if (!current || !(await verifyPassword(current, await passwordHash(ctx.site, u.uid)))) {
              errors.current_pass = 'The current password is missing or wrong.';
            }
          }
          return errors;
        },
        async submit(v) {
          const values = v as Record<string, unknown>;
          await guarded(() => changeAccount(ctx.site, ctx.account, u.uid, {
            mail: v.mail,
            ...(admin ? { name: String(values.name) } : {}),
            ...(mayBlock ? { status: Number(values.status) } : {}),
            ...(v.pass ? { password: v.pass } : {}),
          }));
          if (assignRoles) await setUserRoles(ctx.site, u.uid, values.roles as string[]);
          // Every session of the user ended with the old password; this one goes on with a new token.
          if (v.pass && own(ctx)) await ctx.session.login(u.uid);
          ctx.message('status', 'The changes have been saved.');
          return redirect(`/user/${u.uid}/edit`);
        },
      });
    },
  },
  {
    name: 'user.cancel',
    path: '/user/:uid/cancel',
    params: { uid: 'user' },
    title: (ctx) => `Delete the account ${target(ctx).name}`,
    tab: { base: 'user.view', title: 'Delete', weight: 10 },
    access: { check: (ctx) => target(ctx).uid !== 1 && ctx.account.hasPermission('administer users') && mayManageAccount(ctx.account, target(ctx)) },
    form(ctx) {
      const u = target(ctx);
      return defineForm({
        id: 'user_cancel',
        submitLabel: 'Delete account',
        danger: true,
        links: [{ title: 'Cancel', href: `/user/${u.uid}` }],
        fields: { confirm: { type: 'markup', content: template('user/confirm', { question: `Delete the account ${u.name}?`, note: 'This cannot be undone.' }) } },
        async submit() {
          await guarded(() => deleteAccount(ctx.site, ctx.account, u.uid));
          ctx.site.logger.notice(`Deleted user ${u.uid}.`);
          ctx.message('status', `The account ${u.name} was deleted.`);
          return redirect(ctx.account.uid === u.uid ? '/' : '/admin/people');
        },
      });
    },
  },
];
