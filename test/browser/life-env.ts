/**
 * What the whole-life test of a site stands on: a hostmaster installed by
 * `aegir hostmaster-install` on a clean codebase and home, then served by
 * `aegir hostmaster-start` (as the README has a user do), on one of two
 * stacks: the embedded defaults (the built-in proxy, SQLite) or nginx and
 * MariaDB (the test run's MariaDB as the server's database service; nginx
 * from a config folder in the home). And a git repository of this
 * framework with two tags, v1.0.0 and v1.1.0, whose module life_demo gets
 * an update in the newer one (a table, made by `updatedb`), and whose
 * profile `life` is the standard profile with life_demo.
 *
 *     const life = await startLife(STACKS[0]);   // installed and served
 *     life.url, life.login                       // the hostmaster, its admin's one-time link
 *     await life.stop();
 */
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { openDatabase, openServer } from '../../core/database/connect.js';
import { readSettings } from '../../core/settings/settings.js';
import { getWithHost } from '../../modules/provision/tasks/checks.js';
import { REPO } from '../harness/codebase.js';
import { mariadb } from '../harness/mariadb.js';
import { until } from '../modules/hosting/env.js';
import { hostmasterBox, type HostmasterBox } from '../modules/hostmaster/env.js';
import { spawnIn, type Spawned } from '../modules/provision/env.js';
import { manifest, testRepo, type TestRepo } from '../modules/vcs-deploy/repo.js';

/** A web server and database service for the hostmaster's machine. */
export interface LifeStack {
  readonly name: string;
  readonly http: 'builtin' | 'nginx';
  readonly db: 'sqlite' | 'mysql';
}

/** The two stacks of the issue: the embedded defaults, and a production-like one. */
export const STACKS: readonly LifeStack[] = [
  { name: 'the embedded defaults (built-in proxy, SQLite)', http: 'builtin', db: 'sqlite' },
  { name: 'nginx and MariaDB', http: 'nginx', db: 'mysql' },
];

/** The table life_demo's update 1 (in v1.1.0) makes. */
export const UPDATE_TABLE = 'life_demo_notes';

/** A hostmaster installed and served on a stack. */
export interface Life {
  readonly stack: LifeStack;
  readonly box: HostmasterBox;
  readonly repo: TestRepo;
  /** The port of the web server of this machine (the hostmaster's and the hosted sites'). */
  readonly port: number;
  /** http://localhost:PORT */
  readonly url: string;
  /** The first administrator's one-time login link. */
  readonly login: string;
  /** Where platforms built from the repository go (their paths are under it). */
  readonly platforms: string;
  /** GET a path of a host through this machine's web server. */
  get(host: string, path: string): Promise<{ status: number; body: string }>;
  /** The site's database as its settings.json on a platform names it (the caller destroys it). */
  siteDb(platformRoot: string, domain: string): Promise<Knex>;
  /** Database names on the MariaDB server (the mysql stack), else []. */
  databases(): Promise<string[]>;
  /** What hostmaster-start printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A codebase of this framework in a git repository (core, themes, bin,
 * node_modules and each module and profile as symlinks into this
 * repository) with module life_demo and profile life of its own, tagged
 * v1.0.0; v1.1.0 adds life_demo's update 1.
 */
export function lifeRepo(): TestRepo {
  const r = testRepo('aegir-life-repo-');
  for (const d of ['core', 'themes', 'bin', 'node_modules']) symlinkSync(join(REPO, d), join(r.root, d));
  for (const kind of ['modules', 'profiles']) {
    mkdirSync(join(r.root, kind));
    for (const m of readdirSync(join(REPO, kind))) symlinkSync(join(REPO, kind, m), join(r.root, kind, m));
  }
  r.write('modules/life_demo/module.json', manifest('life_demo'));
  r.write('modules/life_demo/index.ts', 'export default {};\n');
  r.write('profiles/life/module.json', JSON.stringify({
    name: 'life', type: 'profile', description: 'The standard profile with life_demo.', package: 'Profiles',
    dependencies: { system: '*', user: '*', node: '*', life_demo: '*' },
  }, null, 2) + '\n');
  r.write('profiles/life/index.ts', [
    'import standard from \'../standard/index.js\';',
    '/** The standard profile\'s content types and settings. */',
    'export default { register: standard.register, installSteps: standard.installSteps };',
    '',
  ].join('\n'));
  r.write('package.json', '{ "private": true, "type": "module" }\n');
  r.write('sites/.gitkeep', '');
  r.write('.gitignore', '/sites/*/\n');
  r.commit('codebase with life_demo 1.0.0');
  r.git(['tag', 'v1.0.0']);
  r.write('modules/life_demo/index.ts', [
    '/** life_demo 1.1.0: update 1 makes the notes table. */',
    'export default {',
    '  updates: {',
    '    1: {',
    `      description: 'Make the ${UPDATE_TABLE} table',`,
    '      async run(site: { db: { schema: { createTable(n: string, f: (t: { increments(c: string): unknown; string(c: string, l: number): unknown }) => void): Promise<unknown> } } }) {',
    `        await site.db.schema.createTable('${UPDATE_TABLE}', (t) => { t.increments('id'); t.string('note', 200); });`,
    '      },',
    '    },',
    '  },',
    '};',
    '',
  ].join('\n'));
  r.commit('life_demo: update 1 makes the notes table');
  r.git(['tag', 'v1.1.0']);
  return r;
}

/** Install the hostmaster on a stack from a clean codebase and home, and start it. */
/** Drop the hostmaster's own database and user (hostmaster_*) that hostmaster-install made on the run's MariaDB; an error if one is left. */
async function dropHostmasterDatabase(root: string): Promise<void> {
  const sites = join(root, 'sites');
  const made: string[] = [];
  for (const dir of existsSync(sites) ? readdirSync(sites) : []) {
    const db = readSettingsQuietly(join(sites, dir))?.database;
    if (db?.driver !== 'mysql' || !/^hostmaster_[0-9a-f]{6}$/.test(db.database)) continue;
    const admin = await openServer({ ...(await mariadb()).admin, driver: 'mysql', database: '' });
    try {
      for (const host of ['localhost', '127.0.0.1']) await admin.raw('DROP USER IF EXISTS ?@?', [db.user, host]);
      await admin.raw('DROP DATABASE IF EXISTS ??', [db.database]);
      made.push(db.database);
    } finally {
      await admin.destroy();
    }
  }
  const left = (await (await mariadb()).databases()).filter((d) => made.includes(d));
  if (!made.length || left.length) throw new Error(`the hostmaster's database was not dropped: made ${made.join(', ') || 'none found'}, left ${left.join(', ') || 'none'}`);
}

function readSettingsQuietly(dir: string): ReturnType<typeof readSettings> {
  try { return readSettings(dir); } catch { return undefined; }
}

export async function startLife(stack: LifeStack): Promise<Life> {
  const box = await hostmasterBox();
  const repo = lifeRepo();
  const platforms = join(box.home, 'platforms');
  const confDir = join(box.home, 'nginx');
  let served: Spawned | undefined;
  let installed: { url: string; login: string } | undefined;
  let out = '';
  const stopNginx = (): void => {
    const pidFile = join(confDir, 'run', 'nginx.pid');
    if (!existsSync(pidFile)) return;
    try { process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGQUIT'); } catch { /* gone */ }
  };
  const stop = async (): Promise<void> => {
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([served.done, new Promise((r) => { timer = setTimeout(r, 20_000); })]);
      clearTimeout(timer);
    }
    stopNginx();
    if (stack.db === 'mysql') await dropHostmasterDatabase(box.tc.root);
    await box.stop();
    repo.cleanup();
  };
  try {
    // nginx's workers (nobody) reach the app processes' sockets under the home.
    chmodSync(box.home, 0o755);
    chmodSync(box.tc.root, 0o755);
    mkdirSync(platforms, { mode: 0o755 });
    const argv = ['hostmaster-install', `--http-port=${box.port}`, '--account-mail=ops@example.com', '--format=json'];
    const env: Record<string, string> = { NO_COLOR: '1' };
    if (stack.http === 'nginx') argv.push('--http=nginx', `--http-settings=confDir=${confDir}`);
    if (stack.db === 'mysql') {
      const m = await mariadb();
      argv.push('--db=mysql', `--db-host=${m.admin.host}`, `--db-port=${m.admin.port}`, `--db-admin-user=${m.admin.user}`);
      env.AEGIR_DB_ADMIN_PASS = m.admin.password;
    }
    const install = await spawnIn(box.tc.root, box.home, argv, env).done;
    expect(install.code, `hostmaster-install:\n${install.stdout}\n${install.stderr}`).to.equal(0);
    installed = JSON.parse(install.stdout) as { url: string; login: string };
    served = spawnIn(box.tc.root, box.home, ['hostmaster-start'], { NO_COLOR: '1' });
    served.child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    served.child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    await until(() => out.includes('The hostmaster runs at') || served!.child.exitCode !== null, 120_000)
      .catch((e: Error) => { throw new Error(`${e.message}; hostmaster-start printed:\n${out}`); });
    expect(served.child.exitCode, out).to.equal(null);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return {
    stack, box, repo, port: box.port, platforms,
    url: `http://localhost:${box.port}`,
    login: installed!.login,
    get: (host, path) => getWithHost('127.0.0.1', box.port, `${host}:${box.port}`, path),
    async siteDb(platformRoot, domain) {
      const dir = join(platformRoot, 'sites', domain);
      const settings = readSettings(dir);
      if (!settings) throw new Error(`${dir} has no settings.json`);
      return openDatabase(settings.database, dir);
    },
    databases: async () => (stack.db === 'mysql' ? (await mariadb()).databases() : []),
    output: () => out,
    stop,
  };
}
