import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import { proxyHarness, rawRequest, type ProxyHarness } from '../../harness/proxy.js';

/** What the echo app saw of one request. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const REQUEST_HOP_BY_HOP = ['x-secret', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'transfer-encoding'];
const RESPONSE_HOP_BY_HOP = ['x-app-secret', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'trailer', 'upgrade'];

describe('the built-in proxy passes only end-to-end headers', () => {
  let h: ProxyHarness;
  let seen: Seen[];

  before(async () => {
    h = await proxyHarness();
    const app = await h.app((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        // The app's own hop-by-hop headers, one named in its Connection header; chunked, with a trailer.
        res.writeHead(200, {
          'content-type': 'text/plain', connection: 'x-app-secret', 'x-app-secret': '1', 'keep-alive': 'timeout=5',
          'proxy-connection': 'keep-alive', 'proxy-authenticate': 'Basic realm="app"', trailer: 'x-checksum', upgrade: 'h2c', 'x-end-to-end': 'kept',
        });
        res.addTrailers({ 'x-checksum': '0' });
        res.end('seen\n');
      });
    });
    h.route('a.test', app.socket);
  });
  beforeEach(() => { seen = []; });
  after(() => h.stop());

  it('hop-by-hop header injection: Connection-named and RFC 9110 hop-by-hop headers reach neither the app nor the client', async () => {
    const r = await rawRequest(h.port, [
      'GET /page HTTP/1.1', 'Host: a.test', 'Connection: x-secret, close', 'X-Secret: 1', 'Keep-Alive: timeout=99',
      'Proxy-Connection: keep-alive', 'Proxy-Authorization: Basic dXNlcjpwYXNz', 'TE: trailers', 'Trailer: x-checksum',
      'Upgrade: websocket', 'X-End-To-End: kept', '', '',
    ].join('\r\n'));
    expect(r.status).to.equal(200);
    expect(r.body).to.equal('seen\n');
    expect(seen).to.have.length(1);
    const got = seen[0]!.headers;
    for (const name of REQUEST_HOP_BY_HOP) expect(got, name).not.to.have.property(name);
    // The proxy's own connection to the app may say keep-alive; nothing of the client's.
    expect(String(got.connection ?? '')).not.to.match(/x-secret|close/i);
    expect(got['x-end-to-end']).to.equal('kept');
    for (const name of RESPONSE_HOP_BY_HOP) expect(r.headers, name).not.to.have.property(name);
    expect(r.headers.connection ?? '').not.to.match(/x-app-secret/i);
    expect(r.headers['x-end-to-end']).to.equal('kept');
  });

  it('forwarding-header spoofing: the proxy sets X-Forwarded-Host and -Proto, appends to X-Forwarded-For and drops Forwarded', async () => {
    const r = await rawRequest(h.port, [
      'GET / HTTP/1.1', 'Host: a.test', 'Connection: close', 'X-Forwarded-Host: evil.test', 'X-Forwarded-Proto: https',
      'X-Forwarded-For: 203.0.113.9', 'Forwarded: for=203.0.113.9;host=evil.test;proto=https', '', '',
    ].join('\r\n'));
    expect(r.status).to.equal(200);
    const got = seen[0]!.headers;
    expect(got['x-forwarded-host']).to.equal('a.test');
    expect(got['x-forwarded-proto']).to.equal('http');
    expect(got['x-forwarded-for']).to.equal('203.0.113.9, 127.0.0.1');
    expect(got).not.to.have.property('forwarded');
    expect(got.host).to.equal('a.test');
  });

  it('request smuggling: a chunked body or "Connection: content-length" cannot make the app read body bytes as a second request', async () => {
    const hidden = 'GET /smuggled HTTP/1.1\r\nHost: a.test\r\n\r\n';
    const chunked = `${hidden.length.toString(16)}\r\n${hidden}\r\n0\r\n\r\n`;
    for (const method of ['GET', 'POST']) {
      await rawRequest(h.port, `${method} /chunked HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
      await rawRequest(h.port, `${method} /length HTTP/1.1\r\nHost: a.test\r\nConnection: content-length, close\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`);
    }
    // Give a smuggled request, if any, the time to arrive after its carrier.
    await rawRequest(h.port, 'GET /last HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(seen.map((s) => `${s.method} ${s.url}`)).to.deep.equal(['GET /chunked', 'GET /length', 'POST /chunked', 'POST /length', 'GET /last']);
    for (const s of seen.slice(0, 4)) expect(s.body, `${s.method} ${s.url}`).to.equal(hidden);
  });
});
