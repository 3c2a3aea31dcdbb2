import { defineModule } from '../../core/modules/definition.js';
import type {} from '../../modules/node/hooks.js';
import type { NodeTypeDefinition } from '../../modules/node/types.js';
import { ANONYMOUS_ROLE, AUTHENTICATED_ROLE, grantPermissions } from '../../modules/user/roles.js';

/** The standard profile's content types: a basic page and an article with tags. */
export const standardTypes: readonly NodeTypeDefinition[] = [
  {
    type: 'page',
    label: 'Basic page',
    description: 'Static content that rarely changes, such as an "About us" page.',
    fields: {
      body: { type: 'textarea', label: 'Body', rows: 12 },
    },
  },
  {
    type: 'article',
    label: 'Article',
    description: 'Time-sensitive content such as news, press releases or blog posts.',
    fields: {
      body: { type: 'textarea', label: 'Body', rows: 12 },
      tags: { type: 'text', label: 'Tags', maxLength: 255, description: 'Words that describe the article, separated by commas.' },
    },
  },
];

/**
 * The standard profile: what a hosted site gets. Pages and articles, the
 * list of published content (/node) as the front page, content visible to
 * everyone, and the admin account (created by the user module).
 */
export default defineModule({
  register(api) {
    api.on('node.types', (add) => { for (const t of standardTypes) add(t); });
  },
  installSteps: [
    {
      name: 'standard.settings',
      title: 'Apply the standard settings',
      async run(site) {
        await site.config.set('system.cron_interval', 3 * 60 * 60);
        await site.config.set('user.register', 'admin_only');
      },
    },
    {
      name: 'standard.content',
      title: 'Show published content on the front page, to everyone',
      async run(site) {
        await site.config.set('system.front_page', '/node');
        await grantPermissions(site, ANONYMOUS_ROLE, ['access content']);
        await grantPermissions(site, AUTHENTICATED_ROLE, ['access content']);
      },
    },
  ],
});
