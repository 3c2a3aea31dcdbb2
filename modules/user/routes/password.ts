import { defineForm } from '../../../core/forms/types.js';
import { handleForm } from '../../../core/forms/handle.js';
import { page, redirect, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { loadUserByMail, loadUserByName, type UserRecord } from '../accounts.js';
import { clientIp, logIn } from '../authenticate.js';
import { floodAllowed, floodRegister, RESET_IP, RESET_USER } from '../flood.js';
import { sendMail } from '../mail.js';
import { mailBaseUrl } from '../mail-links.js';
import { checkOneTimeLink, ONE_TIME_LINK_TTL_S, oneTimeLoginPath } from '../one-time.js';

/** Session key marking a login by one-time link: the edit form then sets a password without the current one. */
export const PASS_RESET_KEY = 'user.pass_reset';

/** What the reset form answers, whether or not the account exists: no user enumeration. */
export const RESET_REQUESTED = 'If the account exists and is active, an e-mail with a one-time login link has been sent to its address.';

async function findAccount(ctx: RequestContext, given: string): Promise<UserRecord | undefined> {
  return (given.includes('@') ? await loadUserByMail(ctx.site, given) : undefined) ?? loadUserByName(ctx.site, given);
}

async function sendResetMail(ctx: RequestContext, user: UserRecord): Promise<void> {
  const { site } = ctx;
  if (!(await floodAllowed(site, RESET_USER, String(user.uid)))) return;
  const base = await mailBaseUrl(ctx);
  if (!base) {
    site.logger.warning('A password reset mail was not sent: set user.base_url to the site\'s address (sites/default has no address of its own).');
    return;
  }
  await floodRegister(site, RESET_USER, String(user.uid));
  const siteName = (await site.config.get<string>('system.site_name')) ?? site.name;
  await sendMail(site, {
    to: user.mail,
    subject: `Replacement login information for ${user.name} at ${siteName}`,
    body: [
      `${user.name},`, '',
      `A request to reset the password for your account has been made at ${siteName}.`, '',
      'You may now log in by clicking this link or copying and pasting it into your browser:', '',
      `${base}${await oneTimeLoginPath(site, user)}`, '',
      'This link can only be used once to log in and will lead you to a page where you can set your password.',
      `It expires after ${ONE_TIME_LINK_TTL_S / 3600} hours and nothing will happen if it is not used.`,
    ].join('\n'),
  });
}

/** Requesting a password reset, and using one-time login links. */
export const passwordRoutes: RouteDefinition[] = [
  {
    name: 'user.password',
    path: '/user/password',
    title: 'Reset your password',
    access: { public: true },
    form(ctx) {
      return defineForm({
        id: 'user_pass',
        submitLabel: 'Send',
        fields: {
          name: { type: 'text', label: 'Username or e-mail address', required: true, maxLength: 254, autocomplete: 'username' },
          help: { type: 'markup', content: template('user/confirm', { question: 'A one-time login link will be sent to the e-mail address of the account.' }) },
        },
        async validate() {
          if (!(await floodAllowed(ctx.site, RESET_IP, clientIp(ctx)))) {
            return { '': 'Too many password reset requests from your address. Try again later.' };
          }
        },
        async submit(v) {
          await floodRegister(ctx.site, RESET_IP, clientIp(ctx));
          const user = await findAccount(ctx, v.name);
          if (user && user.status === 1) await sendResetMail(ctx, user);
          ctx.message('status', RESET_REQUESTED);
          return redirect(ctx.account.anonymous ? '/user/login' : `/user/${ctx.account.uid}`);
        },
      });
    },
  },
  {
    name: 'user.reset',
    path: '/user/reset/:uid/:timestamp/:hash',
    secretParams: ['hash'],
    title: 'Reset password',
    access: { public: true },
    methods: ['GET', 'POST'],
    async handler(ctx) {
      const title = 'Reset password';
      const check = await checkOneTimeLink(ctx.site, { uid: ctx.rawParams.uid ?? '', timestamp: ctx.rawParams.timestamp ?? '', hash: ctx.rawParams.hash ?? '' });
      if (!check.ok) return page(title, template('user/reset-invalid', { reason: check.reason }), 403);
      // A live link must not reach the request log line. Only genuine hashes are
      // registered, so nobody can grow the logger's list of secrets at will.
      ctx.site.logger.redact(ctx.rawParams.hash);
      const user = check.user;
      if (!ctx.account.anonymous && ctx.account.uid !== user.uid) {
        return page(title, template('user/reset-invalid', { reason: 'other', current: ctx.account.name }), 403);
      }
      const form = defineForm({
        id: 'user_pass_reset',
        submitLabel: 'Log in',
        fields: {
          info: { type: 'markup', content: template('user/reset-confirm', { name: user.name, expires: new Date((check.timestamp + ONE_TIME_LINK_TTL_S) * 1000).toISOString().slice(0, 16).replace('T', ' ') }) },
        },
        async submit() {
          await logIn(ctx, user);
          ctx.session.set(PASS_RESET_KEY, user.uid);
          ctx.message('status', 'You have used your one-time login link, which no longer works. Set your password now.');
          return redirect(`/user/${user.uid}/edit`);
        },
      });
      return handleForm(form, ctx, title);
    },
  },
];
