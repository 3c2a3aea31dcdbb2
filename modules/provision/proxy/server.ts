import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../../core/logger/logger.js';
import { writeFileAtomic } from '../../../core/util/fs.js';
import { ackFile, readRoutes, routeMap, type Route } from './routes.js';

const DISABLED_PAGE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Site disabled</title></head><body><h1>This site is disabled</h1><p>Please come back later.</p></body></html>\n';

/** The built-in reverse proxy: one process for the whole server, routing by Host. */
export interface ProxyServer {
  readonly server: Server;
  /** Re-read the routes file; requests in flight keep going. */
  reload(): void;
}

/**
 * A reverse proxy by host name: each Host (a site's domain or alias) goes
 * to its platform's app process, a disabled site gets a 503 page, an alias
 * with redirection a 301 to the main domain, an unknown host a 404. Routes
 * are re-read on reload() (SIGHUP) without dropping requests in flight.
 */
export function createProxy(routesFile: string, logger: Logger): ProxyServer {
  const load = (): Map<string, Route> => {
    const read = readRoutes(routesFile);
    // Tell whoever wrote the routes that they are served now.
    if (read.generation) writeFileAtomic(ackFile(routesFile), read.generation, 0o640);
    return routeMap(read);
  };
  let routes = load();
  const agents = new Map<string, Agent>();
  const agentFor = (key: string): Agent => {
    let a = agents.get(key);
    if (!a) { a = new Agent({ keepAlive: true, maxSockets: 256 }); agents.set(key, a); }
    return a;
  };
  const server = createServer((req, res) => {
    const host = String(req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    const route = routes.get(host);
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', 'No site is served at this address.\n');
    if (route.kind === 'redirect') {
      res.writeHead(301, { location: `http://${route.to}${req.url ?? '/'}`, 'content-type': 'text/plain; charset=utf-8' });
      return res.end(`Moved to http://${route.to}${req.url ?? '/'}\n`);
    }
    if (route.kind === 'disabled') {
      res.setHeader('Retry-After', '3600');
      return send(res, 503, 'text/html; charset=utf-8', DISABLED_PAGE);
    }
    forward(req, res, route, host, agentFor, logger);
  });
  return {
    server,
    reload() {
      try {
        routes = load();
        logger.info(`Proxy routes reloaded: ${routes.size} host name(s).`);
      } catch (e) {
        // A broken routes file keeps the routes that worked.
        logger.error(`Proxy routes not reloaded: ${(e as Error).message}`);
      }
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function forward(req: IncomingMessage, res: ServerResponse, route: Extract<Route, { kind: 'proxy' }>, host: string, agentFor: (k: string) => Agent, logger: Logger): void {
  const u = route.upstream;
  const key = 'socket' in u ? u.socket : `${u.host}:${u.port}`;
  const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  const upstream = request({
    ...('socket' in u ? { socketPath: u.socket } : { host: u.host, port: u.port }),
    method: req.method,
    path: req.url,
    headers: { ...req.headers, host: req.headers.host ?? host, 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'http', 'x-forwarded-host': host },
    agent: agentFor(key),
  }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (e) => {
    logger.warning(`Proxy to ${route.site} (${key}) failed: ${e.message}`);
    if (!res.headersSent) send(res, 502, 'text/plain; charset=utf-8', 'The site is not answering right now.\n');
    else res.destroy();
  });
  req.pipe(upstream);
}
