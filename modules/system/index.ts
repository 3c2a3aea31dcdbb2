import { defineModule } from '../../core/modules/definition.js';
import { cacheClear } from './commands/cache.js';
import { configDelete, configGet, configList, configSet } from './commands/config.js';
import { cron } from './commands/cron.js';
import { help } from './commands/help.js';
import { hookList } from './commands/hook-list.js';
import { moduleCreate } from './commands/module-create.js';
import { platformInfo } from './commands/platform-info.js';
import { pmDisable, pmEnable, pmList, pmUninstall } from './commands/pm.js';
import { serve } from './commands/serve.js';
import { siteInstall } from './commands/site-install.js';
import { sqlDump } from './commands/sql-dump.js';
import { sqlImport } from './commands/sql-import.js';
import { status } from './commands/status.js';
import { updatedb, updatedbStatus } from './commands/updatedb.js';
import { systemRoutes } from './routes/admin.js';
import { systemHooks } from './hooks.js';
import type {} from '../user/hooks.js';

const commands = [
  help, status, siteInstall, pmList, pmEnable, pmDisable, pmUninstall, updatedb, updatedbStatus,
  cacheClear, configGet, configSet, configDelete, configList, sqlDump, sqlImport, cron, hookList, serve, platformInfo, moduleCreate,
];

/** The system module: core commands and the site's basic configuration. */
export default defineModule({
  hooks: systemHooks,
  register(api) {
    api.on('cli.commands', (add) => { for (const c of commands) add(c); });
    api.on('http.routes', (add) => { for (const r of systemRoutes) add(r); });
    api.on('user.permissions', (add) => {
      add({ name: 'access administration pages', title: 'Use the administration pages' });
      add({ name: 'administer site configuration', title: 'Administer site configuration', restricted: true });
      add({ name: 'administer themes', title: 'Choose themes' });
    });
    api.on('install.steps', (add) => add({
      name: 'system.site',
      title: 'Configure the site name and mail',
      async run(site, input) {
        await site.config.set('system.site_name', input.siteName);
        await site.config.set('system.site_mail', input.siteMail);
      },
    }));
  },
});
