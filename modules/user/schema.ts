import { createTable, type SchemaDefinition } from '../../core/database/schema.js';
import type { UpdateDefinition } from '../../core/modules/definition.js';
import type { SiteContext } from '../../core/site/context.js';
import { ensureBuiltInRoles } from './roles.js';

/** Tables of the user module. */
export const userSchema: SchemaDefinition = {
  users: {
    description: 'User accounts. User 1 is the site administrator created at install.',
    columns: {
      uid: { type: 'serial' },
      name: { type: 'string', length: 60 },
      mail: { type: 'string', length: 254 },
      pass: { type: 'string', length: 255, description: 'scrypt hash (see password.ts)' },
      status: { type: 'integer', default: 1, description: '1 active, 0 blocked' },
      created: { type: 'bigint' },
      changed: { type: 'bigint' },
      login: { type: 'bigint', default: 0, description: 'Last login, ms since the epoch; 0 for never' },
    },
    unique: { name: ['name'], mail: ['mail'] },
  },
  roles: {
    description: 'Roles: named sets of permissions. anonymous, authenticated and administrator are built in.',
    columns: {
      rid: { type: 'string', length: 64, description: 'Machine name' },
      label: { type: 'string', length: 128 },
      weight: { type: 'integer', default: 0 },
    },
    primaryKey: ['rid'],
  },
  users_roles: {
    description: 'Roles given to users (never anonymous or authenticated, which are implied).',
    columns: {
      uid: { type: 'integer' },
      rid: { type: 'string', length: 64 },
    },
    primaryKey: ['uid', 'rid'],
    indexes: { rid: ['rid'] },
  },
  role_permissions: {
    description: 'Permissions granted to roles.',
    columns: {
      rid: { type: 'string', length: 64 },
      permission: { type: 'string', length: 128 },
    },
    primaryKey: ['rid', 'permission'],
    indexes: { permission: ['permission'] },
  },
  flood: {
    description: 'Recent events counted for throttling (failed logins, reset requests); rows expire.',
    columns: {
      id: { type: 'serial' },
      event: { type: 'string', length: 64 },
      identifier: { type: 'string', length: 128, description: 'Who: an IP address, or "uid-ip"' },
      created: { type: 'bigint', description: 'ms since the epoch' },
      expires: { type: 'bigint', description: 'ms since the epoch; purged by cron after this' },
    },
    indexes: { event_identifier: ['event', 'identifier'], expires: ['expires'] },
  },
};

/**
 * Updates of the user module, numbered for ever. A fresh install records
 * the highest as applied, since the schema above is already current.
 */
export const userUpdates: Readonly<Record<number, UpdateDefinition>> = {
  1: {
    description: 'Add roles, user roles, role permissions and the flood table; create the built-in roles.',
    async run(site: SiteContext) {
      for (const table of ['roles', 'users_roles', 'role_permissions', 'flood']) {
        if (!(await site.db.schema.hasTable(table))) await createTable(site.db, table, userSchema[table]!);
      }
      await ensureBuiltInRoles(site);
      if (await site.db('users').where({ uid: 1 }).first('uid')) {
        await site.db('users_roles').insert({ uid: 1, rid: 'administrator' }).onConflict(['uid', 'rid']).ignore();
      }
    },
  },
};
