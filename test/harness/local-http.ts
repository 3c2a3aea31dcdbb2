/**
 * One HTTP request to 127.0.0.1 with `Host: localhost:<port>`, a cookie and
 * a urlencoded form if given, following nothing: for talking to a
 * hostmaster started on a loopback port (the wizard's tests, the hostmaster
 * benchmark).
 */
import { request } from 'node:http';

/** An answer: status, body as text, headers. */
export interface LocalReply {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** GET or POST `path` on 127.0.0.1:`port` (10 s time limit). */
export function localHttp(port: number, method: 'GET' | 'POST', path: string, opts: { cookie?: string; form?: Record<string, string> } = {}): Promise<LocalReply> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: 10_000, headers: {
      host: `localhost:${port}`, ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
    } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}
