import { defineModule } from '../../core/modules/definition.js';
import { taskCommands } from './commands/task-commands.js';
import { provisionProxy } from './commands/proxy.js';
import { provisionSave } from './commands/save.js';
import { provisionHooks } from './hooks.js';
import { taskRegistry } from './runner/registry.js';
import { builtinApp } from './service/app/builtin.js';
import { supervisordApp } from './service/app/supervisord.js';
import { mysqlDb } from './service/db/mysql.js';
import { sqliteDb } from './service/db/sqlite.js';
import { apacheHttp } from './service/http/apache.js';
import { builtinHttp } from './service/http/builtin.js';
import { nginxHttp } from './service/http/nginx.js';
import { provisionTasks } from './tasks/all.js';

/** Provision: contexts, services and tasks of the back end, on the command line of every codebase. */
export default defineModule({
  hooks: provisionHooks,
  register(api) {
    api.on('provision.services', (add) => {
      for (const s of [sqliteDb, mysqlDb, builtinHttp, nginxHttp, apacheHttp, builtinApp, supervisordApp]) add(s);
    });
    api.on('provision.tasks', (add) => {
      for (const t of provisionTasks) add(t);
    });
    api.on('cli.commands', (add, { kernel }) => {
      for (const c of [provisionSave, provisionProxy]) add(c);
      // Every task of every enabled module (provision's and contrib ones) is a command.
      for (const c of taskCommands(taskRegistry(kernel))) add(c);
    });
  },
});
