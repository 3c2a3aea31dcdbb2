import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';
import { cli, type CliRun } from '../../cli/run-helper.js';
import { makeCodebase, REPO, type Driver, type TestCodebase } from '../../harness/codebase.js';
import { mariadb } from '../../harness/mariadb.js';
import { freePort } from '../../harness/ports.js';
export { freePort } from '../../harness/ports.js';

/**
 * A back end for provision tests: a temporary Aegir home, a codebase that
 * runs the commands (with bin/), a second codebase as the platform, a
 * server context on the embedded defaults (built-in proxy on a free port,
 * built-in app supervision) with SQLite or MariaDB, and the platform
 * context. `stop()` ends every process the tasks started.
 */
export interface ProvisionEnv {
  readonly home: string;
  readonly backend: TestCodebase;
  readonly platform: TestCodebase;
  readonly proxyPort: number;
  readonly driver: Driver;
  /** Run `aegir` in process with this env's AEGIR_HOME (and extra env). */
  aegir(argv: readonly string[], env?: Record<string, string>): Promise<CliRun>;
  /** Run bin/aegir in a process of its own (for tasks run together, killed or cancelled). */
  spawn(argv: readonly string[], env?: Record<string, string>): Spawned;
  /** GET / of a domain through the proxy: its status. */
  status(domain: string): Promise<number>;
  stop(): Promise<void>;
}

/** A command line running in a process of its own. */
export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves when it ended: exit code or signal, what it printed, and the error code of its --backend result line if any. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; error: string | undefined }>;
}

/** The error code in the last --backend line of a command's output. */
export function backendError(stdout: string): string | undefined {
  const last = stdout.trim().split('\n').at(-1);
  try {
    return (JSON.parse(last ?? '') as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export async function provisionEnv(driver: Driver, opts: {
  app?: 'builtin' | 'supervisord';
  /** Modules of test/fixtures/provision-modules (contrib task modules, linked only where asked for) to add to the back end's codebase, such as a contrib task module. */
  modules?: readonly string[];
  /** Another web server than the built-in proxy: its type, settings, and the port it answers on. */
  http?: { type: string; settings: Readonly<Record<string, string | number | boolean | undefined>>; port: number; runDir: string };
} = {}): Promise<ProvisionEnv> {
  const home = mkdtempSync(join(tmpdir(), 'aegir-home-'));
  const backend = makeCodebase({ fixtures: false });
  const platform = makeCodebase({ fixtures: false });
  for (const tc of [backend, platform]) symlinkSync(join(REPO, 'bin'), join(tc.root, 'bin'));
  for (const m of opts.modules ?? []) symlinkSync(join(REPO, 'test', 'fixtures', 'provision-modules', m), join(backend.root, 'modules', m));
  const proxyPort = opts.http?.port ?? await freePort();
  const httpArgs = opts.http
    ? [`--http=${opts.http.type}`, `--http-settings=${Object.entries(opts.http.settings).filter(([k, v]) => k !== 'type' && v !== undefined).map(([k, v]) => `${k}=${v}`).join(',')}`]
    : ['--http=builtin', `--http-settings=port=${proxyPort}`];
  const runDir = opts.http?.runDir ?? join(home, 'run');
  const aegir = (argv: readonly string[], env: Record<string, string> = {}): Promise<CliRun> =>
    cli(backend.root, argv, { env: { ...process.env, AEGIR_HOME: home, ...env } });
  const dbArgs: string[] = ['--db=sqlite'];
  const extra: Record<string, string> = {};
  if (driver === 'mysql') {
    const m = await mariadb();
    dbArgs.splice(0, 1, '--db=mysql', `--db-settings=host=${m.admin.host},port=${m.admin.port},adminUser=${m.admin.user}`, '--db-admin-pass-file=-');
    extra.stdin = m.admin.password;
  }
  const cleanup = (): void => {
    backend.cleanup();
    platform.cleanup();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const saved = await cli(backend.root, ['provision-save', '@server_master', '--context-type=server', '--host=localhost',
      ...httpArgs, `--app=${opts.app ?? 'builtin'}`, `--app-settings=runDir=${runDir}`, ...dbArgs],
    { env: { ...process.env, AEGIR_HOME: home }, ...(extra.stdin ? { stdin: extra.stdin } : {}) });
    if (saved.code !== 0) throw new Error(`server context: ${saved.stderr}`);
    for (const argv of [
      ['@server_master', 'provision-verify'],
      ['provision-save', '@platform_test', '--context-type=platform', '--server=@server_master', `--platform-root=${platform.root}`],
    ]) {
      const r = await aegir(argv);
      if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    }
  } catch (e) {
    // A setup that failed leaves nothing behind either (processes it started end with their folders).
    for (const f of existsSync(runDir) ? readdirSync(runDir).filter((n) => n.endsWith('.pid')) : []) {
      try { process.kill(Number(readFileSync(join(runDir, f), 'utf8')), 'SIGTERM'); } catch { /* gone */ }
    }
    cleanup();
    throw e;
  }
  const spawnAegir = (argv: readonly string[], env: Record<string, string> = {}): Spawned => spawnIn(backend.root, home, argv, env);
  return {
    home, backend, platform, proxyPort, driver, aegir, spawn: spawnAegir,
    async status(domain) {
      try {
        return (await getWithHost('127.0.0.1', proxyPort, domain, '/', 5000)).status;
      } catch {
        return 0;
      }
    },
    async stop() {
      for (const run of [join(home, 'run'), runDir]) for (const f of existsSync(run) ? readdirSync(run).filter((n) => n.endsWith('.pid')) : []) {
        try { process.kill(Number(readFileSync(join(run, f), 'utf8')), 'SIGTERM'); } catch { /* gone */ }
      }
      await new Promise((r) => setTimeout(r, 100));
      cleanup();
    },
  };
}

/** bin/aegir of a codebase in a process of its own, with that Aegir home (and extra environment); its output collected. */
export function spawnIn(root: string, home: string, argv: readonly string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [join(root, 'bin', 'aegir'), ...argv], {
    cwd: root, env: { ...process.env, AEGIR_HOME: home, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; error: string | undefined }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, error: backendError(stdout) }));
  });
  return { child, done };
}
