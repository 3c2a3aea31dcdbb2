import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../core/logger/logger.js';
import { writeFileAtomic } from '../../../core/util/fs.js';
import { answerFor, sendAnswer, writeAnswer } from './answers.js';
import { DEFAULT_TIMEOUTS, forwardRequest, upstreamKey, type ProxyTimeouts } from './forward.js';
import { ackFile, readRoutes, routeMap, type Route } from './routes.js';
import { forwardUpgrade } from './upgrade.js';

/** The built-in reverse proxy: one process for the whole server, routing by Host. */
export interface ProxyServer {
  readonly server: Server;
  /** Re-read the routes file; requests in flight keep going. */
  reload(): void;
  /**
   * Stop listening and resolve once the requests in flight have been
   * answered; idle connections and WebSocket tunnels (which have no end of
   * their own) are closed at once.
   */
  close(): Promise<void>;
}

/** How a proxy is set up besides its routes. */
export interface ProxyOptions {
  /** Time limits towards the apps; each one left out is its default (DEFAULT_TIMEOUTS). */
  readonly timeouts?: Partial<ProxyTimeouts> | undefined;
}

/** The host name of a request: Host without port or trailing dot, lower case. */
function hostOf(req: IncomingMessage): string {
  return String(req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}

/**
 * A reverse proxy by host name: each Host (a site's domain or alias) goes
 * to its platform's app process, a disabled site gets a 503 page, an alias
 * with redirection a 301 to the main domain, an unknown host a 404; the
 * same for WebSocket upgrades, which are tunnelled to the app. Routes are
 * re-read on reload() (SIGHUP) without dropping requests in flight.
 */
export function createProxy(routesFile: string, logger: Logger, options: ProxyOptions = {}): ProxyServer {
  const timeouts: ProxyTimeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
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
    const host = hostOf(req);
    const route = routes.get(host);
    if (route?.kind !== 'proxy') return sendAnswer(res, answerFor(route, req.url ?? '/'));
    forwardRequest(req, res, route, host, agentFor(upstreamKey(route.upstream)), timeouts, logger);
  });
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const host = hostOf(req);
    const route = routes.get(host);
    // The socket left Node's HTTP server: its errors are ours to catch.
    socket.on('error', () => socket.destroy());
    if (route?.kind !== 'proxy') return writeAnswer(socket, answerFor(route, req.url ?? '/'));
    forwardUpgrade(req, socket, head, route, host, timeouts, logger);
  });
  return {
    server,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Destroying the client's side of a tunnel tears down the app's side too.
        for (const s of upgraded) s.destroy();
        for (const a of agents.values()) a.destroy();
      });
    },
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

function definedOnly(t: Partial<ProxyTimeouts>): Partial<ProxyTimeouts> {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}
