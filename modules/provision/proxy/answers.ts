import { STATUS_CODES, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Route } from './routes.js';

/** An answer the proxy gives itself instead of the app's: a status, headers and a short page. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const TEXT = 'text/plain; charset=utf-8';
const DISABLED_PAGE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Site disabled</title></head><body><h1>This site is disabled</h1><p>Please come back later.</p></body></html>\n';

const text = (status: number, body: string, extra: Record<string, string> = {}): Answer => ({ status, headers: { 'content-type': TEXT, 'x-content-type-options': 'nosniff', ...extra }, body });

/** No site is served under this Host. */
export const NOT_FOUND = text(404, 'No site is served at this address.\n');
/** The app refused the connection, closed it or sent garbage. */
export const BAD_GATEWAY = text(502, 'The site is not answering right now.\n');
/** The app did not connect or answer within its time limit. */
export const GATEWAY_TIMEOUT = text(504, 'The site did not answer in time.\n');

/**
 * What the proxy answers itself for a Host that does not go to an app
 * (unknown host, alias redirect, disabled site). The same for plain
 * requests and upgrades, so both are routed alike.
 */
export function answerFor(route: Exclude<Route, { kind: 'proxy' }> | undefined, url: string): Answer {
  if (!route) return NOT_FOUND;
  if (route.kind === 'redirect') return text(301, `Moved to http://${route.to}${url}\n`, { location: `http://${route.to}${url}` });
  return { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'retry-after': '3600' }, body: DISABLED_PAGE };
}

/** Send an answer on a normal response. */
export function sendAnswer(res: ServerResponse, a: Answer): void {
  res.writeHead(a.status, a.headers);
  res.end(a.body);
}

/** The head of an HTTP/1.1 response as bytes, for a socket that left Node's HTTP machinery (an upgrade). */
export function rawHead(status: number, message: string | undefined, headers: OutgoingHttpHeaders): string {
  let head = `HTTP/1.1 ${status} ${message || STATUS_CODES[status] || 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${String(v)}\r\n`;
  }
  return `${head}\r\n`;
}

/** How long a refused upgrade's socket may stay half-closed, waiting for the client to close its side. */
const LINGER_MS = 2_000;

/**
 * Answer an upgrade request on its raw socket and close the socket. It is
 * ended (not destroyed) so that the answer is not cut off by a reset while
 * the client still sends; a client that does not close is dropped soon after.
 */
export function writeAnswer(socket: Duplex, a: Answer): void {
  if (socket.destroyed || !socket.writable) { socket.destroy(); return; }
  const headers = { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)), connection: 'close' };
  socket.resume();
  socket.end(rawHead(a.status, undefined, headers) + a.body);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
