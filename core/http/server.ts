import { chmodSync, chownSync, existsSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Express } from 'express';
import { AegirError } from '../errors/aegir-error.js';

/** Where to listen: a TCP port (on a host) or a unix socket with its mode and, optionally, the group (gid) it belongs to. */
export type ListenOn = { readonly port: number; readonly host: string } | { readonly socket: string; readonly mode: number; readonly group?: number };

/** A running server and how to stop it gracefully. */
export interface Running {
  readonly server: Server;
  /** The address in words (http://127.0.0.1:8080 or unix:/path). */
  readonly where: string;
  /** Stop accepting, let requests in flight finish (up to `graceMs`), then close the rest. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Listen with an express app. A stale unix socket left by a crashed
 * process is removed; one that a live server still answers on is an error,
 * as is a port in use (ERR_SERVE_FAILED).
 */
export async function listen(app: Express, on: ListenOn): Promise<Running> {
  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  const where = 'socket' in on ? `unix:${on.socket}` : `http://${on.host.includes(':') ? `[${on.host}]` : on.host}:${on.port}`;
  if ('socket' in on && existsSync(on.socket)) {
    if (!statSync(on.socket).isSocket()) throw new AegirError('ERR_SERVE_FAILED', { where, problem: 'the path exists and is not a socket' });
    if (await answers(on.socket)) throw new AegirError('ERR_SERVE_FAILED', { where, problem: 'another server is listening on it' });
    rmSync(on.socket);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new AegirError('ERR_SERVE_FAILED', { where, problem: e.code === 'EADDRINUSE' ? 'the address is in use' : e.message })));
    if ('socket' in on) server.listen(on.socket, () => resolve());
    else server.listen(on.port, on.host, () => resolve());
  });
  if ('socket' in on) {
    try {
      // Group first, then the mode that lets the group in: never a moment with the mode and the wrong group.
      if (on.group !== undefined) chownSync(on.socket, -1, on.group);
      chmodSync(on.socket, on.mode);
    } catch (e) {
      server.close();
      throw new AegirError('ERR_SERVE_FAILED', { where, problem: `the socket cannot be given to group ${on.group ?? '(unchanged)'} with mode ${on.mode.toString(8)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the user running this must be a member of that group` });
    }
  }
  const port = 'port' in on ? (server.address() as { port: number }).port : undefined;
  return {
    server,
    where: port !== undefined ? where.replace(/:\d+$/, `:${port}`) : where,
    stop: (graceMs = 10_000) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => { clearTimeout(timer); resolve(); });
      server.closeIdleConnections();
    }),
  };
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(socket);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}
