import { randomBytes } from 'node:crypto';
import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { createUser, loadUserByMail, loadUserByName, nameProblem } from '../accounts.js';
import { changeAccount, CONSOLE } from '../manage.js';
import { addUserRole, loadRole, removeUserRole } from '../roles.js';
import { userArgument } from './login.js';

const MAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const nameArg = [{ name: 'name', description: 'User name', required: true }] as const;
const passwordCheck = (v: string): string | undefined => (v.length >= 8 && v.length <= 1024 ? undefined : 'use 8 to 1024 characters');

/** `aegir user-create NAME --mail=ADDRESS [--password-file=PATH]`. */
export const userCreate = defineCommand({
  name: 'user-create',
  aliases: ['ucrt'],
  description: 'Create an active account. Without a password it gets a random one; log in with user-login.',
  arguments: nameArg,
  options: {
    mail: { type: 'string', description: 'E-mail address', required: true, validate: (v: string) => (MAIL.test(v) && v.length <= 254 ? undefined : 'it is not an e-mail address') },
    password: { type: 'string', description: 'Password', secret: true, envVar: 'AEGIR_USER_PASS', validate: passwordCheck },
  },
  bootstrap: 'full',
  examples: ['aegir --uri=example.test user-create alice --mail=alice@example.test --password-file=-'],
  async run(ctx) {
    const site = ctx.site!;
    const name = ctx.args.name as string;
    const problem = nameProblem(name);
    if (problem) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'user-create', argument: 'name', problem });
    if (await loadUserByName(site, name)) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'user-create', argument: 'name', problem: `the name "${name}" is taken` });
    if (await loadUserByMail(site, ctx.options.mail)) throw new AegirError('ERR_CLI_OPTION_VALUE', { command: 'user-create', option: 'mail', problem: 'the address is taken by another account' });
    const uid = await createUser(site, { name, mail: ctx.options.mail, password: ctx.options.password ?? randomBytes(24).toString('base64url') });
    ctx.logger.success(`Created user ${name} (uid ${uid}).`);
    return { data: { uid, name } };
  },
});

/** `aegir user-password NAME --password-file=PATH`. */
export const userPassword = defineCommand({
  name: 'user-password',
  aliases: ['upwd'],
  description: "Set a user's password; the user's sessions end.",
  arguments: nameArg,
  options: { password: { type: 'string', description: 'New password', secret: true, envVar: 'AEGIR_USER_PASS', required: true, validate: passwordCheck } },
  bootstrap: 'full',
  examples: ['aegir --uri=example.test user-password alice --password-file=-'],
  async run(ctx) {
    const user = await userArgument(ctx.site!, 'user-password', ctx.args.name as string);
    await changeAccount(ctx.site!, CONSOLE, user.uid, { password: ctx.options.password });
    ctx.logger.success(`Changed the password of ${user.name}.`);
    return { data: { uid: user.uid, name: user.name } };
  },
});

function statusCommand(name: 'user-block' | 'user-unblock', status: 0 | 1) {
  return defineCommand({
    name,
    aliases: [status ? 'uublk' : 'ublk'],
    description: status ? 'Unblock a user.' : 'Block a user: they can no longer log in and their sessions end. User 1 cannot be blocked.',
    arguments: nameArg,
    bootstrap: 'full',
    async run(ctx) {
      const user = await userArgument(ctx.site!, name, ctx.args.name as string);
      await changeAccount(ctx.site!, CONSOLE, user.uid, { status });
      ctx.logger.success(`${status ? 'Unblocked' : 'Blocked'} ${user.name}.`);
      return { data: { uid: user.uid, name: user.name, status } };
    },
  });
}

/** `aegir user-block NAME`. */
export const userBlock = statusCommand('user-block', 0);
/** `aegir user-unblock NAME`. */
export const userUnblock = statusCommand('user-unblock', 1);

function roleCommand(name: 'user-add-role' | 'user-remove-role', add: boolean) {
  return defineCommand({
    name,
    aliases: [add ? 'urol' : 'urrol'],
    description: add ? 'Give users a role.' : 'Take a role from users.',
    arguments: [
      { name: 'role', description: 'Role machine name', required: true },
      { name: 'names', description: 'User names', required: true, variadic: true },
    ],
    bootstrap: 'full',
    examples: [`aegir --uri=example.test ${name} editor alice bob`],
    async run(ctx) {
      const site = ctx.site!;
      const rid = ctx.args.role as string;
      if (!(await loadRole(site, rid))) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: name, argument: 'role', problem: `there is no role "${rid}"` });
      if (rid === 'anonymous' || rid === 'authenticated') throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: name, argument: 'role', problem: `"${rid}" is implied and cannot be ${add ? 'given' : 'taken'}` });
      const users = [];
      for (const n of ctx.args.names as string[]) users.push(await userArgument(site, name, n));
      for (const u of users) await (add ? addUserRole(site, u.uid, rid) : removeUserRole(site, u.uid, rid));
      ctx.logger.success(`${add ? 'Gave' : 'Took'} role ${rid} ${add ? 'to' : 'from'} ${users.map((u) => u.name).join(', ')}.`);
      return { data: { role: rid, users: users.map((u) => u.name) } };
    },
  });
}

/** `aegir user-add-role ROLE NAME...`. */
export const userAddRole = roleCommand('user-add-role', true);
/** `aegir user-remove-role ROLE NAME...`. */
export const userRemoveRole = roleCommand('user-remove-role', false);
