import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MysqlSettings } from '../../core/database/db-url.js';
import { openServer } from '../../core/database/connect.js';
import { runProgram } from '../../core/util/exec.js';
import { freePort } from './ports.js';

/** A MariaDB server for tests: an admin account over TCP on loopback. */
export interface TestMariaDb {
  /** Admin settings without a database (add one per test). */
  readonly admin: Omit<MysqlSettings, 'database'>;
  /** Settings for a new, unique database name (not created). */
  database(prefix?: string): MysqlSettings;
  /** Database names that exist on the server now. */
  databases(): Promise<string[]>;
  /** Tables of a database. */
  tables(database: string): Promise<string[]>;
  stop(): Promise<void>;
}

let running: Promise<TestMariaDb> | undefined;

/**
 * The MariaDB of this test run, started on first use: a fresh data folder
 * under /tmp, loopback only, a random port. $AEGIR_TEST_MYSQL (a
 * mysql://admin:pass@host:port URL with rights to create databases and
 * users) points the tests at an existing server instead. Without either, it
 * fails and says what to install: MySQL tests never skip silently.
 */
export function mariadb(): Promise<TestMariaDb> {
  running ??= start();
  return running;
}

/** Stop the server if this run started one. */
export async function stopMariadb(): Promise<void> {
  if (!running) return;
  const db = await running.catch(() => undefined);
  running = undefined;
  await db?.stop();
}

async function start(): Promise<TestMariaDb> {
  const external = process.env.AEGIR_TEST_MYSQL;
  if (external) {
    const u = new URL(external);
    return handle({ driver: 'mysql', host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }, async () => undefined);
  }
  const mariadbd = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((p) => existsSync(p));
  if (!mariadbd) throw new Error('MariaDB is not installed: apt-get install mariadb-server mariadb-client (see .ci/run), or set AEGIR_TEST_MYSQL.');
  const dir = mkdtempSync(join(tmpdir(), 'aegir-mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  // As root the server runs as the mysql user, who must own its folder.
  if (process.getuid?.() === 0) await runProgram('chown', ['mysql:mysql', dir]);
  await runProgram('mariadb-install-db', [
    '--no-defaults', ...(process.getuid?.() === 0 ? ['--user=mysql'] : []), `--datadir=${data}`, '--auth-root-authentication-method=socket', '--skip-test-db',
  ], { timeoutMs: 60_000 });
  const port = await freePort();
  const child: ChildProcess = spawn(mariadbd, [
    '--no-defaults', ...(process.getuid?.() === 0 ? ['--user=mysql'] : []), `--datadir=${data}`, `--socket=${socket}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`, '--bind-address=127.0.0.1', `--port=${port}`, '--skip-name-resolve',
    '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--innodb-flush-log-at-trx-commit=2', `--log-error=${join(dir, 'error.log')}`,
  ], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await runProgram('mariadb-admin', ['--no-defaults', '--host=localhost', `--socket=${socket}`, '--user=root', 'ping'], { timeoutMs: 5000 });
      break;
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`MariaDB did not start (see ${join(dir, 'error.log')}): ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const password = randomBytes(12).toString('base64url');
  await runProgram('mariadb', ['--no-defaults', '--host=localhost', `--socket=${socket}`, '--user=root'], {
    input: `CREATE USER 'aegir_admin'@'127.0.0.1' IDENTIFIED BY '${password}';\nGRANT ALL PRIVILEGES ON *.* TO 'aegir_admin'@'127.0.0.1' WITH GRANT OPTION;\nFLUSH PRIVILEGES;\n`,
  });
  return handle({ driver: 'mysql', host: '127.0.0.1', port, user: 'aegir_admin', password }, async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });
}

function handle(admin: Omit<MysqlSettings, 'database'>, stop: () => Promise<void>): TestMariaDb {
  const query = async (sql: string, bindings: string[] = []): Promise<Record<string, string>[]> => {
    const s = await openServer({ ...admin, database: '' });
    try {
      return (await s.raw(sql, bindings))[0];
    } finally {
      await s.destroy();
    }
  };
  return {
    admin,
    database: (prefix = 't') => ({ ...admin, database: `${prefix}_${randomBytes(5).toString('hex')}` }),
    databases: async () => (await query('SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA')).map((r) => r.n!),
    tables: async (database) => (await query('SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database])).map((r) => r.n!),
    stop,
  };
}

