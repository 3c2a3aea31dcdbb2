import type { Knex } from 'knex';
import { openServer } from '../../core/database/connect.js';
import { describe } from '../../core/errors/aegir-error.js';
import { isEmail } from '../../core/forms/process.js';
import { isHostName } from '../../core/settings/uri.js';
import type { Codebase } from '../../core/site/codebase.js';
import { folderProblem, portProblem, type WebServer } from './detect.js';

/** What installing the hostmaster needs to know; everything else is detected or defaulted. */
export interface HostmasterAnswers {
  /** The hostmaster's own address (its folder under sites/): `localhost` by default. */
  readonly uri: string;
  /** The web server in front of every site of this machine. */
  readonly http: WebServer;
  /** The port it listens on (builtin: 8888 by default; nginx and Apache: 80). */
  readonly httpPort: number;
  /** More settings of the web server (nginx and Apache: confDir, binary, ...), as provision-save takes them. */
  readonly httpSettings: Readonly<Record<string, string | number>>;
  /** The database service of this machine: SQLite files (default) or a MySQL/MariaDB server. */
  readonly db: 'sqlite' | 'mysql';
  /** MySQL/MariaDB: where the server is and its admin account (a user that may create databases and users). */
  readonly dbHost: string;
  readonly dbPort: number;
  readonly dbAdminUser: string;
  /** Its password: kept by the back end as a secret (0600), never stored by the hostmaster nor put on a command line. */
  readonly dbAdminPass: string;
  /** The first administrator. */
  readonly accountName: string;
  readonly accountMail: string;
  /** The back end's home (contexts, secrets, backups, run files). */
  readonly home: string;
}

/** The answers nobody gave: the embedded defaults. */
export function defaultAnswers(home: string): HostmasterAnswers {
  return {
    uri: 'localhost', http: 'builtin', httpPort: 8888, httpSettings: {}, db: 'sqlite', dbHost: '127.0.0.1', dbPort: 3306, dbAdminUser: 'root', dbAdminPass: '',
    accountName: 'admin', accountMail: 'admin@localhost.localdomain', home,
  };
}

/** Problems with the answers, by field name ('' for the whole install); empty when they can be used. */
export type AnswerProblems = Record<string, string>;

/**
 * Check the answers before anything is made: the address, a free port
 * (unless it is `ownPort`, the one the wizard itself listens on and will
 * hand over), a writable home, a reachable MySQL server with that admin
 * account, an account name and mail. A second hostmaster in a codebase
 * that has one is refused by the caller (ERR_HOSTMASTER_INSTALLED).
 */
export async function checkAnswers(a: HostmasterAnswers, codebase: Codebase, opts: { ownPort?: number } = {}): Promise<AnswerProblems> {
  const p: AnswerProblems = {};
  if (!isHostName(a.uri)) p.uri = `"${a.uri}" is not a host name: use letters, digits, "-" and dots (localhost, hostmaster.example.com).`;
  else if (codebase.hasSettings(a.uri)) p.uri = `A site is installed at sites/${a.uri} already: choose another address, or remove that site first.`;
  if (!Number.isInteger(a.httpPort) || a.httpPort < 1 || a.httpPort > 65535) p.http_port = 'Give a port from 1 to 65535.';
  else if (a.httpPort !== opts.ownPort) {
    const busy = await portProblem(a.httpPort);
    if (busy) p.http_port = `The web server cannot listen there: ${busy}. Stop that program or choose another port.`;
  }
  const home = folderProblem(a.home);
  if (home) p.home = `${home}: give a folder this user may write (AEGIR_HOME).`;
  if (!/^[A-Za-z0-9 ._@-]{1,60}$/.test(a.accountName)) p.account_name = 'Letters, digits, spaces and . _ @ - only, at most 60.';
  if (!isEmail(a.accountMail)) p.account_mail = 'Give an e-mail address.';
  if (a.db === 'mysql') {
    if (!isHostName(a.dbHost) && !/^[0-9.]+$|^[0-9a-fA-F:]+$/.test(a.dbHost)) p.db_host = 'Give a host name or an IP address.';
    if (!Number.isInteger(a.dbPort) || a.dbPort < 1 || a.dbPort > 65535) p.db_port = 'Give a port from 1 to 65535.';
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(a.dbAdminUser)) p.db_admin_user = 'Letters, digits and _ . - only, at most 32.';
    if (!p.db_host && !p.db_port && !p.db_admin_user) {
      const problem = await mysqlProblem(a);
      if (problem) p[problem.field] = problem.message;
    }
  }
  return p;
}

/** Whether the MySQL admin account works: it connects and may create databases and users. */
async function mysqlProblem(a: HostmasterAnswers): Promise<{ field: string; message: string } | undefined> {
  let db: Knex | undefined;
  try {
    db = await openServer({ driver: 'mysql', host: a.dbHost, port: a.dbPort, user: a.dbAdminUser, password: a.dbAdminPass, database: '' });
    const [rows] = (await db.raw('SHOW GRANTS')) as [Record<string, string>[]];
    const grants = rows.map((r) => Object.values(r)[0] ?? '').join('\n');
    if (!/ALL PRIVILEGES ON \*\.\*/i.test(grants) || !/WITH GRANT OPTION/i.test(grants)) {
      return { field: 'db_admin_user', message: `${a.dbAdminUser} may not create databases and users for sites (it needs ALL PRIVILEGES ON *.* WITH GRANT OPTION).` };
    }
    return undefined;
  } catch (e) {
    const text = describe(e);
    if (/access denied/i.test(text)) return { field: 'db_admin_pass', message: `MySQL refused ${a.dbAdminUser} with this password: check it.` };
    return { field: 'db_host', message: `No MySQL server answers at ${a.dbHost}:${a.dbPort} (${text}).` };
  } finally {
    await db?.destroy().catch(() => undefined);
  }
}
