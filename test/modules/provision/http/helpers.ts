/**
 * Helpers of the http service tests: a ServiceEnv built by hand (local
 * executor, contexts and secrets on a temp home), sites, tiny upstreams
 * that answer with their own marker, and requests with a Host header.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, memorySink, type LogEntry } from '../../../../core/logger/logger.js';
import { ContextStore } from '../../../../modules/provision/context/store.js';
import type { PlatformContext, ServiceConfig, SiteProvisionContext } from '../../../../modules/provision/context/types.js';
import { LocalExecutor } from '../../../../modules/provision/executor/local.js';
import { Secrets } from '../../../../modules/provision/service/secrets.js';
import type { ServiceEnv } from '../../../../modules/provision/service/types.js';
import { REPO } from '../../../harness/codebase.js';

/** A ServiceEnv for `server_web` (localhost) running the http service `config`, with its own temp home. */
export function makeEnv(config: ServiceConfig): { env: ServiceEnv; logs: LogEntry[]; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'aegir-home-'));
  const logs: LogEntry[] = [];
  const env: ServiceEnv = {
    server: { type: 'server', name: 'server_web', host: 'localhost', services: { http: config } },
    config,
    exec: new LocalExecutor('server_web'),
    logger: new Logger(memorySink(logs), 'debug'),
    contexts: new ContextStore(home),
    secrets: new Secrets(home),
    home,
    aegirBin: join(REPO, 'bin', 'aegir'),
  };
  return { env, logs, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** The same env with other settings. */
export function withConfig(env: ServiceEnv, config: ServiceConfig): ServiceEnv {
  return { ...env, config, server: { ...env.server, services: { http: config } } };
}

export const PLATFORM: PlatformContext = { type: 'platform', name: 'platform_web', server: 'server_web', root: '/var/aegir/platforms/web' };

/** A site context (enabled, no aliases unless given). */
export function site(name: string, more: Partial<SiteProvisionContext> = {}): SiteProvisionContext {
  return { type: 'site', name, platform: 'platform_web', dbServer: 'server_web', profile: 'testing', aliases: [], redirection: false, enabled: true, ...more };
}

/** Two upstreams: one on a unix socket (mode 0666, for workers running as nobody), one on a loopback port. */
export interface Upstreams {
  readonly socket: string;
  readonly port: number;
  stop(): Promise<void>;
}

function upstreamServer(marker: string): Server {
  return createServer((req, res) => {
    const h = req.headers;
    const delay = Number(/[?&]delay=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    setTimeout(() => {
      res.setHeader('content-type', 'text/plain');
      res.end(`upstream=${marker} host=${h.host ?? ''} path=${req.url ?? ''} xff=${String(h['x-forwarded-for'] ?? '')} proto=${String(h['x-forwarded-proto'] ?? '')}\n`);
    }, delay);
  });
}

/** Start the two upstreams (markers "socket" and "port"); `?delay=<ms>` in a path delays the answer. */
export async function startUpstreams(): Promise<Upstreams> {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-upstream-'));
  chmodSync(dir, 0o755);
  const socket = join(dir, 'app.sock');
  const bySocket = upstreamServer('socket');
  const byPort = upstreamServer('port');
  await new Promise<void>((r) => bySocket.listen(socket, r));
  chmodSync(socket, 0o666);
  await new Promise<void>((r) => byPort.listen(0, '127.0.0.1', r));
  const port = (byPort.address() as { port: number }).port;
  return {
    socket,
    port,
    async stop() {
      for (const s of [bySocket, byPort]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One answer. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** GET `path` from 127.0.0.1:port with a Host header, on a fresh connection (no keep-alive between requests). */
export function get(port: number, host: string, path = '/'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host }, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
