import type { DbService } from '../types.js';

/**
 * The embedded default: a site's SQLite database is a file in the site's own
 * private folder, made by the platform's site-install and removed with the
 * folder. Nothing to create or drop on a server.
 */
export const sqliteDb: DbService = {
  kind: 'db',
  type: 'sqlite',
  async verify() {
    return 'SQLite: each site keeps its database in its own private folder.';
  },
  plan: () => ({ driver: 'sqlite' }),
  async create() { /* the platform's site-install creates the file */ },
  async drop() { return false; /* removed with the site folder */ },
  async exists() { return false; },
};
