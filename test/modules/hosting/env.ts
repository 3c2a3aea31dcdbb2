/**
 * A hostmaster for hosting tests: the provision back end of
 * test/modules/provision/env.ts, a hostmaster site with the hosting module
 * on its codebase (its database on the driver under test), booted here,
 * and helpers to make its objects and follow its tasks.
 */
import { expect } from 'chai';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, memorySink, type LogEntry } from '../../../core/logger/logger.js';
import { bootSite, type Site } from '../../../core/site/site.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { Dispatcher } from '../../../modules/hosting/queue/dispatcher.js';
import { TaskQueue } from '../../../modules/hosting/queue/store.js';
import { bridgeRunner } from '../../../modules/hosting/tasks/bridge-runner.js';
import { saveNode } from '../../../modules/node/storage.js';
import { cli, show } from '../../cli/run-helper.js';
import { REPO, type Driver } from '../../harness/codebase.js';
import { mariadb } from '../../harness/mariadb.js';
import { provisionEnv, type ProvisionEnv } from '../provision/env.js';

/** A hostmaster and its back end. */
export interface HostmasterEnv {
  readonly pe: ProvisionEnv;
  readonly site: Site;
  readonly logs: LogEntry[];
  /** A dispatcher in this process, on the hostmaster's database (the caller starts and stops it). */
  dispatcher(limits?: { global: number; perServer: number }): Dispatcher;
  /** Wait for a task to end; its status. */
  ended(task: number, ms?: number): Promise<string>;
  /** The log of a task's current run. */
  logOf(task: number): Promise<string>;
  /** The newest task of an object. */
  lastTask(object: number): Promise<number>;
  /** Make the server node of the back end's server_master (its verify is queued). */
  addServer(): Promise<number>;
  /** Make a platform node (its verify is queued). */
  addPlatform(server: number, context: string, root: string): Promise<number>;
  stop(): Promise<void>;
}

export const until = async (check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

export async function hostmasterEnv(driver: Driver, opts: {
  /** Contrib modules of this repository's sites/all/modules to link into the hostmaster's codebase and enable. */
  contrib?: readonly string[];
} = {}): Promise<HostmasterEnv> {
  const pe = await provisionEnv(driver);
  for (const m of opts.contrib ?? []) symlinkSync(join(REPO, 'sites', 'all', 'modules', m), join(pe.backend.root, 'sites', 'all', 'modules', m));
  const db = driver === 'mysql' ? (await mariadb()).database('hostmaster') : undefined;
  const install = await cli(pe.backend.root, ['site-install', 'standard', '--uri=hostmaster.test', '-q',
    ...(db ? [`--db-url=mysql://${encodeURIComponent(db.user)}@${db.host}:${db.port}/${db.database}`, '--db-pass-file=-'] : [])],
  { env: { ...process.env, AEGIR_HOME: pe.home }, ...(db ? { stdin: db.password } : {}) });
  expect(install.code, show(install)).to.equal(0);
  const enable = await pe.aegir(['--uri=hostmaster.test', 'pm-enable', 'hosting', 'hosting_clone', 'hosting_migrate', 'hosting_cron', 'hosting_backup_queue', ...(opts.contrib ?? []), '-y', '-q']);
  expect(enable.code, show(enable)).to.equal(0);
  const logs: LogEntry[] = [];
  const site = await bootSite(pe.backend.codebase, 'hostmaster.test', new Logger(memorySink(logs), 'debug'));
  // Periodic site cron off: a daemon's cron tasks would otherwise run beside the tests (a test that wants them sets the interval).
  await site.config.set('hosting.cron_interval', 0);
  const queue = new TaskQueue(site.db);
  const statusOf = async (nid: number): Promise<string | undefined> => (await queue.get(nid))?.status;
  const env: HostmasterEnv = {
    pe, site, logs,
    dispatcher: (limits = { global: 4, perServer: 2 }) => new Dispatcher({
      db: site.db, runner: bridgeRunner({ site, aegirBin: join(pe.backend.root, 'bin', 'aegir'), home: pe.home }), limits, logger: site.logger, heartbeatMs: 500, pollMs: 50,
    }),
    async ended(task, ms = 120_000) {
      await until(async () => ['success', 'warning', 'error', 'cancelled'].includes((await statusOf(task)) ?? ''), ms);
      return (await statusOf(task))!;
    },
    async logOf(task) {
      const t = await queue.get(task);
      if (!t?.runId) return '';
      return ((await site.db('hosting_task_log').where({ rid: t.runId }).orderBy('lid')) as { message: string }[]).map((l) => l.message).join('\n');
    },
    async lastTask(object) {
      return Number(((await site.db('hosting_task').where({ object_nid: object }).orderBy('nid', 'desc').first('nid')) as { nid: number }).nid);
    },
    async addServer() {
      const server = JSON.parse(readFileSync(join(pe.home, 'contexts', 'server_master.json'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
      const settings = (k: string): string => Object.entries(server.services[k] ?? {}).filter(([n]) => n !== 'type').map(([n, v]) => `${n}=${String(v)}`).join(',');
      return (await saveNode(site, { type: 'server', title: 'Master', fields: {
        context: 'server_master', host: 'localhost', http: String(server.services.http!.type), http_settings: settings('http'), db: String(server.services.db!.type), db_settings: settings('db'),
        app: 'builtin', app_settings: settings('app'),
      } }, { account: CONSOLE_ACCOUNT })).nid;
    },
    async addPlatform(serverNid, context, root) {
      return (await saveNode(site, { type: 'platform', title: context, fields: { context, server: serverNid, root } }, { account: CONSOLE_ACCOUNT })).nid;
    },
    async stop() {
      await site.close();
      await pe.stop();
    },
  };
  return env;
}
