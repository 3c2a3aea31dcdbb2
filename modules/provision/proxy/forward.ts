import { request, type Agent, type ClientRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { AegirError, isAegirError } from '../../../core/errors/aegir-error.js';
import type { Logger } from '../../../core/logger/logger.js';
import type { Upstream } from '../service/types.js';
import { BAD_GATEWAY, GATEWAY_TIMEOUT, sendAnswer } from './answers.js';
import { toApp, toClient } from './headers.js';

/** The proxy's time limits towards an app, in milliseconds. */
export interface ProxyTimeouts {
  /** To open a connection to the app. */
  readonly connectMs: number;
  /** From the request having been sent to the app's response head (also the time limit of an upgrade handshake). */
  readonly headersMs: number;
  /** Longest silence on a connection to the app while a request, a response body or a tunnel streams. */
  readonly idleMs: number;
}

/** Defaults: 5 s to connect, 60 s to answer, 300 s of silence. */
export const DEFAULT_TIMEOUTS: ProxyTimeouts = { connectMs: 5_000, headersMs: 60_000, idleMs: 300_000 };

/** The range any of the time limits may take (50 ms to one day), for whoever validates them. */
export const TIMEOUT_RANGE = { min: 50, max: 86_400_000 } as const;

/** An app process the proxy sends a request to. */
export interface AppTarget {
  /** The site's main domain, for logs. */
  readonly site: string;
  readonly upstream: Upstream;
}

/** A stable key of an upstream (its socket path or host:port), for agents and logs. */
export function upstreamKey(u: Upstream): string {
  return 'socket' in u ? u.socket : `${u.host}:${u.port}`;
}

/** Where node:http connects to for an upstream. */
export function upstreamAddress(u: Upstream): RequestOptions {
  return 'socket' in u ? { socketPath: u.socket } : { host: u.host, port: u.port };
}

/**
 * Arm the connect limit and then the answer limit on a request to the app:
 * the connect limit runs while a new socket connects (a kept-alive socket
 * skips it); the answer limit starts once the request is connected and
 * fully sent. Either destroys the request with ERR_TIMEOUT. Returns the
 * disarm function, to call when the response head has arrived.
 */
export function armDeadlines(creq: ClientRequest, t: ProxyTimeouts, what: string): () => void {
  let timer: NodeJS.Timeout | undefined;
  let over = false;
  const arm = (ms: number, phase: string): void => {
    clearTimeout(timer);
    if (over) return;
    timer = setTimeout(() => creq.destroy(new AegirError('ERR_TIMEOUT', { what: `${phase} ${what}`, seconds: ms / 1000 })), ms);
  };
  const disarm = (): void => { over = true; clearTimeout(timer); };
  let connected = false;
  let sent = false;
  const ready = (): void => { if (connected && sent) arm(t.headersMs, 'The response head from'); };
  creq.once('socket', (s) => {
    if (!s.connecting) { connected = true; ready(); return; }
    arm(t.connectMs, 'Connecting to');
    s.once('connect', () => { clearTimeout(timer); connected = true; ready(); });
  });
  creq.once('finish', () => { sent = true; ready(); });
  creq.once('close', disarm);
  return disarm;
}

/** Whether an error is one of the proxy's own time limits running out. */
export const isTimeout = (e: unknown): boolean => isAegirError(e) && e.code === 'ERR_TIMEOUT';

/**
 * Forward one request to the app and stream its response back: hop-by-hop
 * headers dropped both ways, 502 when the app refuses or drops the
 * connection, 504 when it does not connect or answer in time, a cut
 * response when it falls silent mid-body. A client that goes away aborts
 * the request to the app.
 */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, target: AppTarget, host: string, agent: Agent, t: ProxyTimeouts, logger: Logger): void {
  const what = `the app of ${target.site} (${upstreamKey(target.upstream)})`;
  const creq = request({ ...upstreamAddress(target.upstream), method: req.method, path: req.url, headers: toApp(req, host, false), agent });
  const disarm = armDeadlines(creq, t, what);
  creq.setTimeout(t.idleMs, () => creq.destroy(new AegirError('ERR_TIMEOUT', { what: `A silence on the connection to ${what}`, seconds: t.idleMs / 1000 })));
  let clientGone = false;
  res.once('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    creq.destroy();
  });
  req.once('error', () => creq.destroy());
  creq.once('response', (up) => {
    disarm();
    res.writeHead(up.statusCode ?? 502, up.statusMessage, toClient(up));
    // pipeline destroys the other side when either fails or closes early.
    pipeline(up, res, () => undefined);
  });
  creq.on('error', (e) => {
    if (clientGone) return;
    logger.warning(`Proxy to ${target.site} failed: ${e.message}`);
    if (res.headersSent) res.destroy();
    else sendAnswer(res, isTimeout(e) ? GATEWAY_TIMEOUT : BAD_GATEWAY);
  });
  req.pipe(creq);
}
