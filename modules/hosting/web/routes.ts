import { redirect, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { ACCESS_HOSTING, ADMINISTER_HOSTING, MANAGE_PLATFORMS } from '../access/scope.js';
import { backupDownloadRoute } from './backup-download.js';
import { dashboard } from './dashboard.js';
import { eventRoutes } from './events.js';
import { renderList, type ListDefinition } from './lists/list.js';
import { clientsList, packagesList, serversList } from './lists/others.js';
import { platformsList } from './lists/platforms.js';
import { sitesList } from './lists/sites.js';
import { tasksList } from './lists/tasks.js';
import { clientAccessRoute } from './pages/client.js';
import { taskActionRoutes } from './task-actions.js';
import { taskFormRoute } from './task-form.js';

const can = (...permissions: string[]) => (ctx: RequestContext): boolean => permissions.some((p) => ctx.account.hasPermission(p));
const hostingUser = can(ACCESS_HOSTING, ADMINISTER_HOSTING);

/** A list's route, a tab of the dashboard. */
function listRoute<R>(name: string, def: ListDefinition<R>, weight: number, access: (ctx: RequestContext) => boolean = hostingUser): RouteDefinition {
  return { name: `hosting.${name}`, path: def.path, title: def.title, theme: 'admin', access: { check: access }, tab: { base: 'hosting.dashboard', title: def.title, weight }, handler: (ctx) => renderList(def, ctx) };
}

/** Every page of the hosting admin: the dashboard with its lists as tabs, task forms and actions, event streams, backup downloads, client access. */
export const hostingRoutes: readonly RouteDefinition[] = [
  { name: 'hosting.dashboard', path: '/hosting', title: 'Hosting', tabTitle: 'Dashboard', theme: 'admin', access: { check: hostingUser }, menu: { menu: 'admin', title: 'Hosting', weight: -20 }, handler: dashboard },
  {
    // The hostmaster's front page: the dashboard; a visitor who is not logged in is sent to the login form (not a 403), and to the dashboard after it.
    name: 'hosting.front', path: '/hosting/front', title: 'Hosting', theme: 'admin', access: { check: (ctx) => ctx.account.anonymous || hostingUser(ctx) },
    handler: (ctx) => (ctx.account.anonymous ? redirect(`/user/login?destination=${encodeURIComponent('/hosting')}`) : dashboard(ctx)),
  },
  listRoute('sites', sitesList, 1),
  listRoute('platforms', platformsList, 2),
  listRoute('servers', serversList, 3, can(MANAGE_PLATFORMS, ADMINISTER_HOSTING)),
  listRoute('clients', clientsList, 4),
  listRoute('packages', packagesList, 5),
  listRoute('tasks', tasksList, 6),
  taskFormRoute,
  ...taskActionRoutes,
  ...eventRoutes,
  backupDownloadRoute,
  clientAccessRoute,
];
