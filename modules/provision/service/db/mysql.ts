import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { openServer } from '../../../../core/database/connect.js';
import { AegirError, describe } from '../../../../core/errors/aegir-error.js';
import type { DbService, ServiceEnv, SiteDatabase } from '../types.js';

/** Secret key of a db server's admin password. */
export function adminSecretKey(server: string): string {
  return `${server}.db-admin`;
}

function admin(env: ServiceEnv) {
  const password = env.secrets.get(adminSecretKey(env.server.name));
  if (password === undefined) {
    throw new AegirError('ERR_SERVICE_FAILED', { service: 'db', server: env.server.name, problem: `no admin password stored; save it with "aegir @${env.server.name} provision-save --db-admin-pass-file=..."` });
  }
  const host = typeof env.config.host === 'string' ? env.config.host : env.server.host === 'localhost' ? '127.0.0.1' : env.server.host;
  const port = typeof env.config.port === 'number' ? env.config.port : 3306;
  const user = typeof env.config.adminUser === 'string' ? env.config.adminUser : 'aegir_root';
  return { host, port, user, password };
}

async function withAdmin<T>(env: ServiceEnv, fn: (db: Knex) => Promise<T>): Promise<T> {
  const a = admin(env);
  let db: Knex;
  try {
    db = await openServer({ driver: 'mysql', ...a, database: '' });
  } catch (e) {
    throw new AegirError('ERR_SERVICE_FAILED', { service: 'db', server: env.server.name, problem: describe(e) }, { cause: e });
  }
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Hosts a site's database user may connect from: the app server (both names for a local one). */
function userHosts(appHost: string): string[] {
  return appHost === 'localhost' || appHost === '127.0.0.1' ? ['localhost', '127.0.0.1'] : [appHost];
}

/** A database or user name from a domain: letters, digits and "_", unique by a random suffix. */
function nameFor(domain: string, max: number): string {
  const base = domain.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, max - 7) || 'site';
  return `${base}_${randomBytes(3).toString('hex')}`;
}

/**
 * MySQL or MariaDB through an admin account of the db server (password in
 * the back end's secrets). Each site gets its own database and user with a
 * CSPRNG password, granted only on its database, from the app server's hosts.
 */
export const mysqlDb: DbService = {
  kind: 'db',
  type: 'mysql',
  async verify(env) {
    return withAdmin(env, async (db) => {
      const [[row]] = await db.raw('SELECT VERSION() AS v');
      const [[grant]] = await db.raw('SHOW GRANTS FOR CURRENT_USER()');
      const text = String(Object.values(grant as object)[0]);
      if (!/ALL PRIVILEGES ON \*\.\*/.test(text) || !/WITH GRANT OPTION/.test(text)) {
        throw new AegirError('ERR_SERVICE_FAILED', { service: 'db', server: env.server.name, problem: 'the admin account needs ALL PRIVILEGES ON *.* WITH GRANT OPTION' });
      }
      return `MySQL/MariaDB ${(row as { v: string }).v} at ${admin(env).host}:${admin(env).port}`;
    });
  },
  plan(env, site) {
    const a = admin(env);
    return { driver: 'mysql', host: a.host, port: a.port, database: nameFor(site.name, 64), user: nameFor(site.name, 32), password: randomBytes(24).toString('base64url') };
  },
  async create(env, plan, appHost) {
    if (plan.driver !== 'mysql') return;
    await withAdmin(env, async (db) => {
      await db.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [plan.database]);
      for (const host of userHosts(appHost)) {
        await db.raw('CREATE USER ?@? IDENTIFIED BY ?', [plan.user, host, plan.password]);
        await db.raw('GRANT ALL PRIVILEGES ON ??.* TO ?@?', [plan.database, plan.user, host]);
      }
    });
  },
  async drop(env, plan, appHost) {
    if (plan.driver !== 'mysql') return false;
    return withAdmin(env, async (db) => {
      const [users] = await db.raw('SELECT Host FROM mysql.user WHERE User = ?', [plan.user]);
      const [schemas] = await db.raw('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [plan.database]);
      // Every host the user has, not only the ones asked for: a user made for another app host must not outlive its site.
      for (const host of new Set([...userHosts(appHost), ...(users as { Host: string }[]).map((u) => u.Host)])) await db.raw('DROP USER IF EXISTS ?@?', [plan.user, host]);
      await db.raw('DROP DATABASE IF EXISTS ??', [plan.database]);
      return (users as unknown[]).length > 0 || (schemas as unknown[]).length > 0;
    });
  },
  async dedicated(env, plan) {
    if (plan.driver !== 'mysql') return true;
    return withAdmin(env, async (db) => {
      const [users] = await db.raw('SELECT Host FROM mysql.user WHERE User = ?', [plan.user]);
      if (!(users as unknown[]).length) return false;
      for (const { Host } of users as { Host: string }[]) {
        const [grants] = await db.raw('SHOW GRANTS FOR ?@?', [plan.user, Host]);
        for (const g of grants as Record<string, string>[]) {
          const line = String(Object.values(g)[0]);
          const on = /^GRANT .+? ON (.+?) TO /.exec(line)?.[1];
          // Only USAGE on everything (no rights) and rights on this one database.
          if (on === '*.*' && /^GRANT USAGE ON /.test(line)) continue;
          if (on && on.replace(/\\/g, '') === `\`${plan.database}\`.*`) continue;
          return false;
        }
      }
      return true;
    });
  },
  async exists(env, plan: SiteDatabase) {
    if (plan.driver !== 'mysql') return false;
    return withAdmin(env, async (db) => (await db.raw('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [plan.database]))[0].length > 0);
  },
};
