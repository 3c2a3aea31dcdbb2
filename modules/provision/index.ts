import { defineModule } from '../../core/modules/definition.js';
import { provisionBackup } from './commands/backup.js';
import { provisionBackupDelete } from './commands/backup-delete.js';
import { provisionInstall } from './commands/install.js';
import { provisionRestore } from './commands/restore.js';
import { provisionProxy } from './commands/proxy.js';
import { provisionSave } from './commands/save.js';
import { provisionClone, provisionDelete, provisionDisable, provisionEnable, provisionLoginReset, provisionMigrate } from './commands/site-tasks.js';
import { provisionVerify } from './commands/verify.js';
import { provisionHooks } from './hooks.js';
import { builtinApp } from './service/app/builtin.js';
import { supervisordApp } from './service/app/supervisord.js';
import { mysqlDb } from './service/db/mysql.js';
import { sqliteDb } from './service/db/sqlite.js';
import { apacheHttp } from './service/http/apache.js';
import { builtinHttp } from './service/http/builtin.js';
import { nginxHttp } from './service/http/nginx.js';

/** Provision: contexts, services and tasks of the back end, on the command line of every codebase. */
export default defineModule({
  hooks: provisionHooks,
  register(api) {
    api.on('provision.services', (add) => {
      for (const s of [sqliteDb, mysqlDb, builtinHttp, nginxHttp, apacheHttp, builtinApp, supervisordApp]) add(s);
    });
    api.on('cli.commands', (add) => {
      for (const c of [provisionSave, provisionInstall, provisionVerify, provisionProxy, provisionDelete, provisionDisable, provisionEnable, provisionLoginReset, provisionMigrate, provisionClone]) add(c);
      for (const c of [provisionBackup, provisionRestore, provisionBackupDelete]) add(c);
    });
  },
});
