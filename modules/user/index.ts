import { defineModule } from '../../core/modules/definition.js';
import { userHooks } from './hooks.js';
import { hashPassword } from './password.js';
import { userSchema } from './schema.js';

/** The user module: accounts and password hashing. */
export default defineModule({
  hooks: userHooks,
  schema: userSchema,
  register(api) {
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
      },
    }));
  },
});
