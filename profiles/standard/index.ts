import { defineModule } from '../../core/modules/definition.js';

/** The standard profile: hosted sites' defaults. Content types and the front page come with the web layer. */
export default defineModule({
  installSteps: [
    {
      name: 'standard.settings',
      title: 'Apply the standard settings',
      async run(site) {
        await site.config.set('system.cron_interval', 3 * 60 * 60);
        await site.config.set('user.register', 'admin_only');
      },
    },
  ],
});
