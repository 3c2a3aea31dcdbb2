import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/**
 * Headers that describe one connection rather than the message (RFC 9110
 * §7.6.1, with the obsolete Keep-Alive and Proxy-Connection): a proxy
 * consumes them and never passes them on.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/**
 * Headers a Connection header may not remove: the proxy itself routes by
 * Host and frames bodies by Content-Length, so "Connection: content-length"
 * must not make a body lose its length (the next hop would read the body as
 * a new request).
 */
const KEPT_WHEN_NAMED = new Set(['host', 'content-length']);

/** Header names that the Connection header(s) mark as hop-by-hop, lower case. */
export function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const raw = headers.connection;
  const joined = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  return new Set(joined.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
}

/** A copy of a message's headers without the hop-by-hop ones, those named in Connection included. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (named.has(name) && !KEPT_WHEN_NAMED.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Headers of a client's request as the app gets them: end-to-end headers
 * only, X-Forwarded-For appended to with the client's address,
 * X-Forwarded-Proto and X-Forwarded-Host set by the proxy (a client's own
 * are replaced), and a client's Forwarded header dropped, since the proxy
 * does not vouch for it. An upgrade keeps its Upgrade token; a chunked body
 * is chunked again on the new hop (Node decoded it).
 */
export function toApp(req: IncomingMessage, host: string, upgrade: boolean): OutgoingHttpHeaders {
  const out = endToEnd(req.headers);
  delete out.forwarded;
  const client = typeof out['x-forwarded-for'] === 'string' ? out['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = [client, req.socket.remoteAddress].filter(Boolean).join(', ');
  out['x-forwarded-proto'] = 'http';
  out['x-forwarded-host'] = host;
  out.host = req.headers.host ?? host;
  if (req.headers['transfer-encoding'] !== undefined) out['transfer-encoding'] = 'chunked';
  if (upgrade && req.headers.upgrade) {
    out.connection = 'upgrade';
    out.upgrade = req.headers.upgrade;
  }
  return out;
}

/** Headers of the app's response as the client gets them (Node frames the body again for the client). */
export function toClient(res: IncomingMessage): OutgoingHttpHeaders {
  return endToEnd(res.headers);
}

/** Headers of the app's 101 answer to an upgrade, as the client gets them. */
export function toClientUpgrade(res: IncomingMessage): OutgoingHttpHeaders {
  const out = endToEnd(res.headers);
  out.connection = 'Upgrade';
  if (res.headers.upgrade) out.upgrade = res.headers.upgrade;
  return out;
}
