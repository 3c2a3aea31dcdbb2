import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../core/logger/logger.js';
import { BAD_GATEWAY, GATEWAY_TIMEOUT, rawHead, writeAnswer } from './answers.js';
import { armDeadlines, isTimeout, upstreamAddress, upstreamKey, type AppTarget, type ProxyTimeouts } from './forward.js';
import { endToEnd, toApp, toClientUpgrade } from './headers.js';

/**
 * Forward an upgrade (a WebSocket handshake) to the app on a connection of
 * its own. When the app switches protocols, its 101 goes to the client and
 * the two sockets are joined (see tunnel); when it answers otherwise, that
 * answer goes to the client and the socket closes. 502 or 504 as for plain
 * requests; the connect and answer limits hold for the handshake. A client
 * that goes away during the handshake aborts it.
 */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: AppTarget, host: string, t: ProxyTimeouts, logger: Logger): void {
  const what = `the app of ${target.site} (${upstreamKey(target.upstream)})`;
  // No pooled agent: an upgraded connection never goes back to a pool.
  const creq = request({ ...upstreamAddress(target.upstream), method: req.method, path: req.url, headers: toApp(req, host, true), agent: false });
  const disarm = armDeadlines(creq, t, what);
  let joined = false;
  const clientGone = (): void => { if (!joined) creq.destroy(); };
  socket.once('close', clientGone);

  creq.once('upgrade', (up, appSocket, appHead) => {
    disarm();
    joined = true;
    if (socket.destroyed) { appSocket.destroy(); return; }
    socket.write(rawHead(up.statusCode ?? 101, up.statusMessage, toClientUpgrade(up)));
    if (appHead.length > 0) socket.write(appHead);
    if (head.length > 0) appSocket.write(head);
    tunnel(socket, appSocket, t.idleMs);
  });
  creq.once('response', (up) => {
    // The app declined to switch: pass its answer on, delimited by closing.
    disarm();
    joined = true;
    const headers = { ...endToEnd(up.headers), connection: 'close' };
    delete headers['content-length'];
    socket.write(rawHead(up.statusCode ?? 502, up.statusMessage, headers));
    up.once('error', () => socket.destroy());
    up.pipe(socket);
  });
  creq.on('error', (e) => {
    if (socket.destroyed) return;
    logger.warning(`Proxy upgrade to ${target.site} failed: ${e.message}`);
    if (joined) socket.destroy();
    else writeAnswer(socket, isTimeout(e) ? GATEWAY_TIMEOUT : BAD_GATEWAY);
  });
  creq.end();
}

/**
 * Join the client's socket and the app's in both directions until either
 * side closes, fails or stays silent for idleMs; then both are torn down,
 * so that neither outlives the other. A side that ends gracefully has what
 * it sent flushed to the other before both close (WebSocket has no use for
 * a half-open TCP connection, and node:http's sockets would otherwise stay
 * half-open).
 */
export function tunnel(client: Duplex, app: Socket, idleMs: number): void {
  const sides = [client, app] as const;
  const close = (): void => { client.destroy(); app.destroy(); };
  let ending = false;
  const endBoth = (): void => {
    if (ending) return;
    ending = true;
    for (const s of sides) {
      if (s.destroyed || s.writableFinished) { s.destroy(); continue; }
      s.once('finish', () => s.destroy());
      s.end();
    }
  };
  for (const s of sides) {
    s.on('error', close);
    s.once('close', close);
    s.once('end', endBoth);
    if ('setTimeout' in s && typeof s.setTimeout === 'function') {
      (s as Socket).setTimeout(idleMs);
      s.once('timeout', close);
    }
  }
  client.pipe(app, { end: false });
  app.pipe(client, { end: false });
}
