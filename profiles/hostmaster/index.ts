import { defineModule } from '../../core/modules/definition.js';

/**
 * The hostmaster profile: the site that administers the others. Its
 * modules (hosting and its features) come from its dependencies; its own
 * steps make the dashboard the front page and keep the site private (no
 * self-registration, nothing for anonymous visitors but the login). The
 * server, platform and site nodes of the hostmaster itself are made by
 * `aegir hostmaster-install` (modules/hostmaster), which installs it.
 */
export default defineModule({
  installSteps: [
    {
      name: 'hostmaster.settings',
      title: 'Make the hosting dashboard the front page; accounts made by administrators only',
      async run(site) {
        await site.config.set('system.front_page', '/hosting/front');
        await site.config.set('system.site_name', 'Hostmaster');
        await site.config.set('user.register', 'admin_only');
      },
    },
  ],
});
