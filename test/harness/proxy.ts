/**
 * Built-in proxy test helper: a proxy on a free loopback port in front of
 * test apps (plain node:http servers on unix sockets in a temp folder), and
 * a raw client that sends exactly the bytes a test writes.
 *
 *     const h = await proxyHarness({ headersMs: 300 });
 *     const app = await h.app((req, res) => res.end('ok'));   // a unix socket in h.dir
 *     h.route('a.test', app.socket);                           // and reload
 *     const r = await rawRequest(h.port, 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
 *     await h.stop();                                          // proxy, apps, every socket, temp folder
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/logger/logger.js';
import type { ProxyTimeouts } from '../../modules/provision/proxy/forward.js';
import type { ProxySite } from '../../modules/provision/proxy/routes.js';
import { createProxy, type ProxyServer } from '../../modules/provision/proxy/server.js';
import type { Upstream } from '../../modules/provision/service/types.js';
import { freePort } from './ports.js';

/** A test app behind the proxy. */
export interface TestApp {
  readonly server: Server;
  readonly socket: string;
}

/** A running proxy with its apps. */
export interface ProxyHarness {
  readonly port: number;
  readonly dir: string;
  readonly proxy: ProxyServer;
  /** Start an app on a unix socket of its own. */
  app(handler?: RequestListener): Promise<TestApp>;
  /** Route a host to an upstream (a socket path or host:port) and reload; other sites stay. */
  route(host: string, upstream: string | Upstream, extra?: Partial<ProxySite>): void;
  stop(): Promise<void>;
}

/** Start a proxy with no sites and the given time limits. */
export async function proxyHarness(timeouts: Partial<ProxyTimeouts> = {}): Promise<ProxyHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-proxy-'));
  const routesFile = join(dir, 'proxy-routes.json');
  const sites: Record<string, ProxySite> = {};
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => { sockets.add(s); s.once('close', () => sockets.delete(s)); };
  const proxy = createProxy(routesFile, silentLogger(), { timeouts });
  proxy.server.on('connection', track);
  const port = await freePort();
  await new Promise<void>((r) => proxy.server.listen(port, '127.0.0.1', () => r()));
  let n = 0;
  return {
    port, dir, proxy,
    async app(handler = (_req, res) => res.end('ok\n')) {
      const server = createServer(handler);
      server.on('connection', track);
      servers.push(server);
      const socket = join(dir, `app-${++n}.sock`);
      await new Promise<void>((r) => server.listen(socket, () => r()));
      return { server, socket };
    },
    route(host, upstream, extra = {}) {
      const u = typeof upstream === 'string' ? { socket: upstream } : upstream;
      sites[host] = { upstream: u, aliases: [], redirection: false, enabled: true, ...extra };
      writeFileSync(routesFile, JSON.stringify({ sites }));
      proxy.reload();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await proxy.close();
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A response read off a raw socket: status, headers (lower-case names, repeated ones joined by ", ") and body. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Parse the head of a raw HTTP/1.1 response. */
export function parseHead(head: string): { status: number; headers: Record<string, string> } {
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers };
}

/** Open a raw connection to the proxy. */
export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Decode a complete chunked body (trailers, if any, are dropped). */
export function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (eol < 0 || !Number.isFinite(size)) throw new Error(`not a chunked body: ${JSON.stringify(body)}`);
    if (size === 0) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Send raw request bytes and read the answer until the proxy closes the
 * connection (send "Connection: close", or a request the proxy refuses).
 * A chunked body is decoded (sizes count bytes: keep test bodies ASCII).
 */
export async function rawRequest(port: number, bytes: string): Promise<RawResponse> {
  const s = await rawConnect(port);
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.write(bytes);
  await new Promise<void>((resolve, reject) => { s.once('close', () => resolve()); s.once('error', reject); });
  const text = Buffer.concat(chunks).toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const head = parseHead(end < 0 ? text : text.slice(0, end));
  const body = end < 0 ? '' : text.slice(end + 4);
  return { ...head, body: head.headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body };
}
