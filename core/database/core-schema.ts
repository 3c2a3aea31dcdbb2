import type { SchemaDefinition } from './schema.js';

/**
 * Tables that core itself needs before any module is installed: which
 * modules a site has, configuration, cache and locks. Created first by
 * site-install and owned by core (module name "core").
 */
export const coreSchema: SchemaDefinition = {
  core_modules: {
    description: 'Modules installed on this site: enabled or disabled, and the last update applied.',
    columns: {
      name: { type: 'string', length: 64 },
      status: { type: 'string', length: 16, description: 'enabled or disabled' },
      schema_version: { type: 'integer', default: 0, description: 'Number of the last update hook applied; 0 for none.' },
      version: { type: 'string', length: 64, nullable: true, description: 'Module version when it was installed or last updated.' },
      installed_at: { type: 'bigint', description: 'Milliseconds since the epoch.' },
    },
    primaryKey: ['name'],
  },
  core_config: {
    description: 'Configuration values as JSON, by "module.key" name.',
    columns: {
      name: { type: 'string', length: 191 },
      value: { type: 'text', size: 'long' },
    },
    primaryKey: ['name'],
  },
  core_cache: {
    description: 'Cached data as JSON; expire 0 means until cleared.',
    columns: {
      cid: { type: 'string', length: 191 },
      data: { type: 'text', size: 'long' },
      expire: { type: 'bigint', default: 0 },
      created: { type: 'bigint' },
    },
    primaryKey: ['cid'],
    indexes: { expire: ['expire'] },
  },
  core_lock: {
    description: 'Named locks across processes (cron, updates), each with an expiry.',
    columns: {
      name: { type: 'string', length: 191 },
      owner: { type: 'string', length: 64 },
      expire: { type: 'bigint' },
    },
    primaryKey: ['name'],
  },
  core_sessions: {
    description: 'Visitor sessions; sid is the SHA-256 of the cookie token, never the token itself.',
    columns: {
      sid: { type: 'string', length: 64 },
      uid: { type: 'integer', default: 0 },
      data: { type: 'text', size: 'medium' },
      created: { type: 'bigint' },
      accessed: { type: 'bigint' },
      expires: { type: 'bigint' },
    },
    primaryKey: ['sid'],
    indexes: { uid: ['uid'], expires: ['expires'] },
  },
};
