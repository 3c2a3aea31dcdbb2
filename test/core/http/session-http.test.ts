import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { sessionCookieName } from '../../../core/http/app.js';
import { ANONYMOUS_IDLE_MS } from '../../../core/http/session.js';
import { DRIVERS } from '../../harness/codebase.js';
import { csrfToken, serve, type Client, type Reply, type Served, webSite, type WebSite } from './client.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

for (const driver of DRIVERS) {
  describe(`sessions over HTTP (${driver})`, () => {
    let ws: WebSite;
    let served: Served;
    let c: Client;
    let cookieName: string;

    const whoami = async (client: Client): Promise<number> => (JSON.parse((await client.get('/webtest/json')).body) as { uid: number }).uid;
    const setCookies = (r: Reply): string[] => r.headers['set-cookie'] ?? [];
    const sids = async (): Promise<string[]> => ((await ws.site.db('core_sessions').select('sid')) as { sid: string }[]).map((r) => r.sid);

    before(async () => {
      ws = await webSite(driver);
      served = await serve(ws.tc);
      cookieName = sessionCookieName(ws.site);
    });
    after(async () => {
      await served.stop();
      await ws.site.close();
      ws.tc.cleanup();
    });
    beforeEach(async () => {
      c = served.client();
      await ws.site.db('core_sessions').delete();
    });

    it('sends no cookie and stores no session for pages that store nothing', async () => {
      for (const path of ['/webtest', '/webtest/json', '/no/such/page', '/webtest/secret', '/webtest/boom']) {
        expect(setCookies(await c.get(path)), path).to.deep.equal([]);
      }
      expect(await sids()).to.deep.equal([]);
    });

    it('sets an HttpOnly, SameSite=Lax cookie for the whole site once something is stored', async () => {
      const r = await c.get('/webtest/form');
      const cookies = setCookies(r);
      expect(cookies).to.have.length(1);
      const cookie = cookies[0]!;
      expect(cookie.startsWith(`${cookieName}=`)).to.equal(true);
      expect(cookie).to.match(/;\s*HttpOnly/i);
      expect(cookie).to.match(/;\s*SameSite=Lax/i);
      expect(cookie).to.match(/;\s*Path=\/(;|$)/);
      expect(cookie, 'not Secure over plain HTTP').to.not.match(/;\s*Secure/i);
      // A second visit with the cookie does not send it again.
      expect(setCookies(await c.get('/webtest/form'))).to.deep.equal([]);
    });

    it('session-flood: 100 cookieless GETs of a form page store no session rows; each cookie still guards its forms', async () => {
      const visitors = Array.from({ length: 100 }, () => served.client());
      const pages: Reply[] = [];
      for (let i = 0; i < visitors.length; i += 10) pages.push(...await Promise.all(visitors.slice(i, i + 10).map((v) => v.get('/webtest/form'))));
      for (const p of pages) {
        expect(p.status).to.equal(200);
        expect(setCookies(p), 'each visitor gets a cookie for the form token').to.have.length(1);
      }
      expect(await sids(), 'and the database gets nothing').to.deep.equal([]);
      const [a, b] = visitors as [Client, Client];
      const tokenA = csrfToken(pages[0]!.body);
      expect((await b.post('/webtest/form', { _token: tokenA, title: 'Cross' })).status, 'a token with another cookie').to.equal(403);
      const r = await a.post('/webtest/form', { _token: tokenA, title: 'Flood ok' });
      expect(r.status, r.body.slice(0, 300)).to.equal(303);
      // The message the submit left needs a row: a short-lived one, gone once the message is shown.
      const [row] = (await ws.site.db('core_sessions').select('expires')) as { expires: number }[];
      expect(Number(row!.expires)).to.be.at.most(Date.now() + ANONYMOUS_IDLE_MS);
      expect((await a.get('/webtest/saved')).body).to.include('Saved the webtest form.');
      expect(await sids()).to.deep.equal([]);
      expect((await a.submit('/webtest/form', { title: 'Again' })).status, 'the cookie goes on working').to.equal(303);
    });

    it('the database holds the sha256 of the cookie token, never the token', async () => {
      await c.get('/webtest/remember?value=kept');
      const token = c.jar.get(cookieName)!;
      expect(await sids()).to.deep.equal([sha256(token)]);
      const all = JSON.stringify(await ws.site.db('core_sessions').select());
      expect(all).to.not.include(token);
    });

    it('session-fixation: logging in gives a new token; the planted one is anonymous afterwards', async () => {
      // The attacker gets an anonymous session and plants its cookie in the victim's browser.
      const attacker = served.client();
      await attacker.get('/webtest/form');
      const planted = attacker.jar.get(cookieName)!;
      const victim = served.client();
      victim.jar.set(cookieName, planted);
      const login = await victim.get('/webtest/login');
      expect(login.status).to.equal(303);
      const fresh = victim.jar.get(cookieName)!;
      expect(fresh).to.be.a('string').and.not.equal(planted);
      expect(await whoami(victim)).to.equal(4242);
      expect(await whoami(attacker), 'the planted token is worth nothing').to.equal(0);
      expect(await sids()).to.not.include(sha256(planted));
    });

    it('logging out deletes the session and clears the cookie', async () => {
      await c.get('/webtest/login');
      const token = c.jar.get(cookieName)!;
      const r = await c.get('/webtest/logout');
      expect(r.status).to.equal(303);
      const cleared = setCookies(r).find((s) => s.startsWith(`${cookieName}=`));
      expect(cleared).to.match(/Max-Age=0/i);
      expect(c.jar.has(cookieName)).to.equal(false);
      expect(await sids()).to.not.include(sha256(token));
      const replay = served.client();
      replay.jar.set(cookieName, token);
      expect(await whoami(replay)).to.equal(0);
    });

    it('an expired session is not loaded', async () => {
      await c.get('/webtest/login');
      expect(await whoami(c)).to.equal(4242);
      await ws.site.db('core_sessions').update({ expires: Date.now() - 1000 });
      expect(await whoami(c)).to.equal(0);
    });

    it('access-bypass: a session of a user nobody knows is anonymous and is ended', async () => {
      await c.get('/webtest/remember?value=kept');
      const token = c.jar.get(cookieName)!;
      await ws.site.db('core_sessions').where({ sid: sha256(token) }).update({ uid: 987_654 });
      const r = await c.get('/webtest/json');
      expect((JSON.parse(r.body) as { uid: number }).uid).to.equal(0);
      expect(setCookies(r).join('\n')).to.match(/Max-Age=0/i);
      expect(await sids()).to.not.include(sha256(token));
    });

    it('a forged cookie is anonymous and creates nothing', async () => {
      c.jar.set(cookieName, 'A'.repeat(43));
      expect(await whoami(c)).to.equal(0);
      expect(await sids()).to.deep.equal([]);
    });

    it('keeps values between requests and shows a message once', async () => {
      const r = await c.get('/webtest/remember?value=blue');
      expect(r.status).to.equal(303);
      expect(r.headers.location).to.equal('/webtest/recall');
      const first = await c.get('/webtest/recall');
      expect(first.body).to.include('Value: blue');
      expect(first.body).to.include('Remembered blue.');
      const second = await c.get('/webtest/recall');
      expect(second.body).to.include('Value: blue');
      expect(second.body).to.not.include('Remembered blue.');
    });

    it('xss: a message with markup is escaped', async () => {
      await c.get(`/webtest/remember?value=${encodeURIComponent('<script>alert(1)</script>')}`);
      const r = await c.get('/webtest/recall');
      expect(r.body).to.not.include('<script>alert(1)</script>');
      expect(r.body).to.include('Remembered &lt;script&gt;alert(1)&lt;/script&gt;.');
    });
  });
}
