import { defineForm } from '../../../core/forms/types.js';
import { redirect, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { authenticate, clientIp, localDestination, logIn, logOut } from '../authenticate.js';
import type { UserRecord } from '../accounts.js';

const REFUSED = {
  wrong: 'Unrecognized username or password. Have you forgotten your password?',
  blocked: 'The account has not been activated or is blocked.',
  throttled_ip: 'Too many failed login attempts from your address. It is temporarily blocked; try again later or reset your password.',
  throttled_user: 'There have been more than 5 failed login attempts for this account. It is temporarily blocked; try again later or reset your password.',
} as const;

/** Logging in and out, and /user itself. */
export const loginRoutes: RouteDefinition[] = [
  {
    name: 'user.page',
    path: '/user',
    title: 'My account',
    // Visible as "My account" to users; on /user itself anonymous visitors pass too, to be sent to the login form.
    access: { check: (ctx) => !ctx.account.anonymous || ctx.route.name === 'user.page' },
    menu: { menu: 'account', title: 'My account', weight: 0 },
    handler: (ctx) => redirect(ctx.account.anonymous ? '/user/login' : `/user/${ctx.account.uid}`, 302),
  },
  {
    name: 'user.login',
    path: '/user/login',
    title: 'Log in',
    access: { anonymousOnly: true },
    menu: { menu: 'account', title: 'Log in', weight: 10 },
    form(ctx) {
      let user: UserRecord | undefined;
      return defineForm({
        id: 'user_login',
        submitLabel: 'Log in',
        links: [{ title: 'Reset your password', href: '/user/password' }],
        fields: {
          name: { type: 'text', label: 'Username', required: true, maxLength: 60, autocomplete: 'username' },
          pass: { type: 'password', label: 'Password', required: true, autocomplete: 'current-password' },
        },
        async validate(v) {
          const outcome = await authenticate(ctx.site, v.name, v.pass, clientIp(ctx));
          if (!outcome.ok) return { '': REFUSED[outcome.reason] };
          user = outcome.user;
        },
        async submit() {
          await logIn(ctx, user!);
          return redirect(localDestination(ctx.query.destination) ?? `/user/${user!.uid}`);
        },
      });
    },
  },
  {
    name: 'user.logout',
    path: '/user/logout',
    title: 'Log out',
    access: { authenticated: true },
    menu: { menu: 'account', title: 'Log out', weight: 20 },
    form(ctx) {
      return defineForm({
        id: 'user_logout',
        submitLabel: 'Log out',
        links: [{ title: 'Cancel', href: `/user/${ctx.account.uid}` }],
        fields: { confirm: { type: 'markup', content: template('user/confirm', { question: 'Do you want to log out?' }) } },
        async submit() {
          await logOut(ctx);
          return redirect('/');
        },
      });
    },
  },
];
