/**
 * A small hosting setup for the backup tests: a temp Aegir home, a server
 * context (builtin proxy on a free port, SQLite or the test MariaDB, builtin
 * app service), a platform made with makeCodebase (bin linked in) and one
 * installed site, all through the real provision commands run in process.
 * Snapshots of a site (rows of every table, checksums of its files) tell
 * whether a task left it exactly as it was.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, lstatSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../../../core/database/connect.js';
import { Kernel } from '../../../../core/kernel/kernel.js';
import { orderModules, withDependencies } from '../../../../core/modules/graph.js';
import { readSettings } from '../../../../core/settings/settings.js';
import { LocalExecutor } from '../../../../modules/provision/executor/local.js';
import type { Executor } from '../../../../modules/provision/executor/types.js';
import { stopByPidFile } from '../../../../modules/provision/service/app/builtin.js';
import { getWithHost } from '../../../../modules/provision/tasks/checks.js';
import type { TaskOptions } from '../../../../modules/provision/runner/context.js';
import { invokeTask, type TaskOutcome } from '../../../../modules/provision/runner/invoke.js';
import { openSiteTask, type ExecutorFactory } from '../../../../modules/provision/runner/open.js';
import { TaskSupervisor } from '../../../../modules/provision/runner/supervisor.js';
import type { SiteTaskContext } from '../../../../modules/provision/tasks/site-context.js';
import { makeCodebase, REPO, type Driver, type TestCodebase } from '../../../harness/codebase.js';
import { mariadb } from '../../../harness/mariadb.js';
import { cli, show, type CliRun } from '../../../cli/run-helper.js';
import { freePort } from '../../../harness/ports.js';
export { freePort } from '../../../harness/ports.js';

/** One hosting setup with an installed site. */
export interface Hosting {
  readonly driver: Driver;
  readonly home: string;
  readonly tc: TestCodebase;
  readonly site: string;
  readonly siteDir: string;
  readonly port: number;
  /** Run a command line in process, with this home (and extra environment). */
  run(argv: readonly string[], env?: Readonly<Record<string, string>>): Promise<CliRun>;
  /** The site's task context (for calling task functions directly), optionally with other executors. */
  task(executors?: ExecutorFactory): Promise<SiteTaskContext>;
  /** Run a task on the site in this process (invokeTask), optionally with other executors. */
  invoke(task: string, options?: TaskOptions, executors?: ExecutorFactory): Promise<TaskOutcome>;
  /** Stop the proxy and app processes and remove everything. */
  stop(): Promise<void>;
}

/** The kernel of the back end of a test codebase (its required and global modules), as bin/aegir builds it. */
export async function backendKernel(tc: TestCodebase): Promise<Kernel> {
  const catalog = tc.codebase.modules(undefined, undefined);
  const wanted = [...catalog.values()].filter((m) => (m.manifest.required || m.manifest.global) && m.manifest.type === 'module').map((m) => m.manifest.name);
  return Kernel.create(await tc.codebase.load(catalog, orderModules(catalog, withDependencies(catalog, wanted))));
}

/** Save a server, platform and site, verify the server and install the site; the caller stops it. */
export async function startHosting(driver: Driver, site = 'b.test'): Promise<Hosting> {
  const home = mkdtempSync(join(tmpdir(), 'aegir-home-'));
  const tc = makeCodebase({ fixtures: false });
  symlinkSync(join(REPO, 'bin'), join(tc.root, 'bin'));
  const port = await freePort();
  const run = (argv: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> =>
    cli(tc.root, argv, { env: { HOME: home, AEGIR_HOME: home, ...env } });
  const must = async (argv: readonly string[], stdin?: string): Promise<void> => {
    const r = stdin === undefined ? await run(argv) : await cli(tc.root, argv, { env: { HOME: home, AEGIR_HOME: home }, stdin });
    expect(r.code, show(r)).to.equal(0);
  };
  const kernel = await backendKernel(tc);
  const hosting: Hosting = {
    driver, home, tc, site, siteDir: join(tc.root, 'sites', site), port, run,
    task: (executors) => openSiteTask({ kernel, home, name: site, logger: tc.logger, aegirBin: join(tc.root, 'bin', 'aegir'), supervisor: new TaskSupervisor(), ...(executors ? { executors } : {}) }),
    invoke: (task, options = {}, executors) => invokeTask({
      kernel, home, context: site, task, options, logger: tc.logger, aegirBin: join(tc.root, 'bin', 'aegir'), noSignals: true, ...(executors ? { executors } : {}),
    }),
    async stop() {
      for (const f of ['proxy.pid', 'platform_t.pid']) await stopByPidFile(join(home, 'run', f), 5000).catch(() => undefined);
      tc.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };
  try {
    if (driver === 'sqlite') {
      await must(['provision-save', '@server_t', '--context-type=server', '--host=localhost', '--http=builtin', `--http-settings=port=${port}`, '--db=sqlite', '--app=builtin']);
    } else {
      const a = (await mariadb()).admin;
      await must(['provision-save', '@server_t', '--context-type=server', '--host=localhost', '--http=builtin', `--http-settings=port=${port}`,
        '--db=mysql', `--db-settings=host=${a.host},port=${a.port},adminUser=${a.user}`, '--db-admin-pass-file=-', '--app=builtin'], a.password);
    }
    await must(['@server_t', 'provision-verify']);
    await must(['provision-save', '@platform_t', '--context-type=platform', '--server=@server_t', `--platform-root=${tc.root}`]);
    await must(['provision-save', `@${site}`, '--context-type=site', '--platform=@platform_t', '--db-server=@server_t', '--profile=standard']);
    await must([`@${site}`, 'provision-install']);
  } catch (e) {
    await hosting.stop();
    throw e;
  }
  return hosting;
}

/** A connection to the site's own database (close it with destroy()). */
export async function siteDb(h: Hosting): Promise<Knex> {
  return openDatabase(readSettings(h.siteDir)!.database, h.siteDir);
}

/** Rows of every table of the site's database, each table's rows sorted, for comparing states. */
export async function rows(h: Hosting): Promise<Record<string, string[]>> {
  const db = await siteDb(h);
  try {
    const names: string[] = h.driver === 'sqlite'
      ? (await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map((r: { name: string }) => r.name)
      : (await db.raw('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'))[0].map((r: { name: string }) => r.name);
    const out: Record<string, string[]> = {};
    for (const t of names.sort()) out[t] = (await db(t).select('*')).map((r: Record<string, unknown>) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).sort();
    return out;
  } finally {
    await db.destroy();
  }
}

/** sha256 (or link target) of every file under the site folder, without the live SQLite files. */
export function files(h: Hosting): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(h.siteDir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (/^private\/site\.sqlite/.test(path)) continue;
      const full = join(h.siteDir, path);
      const st = lstatSync(full);
      if (st.isDirectory()) { out[`${path}/`] = (st.mode & 0o777).toString(8); walk(path); }
      else if (st.isSymbolicLink()) out[path] = `-> ${readlinkSync(full)}`;
      else out[path] = `${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk('');
  return out;
}

/** Whether the site answers 200 through the proxy. */
export async function servedStatus(h: Hosting): Promise<number> {
  return (await getWithHost('127.0.0.1', h.port, h.site)).status;
}

/** Everything that says what the site is: rows, files and that it is served. */
export async function snapshot(h: Hosting): Promise<{ rows: Record<string, string[]>; files: Record<string, string>; status: number }> {
  return { rows: await rows(h), files: files(h), status: await servedStatus(h) };
}

/** An executor that reports `free` bytes free everywhere (a full disk without filling one). */
export class FreeSpaceLie implements Executor {
  readonly local = true;
  private readonly inner: LocalExecutor;
  constructor(readonly server: string, private readonly free: number) { this.inner = new LocalExecutor(server); }
  run: Executor['run'] = (argv, opts) => this.inner.run(argv, opts);
  readFile: Executor['readFile'] = (p) => this.inner.readFile(p);
  writeFile: Executor['writeFile'] = (p, d, m) => this.inner.writeFile(p, d, m);
  mkdir: Executor['mkdir'] = (p, m) => this.inner.mkdir(p, m);
  remove: Executor['remove'] = (p) => this.inner.remove(p);
  exists: Executor['exists'] = (p) => this.inner.exists(p);
  rename: Executor['rename'] = (a, b) => this.inner.rename(a, b);
  list: Executor['list'] = (p) => this.inner.list(p);
  freeBytes = async (): Promise<number> => this.free;
  close = async (): Promise<void> => undefined;
}
