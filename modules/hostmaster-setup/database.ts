import { randomBytes } from 'node:crypto';
import type { DatabaseSettings, MysqlSettings } from '../../core/database/db-url.js';
import { openServer } from '../../core/database/connect.js';
import type { HostmasterAnswers } from './answers.js';

/** The hostmaster's database and how to take it back. */
export interface HostmasterDatabase {
  readonly settings: DatabaseSettings;
  /** Drop what `hostmasterDatabase` made (nothing for SQLite). */
  drop(): Promise<void>;
}

/** Hosts the hostmaster's database user connects from: its app process runs on this machine. */
const HOSTS = ['localhost', '127.0.0.1'];

/**
 * Where the hostmaster site keeps its data. On SQLite, a file in its
 * private folder. On MySQL/MariaDB, as the back end does for every site: a
 * database of its own and a user granted only on it, with a random
 * password, made with the admin account answered (whose password is never
 * written to the hostmaster's settings); so the hostmaster's site is a
 * site of its server like any other, imported and backed up as one.
 */
export async function hostmasterDatabase(a: HostmasterAnswers): Promise<HostmasterDatabase> {
  if (a.db !== 'mysql') return { settings: { driver: 'sqlite', file: 'private/site.sqlite' }, drop: async () => undefined };
  const name = `hostmaster_${randomBytes(3).toString('hex')}`;
  const adminSettings: MysqlSettings = { driver: 'mysql', host: a.dbHost, port: a.dbPort, user: a.dbAdminUser, password: a.dbAdminPass, database: '' };
  const withAdmin = async (fn: (db: Awaited<ReturnType<typeof openServer>>) => Promise<void>): Promise<void> => {
    const db = await openServer(adminSettings);
    try { await fn(db); } finally { await db.destroy(); }
  };
  const drop = (): Promise<void> => withAdmin(async (db) => {
    for (const host of HOSTS) await db.raw('DROP USER IF EXISTS ?@?', [name, host]);
    await db.raw('DROP DATABASE IF EXISTS ??', [name]);
  });
  const password = randomBytes(24).toString('base64url');
  try {
    await withAdmin(async (db) => {
      await db.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
      for (const host of HOSTS) {
        await db.raw('CREATE USER ?@? IDENTIFIED BY ?', [name, host, password]);
        await db.raw('GRANT ALL PRIVILEGES ON ??.* TO ?@?', [name, name, host]);
      }
    });
  } catch (e) {
    await drop().catch(() => undefined);
    throw e;
  }
  return { settings: { driver: 'mysql', host: a.dbHost, port: a.dbPort, user: name, password, database: name }, drop };
}
