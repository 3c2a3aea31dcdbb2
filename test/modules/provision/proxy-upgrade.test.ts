import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { freePort } from '../../harness/ports.js';
import { parseHead, proxyHarness, rawConnect, rawRequest, type ProxyHarness } from '../../harness/proxy.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const acceptFor = (key: string): string => createHash('sha1').update(key + WS_GUID).digest('base64');
const upgradeRequest = (host: string, extra: readonly string[] = []): string =>
  ['GET /chat HTTP/1.1', `Host: ${host}`, 'Connection: Upgrade', 'Upgrade: websocket', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13', ...extra, '', ''].join('\r\n');

/** Everything a raw socket receives, with a wait for some text to have arrived. */
function received(s: Socket): { text: () => string; until: (part: string) => Promise<void> } {
  let buf = '';
  let waiters: { part: string; done: () => void }[] = [];
  s.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    waiters = waiters.filter((w) => (buf.includes(w.part) ? (w.done(), false) : true));
  });
  return {
    text: () => buf,
    until: (part) => new Promise<void>((done) => { if (buf.includes(part)) done(); else waiters.push({ part, done }); }),
  };
}

/** Resolves once the other end has closed the connection (an 'end' is enough: node:http's server sockets stay half-open). */
const closed = (s: Duplex): Promise<void> => new Promise((r) => { if (s.destroyed || s.readableEnded) r(); else { s.once('end', () => r()); s.once('close', () => r()); s.resume(); } });

describe('the built-in proxy tunnels WebSocket upgrades', () => {
  let h: ProxyHarness;
  let seen: IncomingHttpHeaders[];
  let appSockets: Duplex[];
  let stalled: Duplex[];

  before(async () => {
    h = await proxyHarness({ headersMs: 300 });
    const echo = await h.app();
    echo.server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      seen.push(req.headers);
      appSockets.push(socket);
      socket.on('error', () => socket.destroy());
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
      if (head.length > 0) socket.write(head);
      socket.on('data', (c: Buffer) => socket.write(c));
    });
    h.route('ws.test', echo.socket, { aliases: ['old-ws.test'], redirection: true });
    h.route('off.test', echo.socket, { enabled: false });
    // No 'upgrade' listener: node:http hands the request to the handler, which declines.
    h.route('plain.test', (await h.app((_req, res) => { res.writeHead(426, { 'content-type': 'text/plain' }); res.end('no websockets here\n'); })).socket);
    const silent = await h.app();
    silent.server.on('upgrade', (_req, socket: Duplex) => { stalled.push(socket); socket.on('error', () => undefined); });
    h.route('silent.test', silent.socket);
    h.route('refused.test', { host: '127.0.0.1', port: await freePort() });
  });
  beforeEach(() => { seen = []; appSockets = []; stalled = []; });
  afterEach(() => { for (const s of [...appSockets, ...stalled]) s.destroy(); });
  after(() => h.stop());

  it('websocket tunnel: the handshake reaches the app without hop-by-hop headers and bytes round-trip both ways', async () => {
    const client = await rawConnect(h.port);
    const r = received(client);
    // Bytes sent right after the handshake, before the 101, must not be lost.
    client.write(upgradeRequest('ws.test', ['Connection: x-secret', 'X-Secret: 1', 'X-Forwarded-Host: evil.test']) + 'early;');
    await r.until('early;');
    const head = parseHead(r.text().slice(0, r.text().indexOf('\r\n\r\n')));
    expect(head.status).to.equal(101);
    expect(head.headers['sec-websocket-accept']).to.equal(acceptFor(KEY));
    expect(head.headers.upgrade).to.equal('websocket');
    expect(seen).to.have.length(1);
    expect(seen[0]!.upgrade).to.equal('websocket');
    expect(String(seen[0]!.connection).toLowerCase()).to.equal('upgrade');
    expect(seen[0]).not.to.have.property('x-secret');
    expect(seen[0]!['x-forwarded-host']).to.equal('ws.test');
    client.write('ping-1');
    await r.until('early;ping-1');
    client.write('ping-2');
    await r.until('early;ping-1ping-2');
    client.destroy();
  });

  it('half-dead tunnel: when the client goes, the app side is closed too', async () => {
    const client = await rawConnect(h.port);
    const r = received(client);
    client.write(upgradeRequest('ws.test'));
    await r.until('\r\n\r\n');
    expect(appSockets).to.have.length(1);
    client.destroy();
    await closed(appSockets[0]!);
  });

  it('half-dead tunnel: when the app goes, the client side is closed too', async () => {
    const client = await rawConnect(h.port);
    const r = received(client);
    client.write(upgradeRequest('ws.test'));
    await r.until('\r\n\r\n');
    appSockets[0]!.destroy();
    await closed(client);
  });

  it('upgrade routing bypass: an unknown host gets 404, a disabled site 503 and a redirecting alias 301, each on a closed socket', async () => {
    const unknown = await rawRequest(h.port, upgradeRequest('unknown.test'));
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.equal('No site is served at this address.\n');
    expect((await rawRequest(h.port, upgradeRequest('off.test'))).status).to.equal(503);
    const moved = await rawRequest(h.port, upgradeRequest('old-ws.test'));
    expect(moved.status).to.equal(301);
    expect(moved.headers.location).to.equal('http://ws.test/chat');
    expect(seen).to.have.length(0);
  });

  it('declined upgrade: the app\'s own answer reaches the client and the socket closes', async () => {
    const r = await rawRequest(h.port, upgradeRequest('plain.test'));
    expect(r.status).to.equal(426);
    expect(r.body).to.equal('no websockets here\n');
  });

  it('stuck handshake: an app that never answers the upgrade gets a 504, a refused one a 502', async () => {
    expect((await rawRequest(h.port, upgradeRequest('silent.test'))).status).to.equal(504);
    expect(stalled).to.have.length(1);
    await closed(stalled[0]!);
    expect((await rawRequest(h.port, upgradeRequest('refused.test'))).status).to.equal(502);
  });
});

describe('the built-in proxy stops with tunnels open', () => {
  let h: ProxyHarness;
  const appSockets: Duplex[] = [];

  before(async () => {
    h = await proxyHarness();
    const echo = await h.app();
    echo.server.on('upgrade', (req, socket: Duplex) => {
      appSockets.push(socket);
      socket.on('error', () => socket.destroy());
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
    });
    h.route('ws.test', echo.socket);
  });
  after(() => h.stop());

  it('hung shutdown: closing the proxy closes an open WebSocket tunnel on both sides instead of waiting for it', async () => {
    const client = await rawConnect(h.port);
    const r = received(client);
    client.write(upgradeRequest('ws.test'));
    await r.until('\r\n\r\n');
    await h.proxy.close();
    await Promise.all([closed(client), closed(appSockets[0]!)]);
  });
});
