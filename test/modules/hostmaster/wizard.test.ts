/**
 * The first run: `aegir hostmaster-start` on a codebase without a
 * hostmaster serves the wizard behind a one-time setup token printed on
 * its console; the wizard installs, hands its port over, and the same
 * process then runs the hostmaster until SIGTERM, which ends everything.
 */
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumeSetupToken, newSetupToken, TOKEN_LIFE_MS } from '../../../modules/hostmaster-setup/token.js';
import { expectCode } from '../../harness/expect.js';
import { until } from '../hosting/env.js';
import { hostmasterBox, type HostmasterBox } from './env.js';
import { localHttp as http } from '../../harness/local-http.js';

/** Start hostmaster-start on the box; resolves with the child and the token it printed. */
async function startWizard(box: HostmasterBox): Promise<{ token: string; out: () => string; child: ReturnType<HostmasterBox['spawn']> }> {
  const s = box.spawn(['hostmaster-start', `--port=${box.port}`]);
  let text = '';
  s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
  s.child.stderr!.on('data', (c: Buffer) => { text += c.toString(); });
  await until(() => /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/.test(text), 60_000);
  await until(async () => (await http(box.port, 'GET', '/').catch(() => ({ status: 0 }))).status === 200, 30_000);
  return { token: /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/.exec(text)![0], out: () => text, child: s };
}

describe('setup tokens', () => {
  let box: HostmasterBox;
  before(async () => { box = await hostmasterBox(); });
  after(async () => { await box.stop(); });

  it('a token works once, and neither a wrong, an expired, a damaged nor a missing one is taken (ERR_SETUP_TOKEN_INVALID)', async () => {
    const { token } = newSetupToken(box.home, 1000);
    await expectCode(Promise.resolve().then(() => consumeSetupToken(box.home, 'AAAA-BBBB-CCCC-DDDD', 2000)), 'ERR_SETUP_TOKEN_INVALID');
    await expectCode(Promise.resolve().then(() => consumeSetupToken(box.home, token, 1000 + TOKEN_LIFE_MS + 1)), 'ERR_SETUP_TOKEN_INVALID');
    consumeSetupToken(box.home, token.toLowerCase().replace(/-/g, ' '), 2000);
    await expectCode(Promise.resolve().then(() => consumeSetupToken(box.home, token, 3000)), 'ERR_SETUP_TOKEN_INVALID');
    writeFileSync(join(box.home, 'setup-token.json'), '{"sha256": 1}');
    await expectCode(Promise.resolve().then(() => consumeSetupToken(box.home, token, 3000)), 'ERR_SETUP_TOKEN_INVALID');
  });
});

describe('aegir hostmaster-start: the first-run wizard, then the hostmaster', function () {
  this.timeout(300_000);
  let box: HostmasterBox;
  before(async () => { box = await hostmasterBox(); });
  after(async () => { await box?.stop(); });

  it('brute-force: five wrong setup tokens in a minute, and even the right one is answered 429', async () => {
    const w = await startWizard(box);
    try {
      for (let i = 0; i < 5; i++) expect((await http(box.port, 'POST', '/setup/token', { form: { token: `WRONG-${i}` } })).status).to.equal(403);
      const r = await http(box.port, 'POST', '/setup/token', { form: { token: w.token } });
      expect(r.status).to.equal(429);
      expect(r.headers['set-cookie']).to.equal(undefined);
    } finally {
      w.child.child.kill('SIGTERM');
      await w.child.done;
    }
  });

  it('installs from the web with the token, hands its port to the hostmaster, serves it until SIGTERM, which ends every process', async () => {
    const w = await startWizard(box);
    // Without the token: only the token form, and no way to the install.
    expect((await http(box.port, 'GET', '/')).body).to.contain('name="token"');
    expect((await http(box.port, 'POST', '/setup/install', { form: { uri: 'localhost' } })).status).to.equal(403);
    const wrong = await http(box.port, 'POST', '/setup/token', { form: { token: 'AAAA-BBBB-CCCC-DDDD' } });
    expect(wrong.status).to.equal(403);
    expect(wrong.body).to.contain('not the token the console printed');
    const right = await http(box.port, 'POST', '/setup/token', { form: { token: w.token } });
    expect(right.status).to.equal(303);
    const cookie = String(right.headers['set-cookie']).split(';')[0]!;
    // Used up: the same token again is refused.
    expect((await http(box.port, 'POST', '/setup/token', { form: { token: w.token } })).status).to.equal(403);
    const form = await http(box.port, 'GET', '/', { cookie });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    // csrf: the session alone is not enough.
    expect((await http(box.port, 'POST', '/setup/install', { cookie, form: { uri: 'localhost' } })).status).to.equal(403);
    const bad = await http(box.port, 'POST', '/setup/install', { cookie, form: { csrf, uri: 'no way', http: 'builtin', http_port: String(box.port), db: 'sqlite', account_name: 'admin', account_mail: 'x' } });
    expect(bad.status).to.equal(422);
    expect(bad.body).to.match(/id="uri"[^]*?form-item__error[^>]*>[^<]*not a host name/);
    expect(bad.body).to.contain('Give an e-mail address.');
    expect(existsSync(join(box.tc.root, 'sites', 'localhost'))).to.equal(false);
    const go = await http(box.port, 'POST', '/setup/install', { cookie, form: { csrf, uri: 'localhost', http: 'builtin', http_port: String(box.port), db: 'sqlite', account_name: 'admin', account_mail: 'admin@example.com' } });
    expect(go.status).to.equal(303);
    // The login link is known before the handover; then the hostmaster itself answers on the port.
    let login = '';
    await until(async () => {
      const p = await http(box.port, 'GET', '/setup/progress.json', { cookie }).catch(() => undefined);
      if (p?.status === 200 && p.headers['x-aegir-setup'] === '1') login = (JSON.parse(p.body) as { login: string | null }).login ?? login;
      return login !== '' && (p === undefined || p.headers['x-aegir-setup'] === undefined);
    }, 120_000);
    await until(async () => (await http(box.port, 'GET', '/user/login').catch(() => ({ status: 0 }))).status === 200, 120_000);
    expect((await http(box.port, 'GET', '/user/login')).headers['x-aegir-setup']).to.equal(undefined);
    expect((await http(box.port, 'GET', new URL(login).pathname)).status).to.equal(200);
    await until(() => w.out().includes('The hostmaster runs at'), 60_000).catch((e: Error) => { throw new Error(`${e.message}; the process printed:\n${w.out()}`); });
    expect(existsSync(join(box.home, 'setup-token.json'))).to.equal(false);
    expect(box.pids().length).to.equal(2);
    w.child.child.kill('SIGTERM');
    const end = await w.child.done;
    expect(end.code, w.out()).to.equal(0);
    expect(box.pids()).to.deep.equal([]);
  });

  it('a second start serves the installed hostmaster at once (no wizard, no token)', async () => {
    const s = box.spawn(['hostmaster-start', `--port=${box.port}`]);
    let text = '';
    s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
    s.child.stderr!.on('data', (c: Buffer) => { text += c.toString(); });
    try {
      await until(() => text.includes('The hostmaster runs at'), 120_000);
      expect(text).not.to.match(/setup token/);
      expect((await http(box.port, 'GET', '/user/login')).status).to.equal(200);
    } finally {
      s.child.kill('SIGTERM');
      await s.done;
    }
    expect(box.pids()).to.deep.equal([]);
  });
});

describe('aegir hostmaster-start: stopped as soon as the hostmaster answers', function () {
  this.timeout(300_000);
  let box: HostmasterBox;
  before(async () => { box = await hostmasterBox(); });
  after(async () => { await box?.stop(); });

  it('SIGTERM while a start still checks the hostmaster\'s processes ends them too (they were left running)', async () => {
    const installed = await box.aegir(['hostmaster-install', `--http-port=${box.port}`, '-q']);
    expect(installed.code, installed.stderr).to.equal(0);
    for (const p of box.pids()) process.kill(p, 'SIGTERM');
    await until(() => box.pids().length === 0, 20_000);
    const s = box.spawn(['hostmaster-start']);
    let text = '';
    s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
    s.child.stderr!.on('data', (c: Buffer) => { text += c.toString(); });
    // The web server and the app process run again before the start has checked them all and said so.
    await until(async () => (await http(box.port, 'GET', '/user/login').catch(() => ({ status: 0 }))).status === 200, 120_000);
    const early = !text.includes('The hostmaster runs at');
    s.child.kill('SIGTERM');
    const end = await s.done;
    expect(end.code, text).to.equal(0);
    expect(text).to.include('SIGTERM: stopping the hostmaster');
    expect(box.pids(), `stopped ${early ? 'before' : 'after'} it said it runs`).to.deep.equal([]);
  });
});

describe('aegir hostmaster-start: stopped while the wizard runs', function () {
  this.timeout(300_000);
  let box: HostmasterBox;
  before(async () => { box = await hostmasterBox(); });
  after(async () => { await box?.stop(); });

  /** The token typed and the answers form's csrf value: a browser session ready to install. */
  const session = async (w: Awaited<ReturnType<typeof startWizard>>): Promise<{ cookie: string; csrf: string }> => {
    const right = await http(box.port, 'POST', '/setup/token', { form: { token: w.token } });
    const cookie = String(right.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec((await http(box.port, 'GET', '/', { cookie })).body)![1]!;
    return { cookie, csrf };
  };

  it('SIGTERM before an install ends the wizard at once, having made nothing', async () => {
    const w = await startWizard(box);
    await session(w);
    w.child.child.kill('SIGTERM');
    const end = await w.child.done;
    expect(end.code, w.out()).to.equal(0);
    expect(w.out()).to.include('SIGTERM: stopped before anything was installed');
    expect(existsSync(join(box.tc.root, 'sites', 'localhost'))).to.equal(false);
    expect(box.pids()).to.deep.equal([]);
  });

  it('SIGTERM during the install lets it finish, then ends what it started; the next start serves the hostmaster', async () => {
    const w = await startWizard(box);
    const { cookie, csrf } = await session(w);
    const go = await http(box.port, 'POST', '/setup/install', { cookie, form: { csrf, uri: 'localhost', http: 'builtin', http_port: String(box.port), db: 'sqlite', account_name: 'admin', account_mail: 'admin@example.com' } });
    expect(go.status).to.equal(303);
    await until(async () => ((JSON.parse((await http(box.port, 'GET', '/setup/progress.json', { cookie })).body) as { steps: string[] }).steps.length > 0), 60_000);
    w.child.child.kill('SIGTERM');
    const end = await w.child.done;
    expect(end.code, w.out()).to.equal(0);
    expect(w.out()).to.include('SIGTERM: the install under way finishes (or is taken back) first');
    expect(w.out()).to.include('The hostmaster is installed at');
    expect(w.out()).to.include('SIGTERM: stopped; the next start serves the hostmaster');
    expect(existsSync(join(box.tc.root, 'sites', 'localhost', 'settings.json'))).to.equal(true);
    expect(box.pids(), 'the web server and the app process the install started are ended').to.deep.equal([]);
    const s = box.spawn(['hostmaster-start', `--port=${box.port}`]);
    let text = '';
    s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
    s.child.stderr!.on('data', (c: Buffer) => { text += c.toString(); });
    try {
      await until(() => text.includes('The hostmaster runs at'), 120_000).catch((e: Error) => { throw new Error(`${e.message}; the second start printed:\n${text}`); });
      expect((await http(box.port, 'GET', '/user/login')).status).to.equal(200);
    } finally {
      s.child.kill('SIGTERM');
      await s.done;
    }
  });
});

