import type { PermissionDefinition } from '../../user/hooks.js';
import { ACCESS_HOSTING, ADMINISTER_CLIENTS, ADMINISTER_HOSTING, MANAGE_PLATFORMS } from './scope.js';

/** Download the backup archives of the sites the account sees. */
export const DOWNLOAD_BACKUPS = 'download backups';

/** The hosting module's own permissions (its task types add one each: tasks/permissions.ts). */
export const hostingPermissions: readonly PermissionDefinition[] = [
  { name: ADMINISTER_HOSTING, title: 'Administer hosting', description: 'Every server, platform, site, client and task, and every task type.', restricted: true },
  { name: ACCESS_HOSTING, title: 'Use the hosting pages', description: 'The dashboard and the lists of servers, platforms, sites, clients, packages and tasks, limited to the sites of the clients granted.' },
  { name: MANAGE_PLATFORMS, title: 'Manage servers and platforms', description: 'See and work on every server and platform (sites stay those of the clients granted).', restricted: true },
  { name: ADMINISTER_CLIENTS, title: 'Administer clients', description: 'See every client, grant users to clients and limit clients to platforms.', restricted: true },
  { name: DOWNLOAD_BACKUPS, title: 'Download backups', description: 'Download the backup archives of the sites the user sees.' },
];
