import { purgeSessions } from '../../core/http/session.js';
import { defineModule } from '../../core/modules/definition.js';
import { anonymousAccount, loadAccount } from './accounts.js';
import { userAddRole, userBlock, userCreate, userPassword, userRemoveRole, userUnblock } from './commands/accounts.js';
import { userLogin } from './commands/login.js';
import { floodPurge } from './flood.js';
import { userHooks } from './hooks.js';
import { hashPassword } from './password.js';
import { declaredPermissions, userPermissions } from './permissions.js';
import { ADMINISTRATOR_ROLE, addUserRole, ensureBuiltInRoles, grantPermissions, loadRole } from './roles.js';
import { accountRoutes, userLoader } from './routes/account.js';
import { loginRoutes } from './routes/login.js';
import { passwordRoutes } from './routes/password.js';
import { peopleRoutes } from './routes/people.js';
import { roleLoader, roleRoutes } from './routes/roles-admin.js';
import { userSchema, userUpdates } from './schema.js';

const commands = [userLogin, userCreate, userPassword, userBlock, userUnblock, userAddRole, userRemoveRole];
const routes = [...loginRoutes, ...passwordRoutes, ...accountRoutes, ...peopleRoutes, ...roleRoutes];

/**
 * The user module: accounts, roles and permissions; who a request runs as
 * ('http.account'); login and logout with throttling, one-time login links
 * and password reset; the people, roles and permissions admin pages; the
 * user-* commands; and cron purging expired sessions and throttle records.
 *
 * The administrator role is given every permission of each module as the
 * module is installed, so it keeps up with the site's modules.
 */
export default defineModule({
  hooks: userHooks,
  schema: userSchema,
  updates: userUpdates,
  async install(site) {
    await ensureBuiltInRoles(site);
  },
  register(api) {
    api.on('user.permissions', (add) => { for (const p of userPermissions) add(p); });
    api.on('http.account', ({ site, uid }) => (uid === 0 ? anonymousAccount(site) : loadAccount(site, uid)));
    api.on('http.param_loaders', (add) => { add(userLoader); add(roleLoader); });
    api.on('http.routes', (add) => { for (const r of routes) add(r); });
    api.on('cli.commands', (add) => { for (const c of commands) add(c); });
    api.on('modules.installed', async ({ site, modules }) => {
      if (!(await loadRole(site, ADMINISTRATOR_ROLE))) return;
      const fresh = declaredPermissions(site.kernel).filter((p) => modules.includes(p.module)).map((p) => p.name);
      await grantPermissions(site, ADMINISTRATOR_ROLE, fresh);
    });
    api.on('cron', async (site) => {
      const flood = await floodPurge(site);
      const sessions = await purgeSessions(site.db);
      site.logger.info(`Removed ${sessions} expired session(s) and ${flood} expired throttle record(s).`);
    });
    api.on('install.steps', (add) => add({
      name: 'user.admin',
      title: 'Create the admin account',
      async run(site, input) {
        const now = Date.now();
        await site.db('users').insert({
          name: input.account.name,
          mail: input.account.mail,
          pass: await hashPassword(input.account.pass),
          status: 1,
          created: now,
          changed: now,
          login: 0,
        });
        const admin = (await site.db('users').where({ name: input.account.name }).first('uid')) as { uid: number };
        await addUserRole(site, Number(admin.uid), ADMINISTRATOR_ROLE);
      },
    }));
  },
});
