import type { NodeTypeDefinition } from '../../node/types.js';

const CONTEXT_HINT = 'Lower case letters, digits and "_"; the back end knows it by this name.';

/**
 * The node types of the hosting objects. Their values are copied into the
 * objects' own tables in the node's transaction (sync.ts); what the back
 * end reports (status, verify times) lives only in the tables.
 */
export const objectNodeTypes: readonly NodeTypeDefinition[] = [
  {
    type: 'server',
    label: 'Server',
    description: 'A machine that runs services for sites: a web server, a database server, the app processes.',
    titleLabel: 'Name',
    fields: {
      context: { type: 'text', label: 'Machine name', maxLength: 60, required: true, description: `server_<name>. ${CONTEXT_HINT}` },
      host: { type: 'text', label: 'Host', maxLength: 253, required: true, description: 'localhost for this machine; otherwise a host name reached over SSH.' },
      ssh_user: { type: 'text', label: 'SSH user', maxLength: 32 },
      ssh_port: { type: 'number', label: 'SSH port', integer: true, min: 1, max: 65535 },
      http: { type: 'text', label: 'Web server', maxLength: 32, description: 'builtin, nginx or apache (empty: none).' },
      http_settings: { type: 'text', label: 'Web server settings', maxLength: 1000, description: 'k=v,k=v (port, confDir, ...).' },
      db: { type: 'text', label: 'Database service', maxLength: 32, description: 'sqlite or mysql (empty: none).' },
      db_settings: { type: 'text', label: 'Database settings', maxLength: 1000, description: 'k=v,k=v (host, port, adminUser).' },
      app: { type: 'text', label: 'App service', maxLength: 32, description: 'builtin or supervisord (empty: none).' },
      app_settings: { type: 'text', label: 'App settings', maxLength: 1000, description: 'k=v,k=v (runDir).' },
    },
  },
  {
    type: 'platform',
    label: 'Platform',
    description: 'A codebase of the framework on a server, from a folder or built from git; its sites run on it.',
    titleLabel: 'Name',
    fields: {
      context: { type: 'text', label: 'Machine name', maxLength: 60, required: true, description: `platform_<name>. ${CONTEXT_HINT}` },
      server: { type: 'reference', label: 'Server', target: 'server', required: true },
      root: { type: 'text', label: 'Path', maxLength: 1000, required: true, description: 'The absolute path of the codebase on its server.' },
      git_url: { type: 'text', label: 'Git repository', maxLength: 1000, description: 'Built from this repository when the path does not exist yet.' },
      git_ref: { type: 'text', label: 'Git branch, tag or commit', maxLength: 200 },
      locked: { type: 'checkbox', label: 'Locked: no new sites on it' },
    },
  },
  {
    type: 'site',
    label: 'Site',
    description: 'A web site: its domain, its platform and database server, its install profile.',
    titleLabel: 'Domain',
    fields: {
      aliases: { type: 'textarea', label: 'Aliases', maxLength: 10_000, rows: 3, description: 'Other domains of the site, one per line.' },
      redirection: { type: 'checkbox', label: 'Aliases redirect to the domain' },
      platform: { type: 'reference', label: 'Platform', target: 'platform', required: true },
      db_server: { type: 'reference', label: 'Database server', target: 'server', description: 'Empty: the platform\'s server.' },
      profile: { type: 'text', label: 'Install profile', maxLength: 64, required: true },
      client: { type: 'reference', label: 'Client', target: 'client' },
    },
  },
  {
    type: 'client',
    label: 'Client',
    description: 'Who sites are for: a customer, a department. Users granted a client see its sites.',
    titleLabel: 'Name',
    fields: {
      mail: { type: 'email', label: 'Contact e-mail' },
    },
  },
];
