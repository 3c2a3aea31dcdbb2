/**
 * A real nginx for tests, on a loopback port, with its own config, pid,
 * logs and temp folders in a throw-away folder (never /etc/nginx):
 *
 *     const web = await nginxServer();               // folder and port; nothing runs yet
 *     await nginxHttp.verify(envFor(web.config));    // the service writes its main config
 *     await web.start();                             // nginx -c <confDir>/nginx.conf, in the foreground
 *     ...                                            // requests to 127.0.0.1:web.port with a Host header
 *     await web.stop();                              // stops this nginx (by its own pid) and removes the folder
 *
 * The service writes the config, so the tests exercise the real one. Also
 * the shared part of test/harness/apache.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceConfig } from '../../modules/provision/context/types.js';
import { nginxMainFile } from '../../modules/provision/service/http/nginx.js';
import { freePort } from './ports.js';
export { freePort } from './ports.js';

/** A web server started by a test. */
export interface TestWebServer {
  /** The throw-away folder (mode 0755, so workers running as nobody or www-data reach sockets in it). */
  readonly dir: string;
  readonly port: number;
  /** The `services.http` settings for the service under test. */
  readonly config: ServiceConfig;
  /** The service's config folder (`config.confDir`). */
  readonly confDir: string;
  /** Start the server from the main config the service wrote; resolves when the port accepts connections. */
  start(): Promise<void>;
  /** The pid of the server's master process (undefined before start). */
  readonly pid: number | undefined;
  /** Whether the process this harness started still runs. */
  running(): boolean;
  /** The error log's text. */
  errorLog(): string;
  /** Put a file into the service's vhost.d folder behind its back (to break the config on purpose). */
  writeExtra(name: string, text: string): void;
  removeExtra(name: string): void;
  /** Stop the server (if started) and remove the folder. */
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** What differs between the servers a harness starts. */
export interface WebServerSpec {
  readonly type: string;
  readonly program: string;
  readonly pidName: string;
  /** The foreground start command for a config folder and log folder. */
  command(confDir: string, logDir: string): string[];
  /** The signal that stops it. */
  readonly stopSignal: NodeJS.Signals;
}

/** Prepare a folder and port for a web server of `spec`; start() runs it. */
export async function testWebServer(spec: WebServerSpec): Promise<TestWebServer> {
  if (!existsSync(spec.program)) throw new Error(`${spec.program} is not installed: apt-get install --no-install-recommends nginx apache2 (see .ci/run).`);
  const dir = mkdtempSync(join(tmpdir(), `aegir-${spec.type}-`));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const confDir = join(dir, 'conf');
  const logDir = join(dir, 'log');
  const pidFile = join(dir, 'run', spec.pidName);
  const config: ServiceConfig = { type: spec.type, confDir, port, address: '127.0.0.1', pidFile, logDir };
  let child: ChildProcess | undefined;
  let stderr = '';
  const errorLog = (): string => { try { return readFileSync(join(logDir, 'error.log'), 'utf8'); } catch { return ''; } };
  return {
    dir, port, config, confDir,
    get pid() { return child?.pid; },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    errorLog,
    async start() {
      if (child) throw new Error(`${spec.type} was started already`);
      const [program, ...args] = spec.command(confDir, logDir);
      child = spawn(program!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      const until = Date.now() + 20_000;
      while (!(await accepts(port))) {
        if (child.exitCode !== null || Date.now() > until) {
          throw new Error(`${spec.type} did not start on port ${port}: ${stderr.trim()} ${errorLog().trim().split('\n').slice(-5).join(' ')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    writeExtra(name, text) { writeFileSync(join(confDir, 'vhost.d', name), text); },
    removeExtra(name) { rmSync(join(confDir, 'vhost.d', name), { force: true }); },
    async stop() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const workers = childrenOf(c.pid!);
        const exited = new Promise((r) => c.once('exit', r));
        c.kill(spec.stopSignal);
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
        // Workers a master left behind (it was killed, or they hung): end them. Ours only: Apache's name
        // our folder in their command line, nginx's are titled "nginx: ...".
        for (const w of workers) {
          const line = commandLine(w);
          if (line.includes(dir) || line.startsWith('nginx: ')) try { process.kill(w, 'SIGKILL'); } catch { /* gone */ }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An nginx for a test: folder and port ready; start() after the service's verify wrote the config. */
export function nginxServer(): Promise<TestWebServer> {
  return testWebServer({
    type: 'nginx',
    program: '/usr/sbin/nginx',
    pidName: 'nginx.pid',
    command: (confDir, logDir) => ['/usr/sbin/nginx', '-c', nginxMainFile(confDir), '-e', join(logDir, 'error.log'), '-g', 'daemon off;'],
    // SIGQUIT: graceful shutdown (workers finish their requests).
    stopSignal: 'SIGQUIT',
  });
}
