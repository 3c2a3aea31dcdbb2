import type { SchemaDefinition } from '../../../core/database/schema.js';

/**
 * The hosting objects' own tables, beside their nodes (as Aegir's
 * hosting_site, hosting_platform, ...): what lists filter and sort on, in
 * SQL. They are the truth for everything the back end reports (status,
 * verify times, versions); a node's fields are the form's copy, written in
 * the same transaction and read back from here on load.
 */
export const objectSchema: SchemaDefinition = {
  hosting_server: {
    description: 'Servers: one row per server node.',
    columns: {
      nid: { type: 'integer' },
      context: { type: 'string', length: 64, description: 'Provision context name (server_<name>)' },
      host: { type: 'string', length: 253 },
      ssh_port: { type: 'integer', nullable: true },
      ssh_user: { type: 'string', length: 32, nullable: true },
      http: { type: 'string', length: 32, nullable: true, description: 'http service type (builtin, nginx, apache) or none' },
      db: { type: 'string', length: 32, nullable: true },
      app: { type: 'string', length: 32, nullable: true },
      services: { type: 'text', description: 'JSON: each service with its settings, as provision-save takes them' },
      status: { type: 'string', length: 16, default: 'new', description: 'new, verified, failed' },
      verified: { type: 'bigint', default: 0, description: 'Last successful verify (ms), 0 never' },
      hostmaster: { type: 'integer', default: 0, description: '1: the server the hostmaster runs on' },
    },
    primaryKey: ['nid'],
    unique: { context: ['context'] },
    indexes: { status: ['status'] },
  },
  hosting_platform: {
    description: 'Platforms: one row per platform node.',
    columns: {
      nid: { type: 'integer' },
      context: { type: 'string', length: 64, description: 'Provision context name (platform_<name>)' },
      server_nid: { type: 'integer' },
      root: { type: 'string', length: 1000 },
      git_url: { type: 'string', length: 1000, nullable: true },
      git_ref: { type: 'string', length: 200, nullable: true },
      locked: { type: 'integer', default: 0 },
      status: { type: 'string', length: 16, default: 'new', description: 'new, verified, failed, deleted' },
      verified: { type: 'bigint', default: 0 },
      core: { type: 'string', length: 32, nullable: true, description: 'Framework core version the last verify found' },
      version: { type: 'string', length: 64, nullable: true, description: 'The platform\'s own version the last verify found (vcs_deploy: from git), NULL unknown' },
      version_origin: { type: 'string', length: 16, nullable: true, description: 'Where that version came from: vcs, manifest' },
      hostmaster: { type: 'integer', default: 0 },
    },
    primaryKey: ['nid'],
    unique: { context: ['context'] },
    indexes: { server: ['server_nid', 'status'] },
  },
  hosting_site: {
    description: 'Sites: one row per site node.',
    columns: {
      nid: { type: 'integer' },
      domain: { type: 'string', length: 253 },
      platform_nid: { type: 'integer' },
      db_server_nid: { type: 'integer' },
      client_nid: { type: 'integer', nullable: true },
      profile: { type: 'string', length: 64 },
      redirection: { type: 'integer', default: 0 },
      status: { type: 'string', length: 16, default: 'new', description: 'new, installed, disabled, failed, deleted' },
      verified: { type: 'bigint', default: 0 },
      last_task_nid: { type: 'integer', nullable: true },
      hostmaster: { type: 'integer', default: 0 },
      last_cron: { type: 'bigint', default: 0, description: 'Last successful cron run (ms)' },
      backup_interval: { type: 'bigint', nullable: true, description: 'Scheduled backups every this many ms (NULL: the hostmaster\'s default, 0: none)' },
    },
    primaryKey: ['nid'],
    unique: { domain: ['domain'] },
    indexes: { platform: ['platform_nid', 'status'], client: ['client_nid', 'status'], status: ['status', 'domain'], db_server: ['db_server_nid'] },
  },
  hosting_domain: {
    description: 'Every name a site answers to (its domain and aliases), unique across all sites.',
    columns: {
      domain: { type: 'string', length: 253 },
      site_nid: { type: 'integer' },
      alias: { type: 'integer', default: 0, description: '1: an alias, 0: the main domain' },
    },
    primaryKey: ['domain'],
    indexes: { site: ['site_nid'] },
  },
  hosting_client: {
    description: 'Clients: one row per client node.',
    columns: {
      nid: { type: 'integer' },
      name: { type: 'string', length: 255 },
      mail: { type: 'string', length: 254, nullable: true },
    },
    primaryKey: ['nid'],
    indexes: { name: ['name'] },
  },
  hosting_client_user: {
    description: 'Users granted a client: they see and act on its sites.',
    columns: {
      client_nid: { type: 'integer' },
      uid: { type: 'integer' },
    },
    primaryKey: ['client_nid', 'uid'],
    indexes: { uid: ['uid'] },
  },
  hosting_client_platform: {
    description: 'Platforms a client is limited to: its sites may be created on, cloned and migrated to these only. No row: every platform.',
    columns: {
      client_nid: { type: 'integer' },
      platform_nid: { type: 'integer' },
    },
    primaryKey: ['client_nid', 'platform_nid'],
    indexes: { platform: ['platform_nid'] },
  },
  hosting_package: {
    description: 'Modules and profiles found on platforms, once each (the row of a package node).',
    columns: {
      nid: { type: 'integer' },
      name: { type: 'string', length: 64 },
      type: { type: 'string', length: 16, description: 'module or profile' },
      title: { type: 'string', length: 255, nullable: true },
    },
    primaryKey: ['nid'],
    unique: { name_type: ['name', 'type'] },
  },
  hosting_package_instance: {
    description: 'Where a package is installed (a platform) and in which version.',
    columns: {
      package_nid: { type: 'integer' },
      platform_nid: { type: 'integer' },
      version: { type: 'string', length: 64, nullable: true },
      version_origin: { type: 'string', length: 16, nullable: true, description: 'Where the version came from: manifest (module.json), vcs (git, through vcs_deploy)' },
      origin: { type: 'string', length: 32, nullable: true, description: 'Where the platform has it: core (modules/), sites/all, profile' },
    },
    primaryKey: ['package_nid', 'platform_nid'],
    indexes: { platform: ['platform_nid'] },
  },
  hosting_site_package: {
    description: 'The modules and profile a site has enabled, with their versions, as its last verify or install listed them (what a migrate compares with its target platform).',
    columns: {
      site_nid: { type: 'integer' },
      package_nid: { type: 'integer' },
      version: { type: 'string', length: 64, nullable: true, description: 'NULL: unknown' },
      version_origin: { type: 'string', length: 16, nullable: true, description: 'manifest, vcs' },
      origin: { type: 'string', length: 16, description: 'Where the site has it: core (modules/), profile, sites/all, site (its own folder, which moves with it)' },
    },
    primaryKey: ['site_nid', 'package_nid'],
    indexes: { package: ['package_nid'] },
  },
  hosting_backup: {
    description: 'Backups of sites, as their backup tasks reported them.',
    columns: {
      bid: { type: 'serial' },
      site_nid: { type: 'integer' },
      file: { type: 'string', length: 1000, description: 'The archive on the site\'s server' },
      bytes: { type: 'bigint', default: 0 },
      description: { type: 'string', length: 255, default: '' },
      created: { type: 'bigint', description: 'ms since the epoch' },
      task_nid: { type: 'integer', nullable: true, description: 'The task that made it' },
    },
    indexes: { site: ['site_nid', 'created'] },
  },
  hosting_context: {
    description: 'What the front end last wrote to each provision context (a hash of the provision-save options), so that an unchanged context is not written again before every task.',
    columns: {
      name: { type: 'string', length: 253 },
      hash: { type: 'string', length: 64 },
      saved_at: { type: 'bigint' },
    },
    primaryKey: ['name'],
  },
};
