import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeTable } from '../../../core/http/routes.js';
import { enableModules } from '../../../core/modules/lifecycle.js';
import { WEBTEST_BOOM } from '../../fixtures/modules/webtest/index.js';
import { h1Of, linksOf, securityHeaderProblems, serve, titleOf, webSite, type Client, type Served, type WebSite } from './client.js';

describe('web routing (sqlite)', () => {
  let ws: WebSite;
  let served: Served;
  let c: Client;

  before(async () => {
    ws = await webSite('sqlite');
    served = await serve(ws.tc);
  });
  after(async () => {
    await served.stop();
    await ws.site.close();
    ws.tc.cleanup();
  });
  beforeEach(async () => {
    c = served.client();
    await ws.site.config.delete('webtest.allow');
    await ws.site.config.delete('system.front_page');
  });

  describe('pages', () => {
    it('shows a public page inside the theme, its title in <title> and <h1>', async () => {
      const r = await c.get('/webtest');
      expect(r.status).to.equal(200);
      expect(r.headers['content-type']).to.match(/^text\/html; charset=utf-8/);
      expect(titleOf(r.body)).to.equal('Webtest home | Test site');
      expect(h1Of(r.body)).to.equal('Webtest home');
      expect(r.body.trimStart()).to.match(/^<!DOCTYPE html>/i);
      expect(r.body).to.include('<p class="webtest-home">Site Test site says hello.</p>');
      expect(r.body).to.include('href="/themes/frontend/assets/frontend.css"');
    });

    it('uses the admin theme under /admin and the default theme elsewhere', async () => {
      const admin = await c.get('/admin/webtest');
      expect(admin.status).to.equal(200);
      expect(admin.body).to.include('href="/themes/admin/assets/admin.css"');
      expect(admin.body).to.not.include('frontend.css');
      const front = await c.get('/webtest');
      expect(front.body).to.not.include('admin.css');
    });

    it('answers HEAD like GET, without a body', async () => {
      const r = await c.request('HEAD', '/webtest');
      expect(r.status).to.equal(200);
      expect(r.headers['content-type']).to.match(/^text\/html/);
      expect(r.body).to.equal('');
      expect((await c.request('HEAD', '/no/such/page')).status).to.equal(404);
    });

    it('"/" shows the page at system.front_page, and the system front page without it', async () => {
      const plain = await c.get('/');
      expect(plain.status).to.equal(200);
      expect(h1Of(plain.body)).to.equal('Welcome to Test site');
      await ws.site.config.set('system.front_page', '/webtest');
      const front = await c.get('/');
      expect(front.status).to.equal(200);
      expect(h1Of(front.body)).to.equal('Webtest home');
      expect(front.body).to.include('class="webtest-home"');
    });

    it('shows a menu link, marked as the current page where it points', async () => {
      expect(linksOf((await c.get('/webtest')).body)).to.deep.include({ href: '/webtest', text: 'Webtest', current: true });
      expect(linksOf((await c.get('/')).body)).to.deep.include({ href: '/webtest', text: 'Webtest', current: false });
    });

    it('access-bypass: a menu link to a page the visitor may not see is not shown', async () => {
      expect((await c.get('/webtest')).body).to.not.include('href="/webtest/secret"');
      await ws.site.config.set('webtest.allow', true);
      expect((await c.get('/webtest')).body).to.include('href="/webtest/secret"');
    });

    it('access-bypass: a tab the visitor may not follow is not shown, and its page is a 403', async () => {
      expect(linksOf((await c.get('/webtest/item/one')).body).map((l) => l.href)).to.not.include('/webtest/item/one/secret');
      expect((await c.get('/webtest/item/one/secret')).status).to.equal(403);
      await ws.site.config.set('webtest.allow', true);
      expect(linksOf((await c.get('/webtest/item/one')).body)).to.deep.include({ href: '/webtest/item/one/secret', text: 'Secret tab', current: false });
      expect((await c.get('/webtest/item/one/secret')).status).to.equal(200);
    });

    it('shows tabs of a route on its base page and on the tab, with the path parameters filled in', async () => {
      const base = await c.get('/webtest/item/one');
      expect(base.status).to.equal(200);
      expect(linksOf(base.body)).to.deep.include.members([
        { href: '/webtest/item/one', text: 'View', current: true },
        { href: '/webtest/item/one/details', text: 'Details', current: false },
      ]);
      const tab = await c.get('/webtest/item/one/details');
      expect(tab.status).to.equal(200);
      expect(linksOf(tab.body)).to.deep.include.members([
        { href: '/webtest/item/one', text: 'View', current: false },
        { href: '/webtest/item/one/details', text: 'Details', current: true },
      ]);
      expect(linksOf((await c.get('/webtest')).body).map((l) => l.text)).to.not.include('Details');
    });
  });

  describe('param loaders', () => {
    it('hands the loaded object to the route (title from it)', async () => {
      const r = await c.get('/webtest/item/one');
      expect(r.status).to.equal(200);
      expect(h1Of(r.body)).to.equal('First item');
      expect(r.body).to.include('data-id="one"');
    });

    it('xss: a loaded title with markup is escaped in <title> and <h1>', async () => {
      const r = await c.get('/webtest/item/two');
      expect(r.status).to.equal(200);
      expect(r.body).to.not.include('<b>item</b>');
      expect(titleOf(r.body)).to.equal('Second &lt;b&gt;item&lt;/b&gt; | Test site');
    });

    it('is a themed 404 when the loader finds nothing, also for a malformed escape', async () => {
      for (const path of ['/webtest/item/nothing', '/webtest/item/%E0%A4%A', '/webtest/item/nothing/details']) {
        const r = await c.get(path);
        expect(r.status, path).to.equal(404);
        expect(titleOf(r.body), path).to.equal('Page not found | Test site');
      }
    });
  });

  describe('errors', () => {
    it('is a themed 404 for an unknown path', async () => {
      const r = await c.get('/no/such/page');
      expect(r.status).to.equal(404);
      expect(r.headers['content-type']).to.match(/^text\/html/);
      expect(titleOf(r.body)).to.equal('Page not found | Test site');
      expect(h1Of(r.body)).to.equal('Page not found');
    });

    it('is a 405 for a POST to a GET-only route', async () => {
      const r = await c.post('/webtest', { a: 'b' });
      expect(r.status).to.equal(405);
      expect(h1Of(r.body)).to.equal('Method not allowed');
    });

    it('a 405 says which methods the page allows (Allow header, RFC 9110 15.5.6)', async () => {
      const r = await c.post('/webtest', { a: 'b' });
      expect(r.status).to.equal(405);
      expect(String(r.headers.allow ?? '').split(/,\s*/).sort()).to.deep.equal(['GET', 'HEAD']);
    });

    it('access-bypass: a page the visitor may not see is a 403, also by HEAD and POST', async () => {
      const r = await c.get('/webtest/secret');
      expect(r.status).to.equal(403);
      expect(h1Of(r.body)).to.equal('Access denied');
      expect(r.body).to.not.include('The secret page.');
      expect((await c.request('HEAD', '/webtest/secret')).status).to.equal(403);
      expect((await c.post('/webtest/secret', {})).status).to.be.oneOf([403, 405]);
      await ws.site.config.set('webtest.allow', true);
      const allowed = await c.get('/webtest/secret');
      expect(allowed.status).to.equal(200);
      expect(allowed.body).to.include('The secret page.');
    });

    it('a route that throws is a themed 500 without the error or a stack trace, and the error is logged', async () => {
      const before = ws.tc.logs.length;
      const r = await c.get('/webtest/boom');
      expect(r.status).to.equal(500);
      expect(r.headers['content-type']).to.match(/^text\/html/);
      expect(h1Of(r.body)).to.equal('Something went wrong');
      expect(r.body).to.not.include(WEBTEST_BOOM);
      expect(r.body).to.not.include('secret-detail');
      expect(r.body).to.not.match(/\bat \S+ \(/);
      expect(r.body).to.not.match(/\.ts:\d+/);
      expect(r.body).to.not.include(ws.tc.root);
      const logged = ws.tc.logs.slice(before).filter((l) => l.level === 'error');
      expect(logged.map((l) => l.message).join('\n')).to.include(WEBTEST_BOOM);
    });

    it('an expected 404 is not logged as an error', async () => {
      const before = ws.tc.logs.length;
      await c.get('/no/such/page');
      expect(ws.tc.logs.slice(before).filter((l) => l.level === 'error')).to.deep.equal([]);
    });
  });

  describe('headers', () => {
    it('every response carries the security headers and no X-Powered-By', async () => {
      const replies = {
        page: await c.get('/webtest'),
        form: await c.get('/webtest/form'),
        notFound: await c.get('/no/such/page'),
        forbidden: await c.get('/webtest/secret'),
        methodNotAllowed: await c.post('/webtest', {}),
        error: await c.get('/webtest/boom'),
        json: await c.get('/webtest/json'),
        redirect: await c.get('/webtest/go'),
        asset: await c.get('/themes/frontend/assets/frontend.css'),
        missingAsset: await c.get('/themes/frontend/assets/nothing.css'),
        head: await c.request('HEAD', '/webtest'),
      };
      for (const [what, r] of Object.entries(replies)) expect(securityHeaderProblems(r), what).to.deep.equal([]);
      expect(replies.asset.status).to.equal(200);
    });

    it('pages carry a Server-Timing header', async () => {
      for (const path of ['/webtest', '/no/such/page', '/webtest/boom', '/webtest/json']) {
        const r = await c.get(path);
        expect(r.headers['server-timing'], path).to.match(/^app;dur=\d+(\.\d+)?$/);
      }
    });
  });

  describe('JSON, redirects and the request context', () => {
    it('a JSON route answers application/json', async () => {
      const r = await c.get('/webtest/json');
      expect(r.status).to.equal(200);
      expect(r.headers['content-type']).to.match(/^application\/json/);
      expect(JSON.parse(r.body)).to.deep.include({ site: 'site.test', uid: 0 });
    });

    it('ctx.url fills in parameters escaped', async () => {
      const r = JSON.parse((await c.get('/webtest/json')).body) as { url: string };
      expect(r.url).to.equal('/webtest/item/a%20b%2Fc');
    });

    it('ctx.query holds the first value of a repeated query parameter', async () => {
      const r = JSON.parse((await c.get('/webtest/json?q=first&q=second&one=1')).body) as { query: Record<string, string> };
      expect(r.query.one).to.equal('1');
      expect(r.query.q).to.equal('first');
    });

    it('a redirect result to a local path is followed as given', async () => {
      const r = await c.get('/webtest/go?to=%2Fwebtest%2Fsaved%3Fx%3D1');
      expect(r.status).to.equal(302);
      expect(r.headers.location).to.equal('/webtest/saved?x=1');
    });

    for (const to of ['//evil.example', 'http://evil.example', 'https://evil.example/x', '/\\evil.example', '\\\\evil.example', 'javascript:alert(1)', '/\t/evil.example', ' //evil.example', 'HTTP://evil.example']) {
      it(`open-redirect: a redirect result to ${JSON.stringify(to)} stays on the site`, async () => {
        const r = await c.get(`/webtest/go?to=${encodeURIComponent(to)}`);
        expect(r.status).to.equal(302);
        const location = String(r.headers.location);
        expect(location.startsWith('/'), location).to.equal(true);
        expect(location).to.not.match(/^\/[/\\]/);
        expect(new URL(location, 'http://site.test/').host).to.equal('site.test');
      });
    }
  });
});

describe('web routing: the login link on a 403 (sqlite)', () => {
  let ws: WebSite;
  let served: Served | undefined;

  beforeEach(async () => {
    ws = await webSite('sqlite');
  });
  afterEach(async () => {
    await served?.stop();
    served = undefined;
    await ws.site.close();
    ws.tc.cleanup();
  });

  /** A module that declares a 'user.login' route, for sites whose user module has none yet. */
  function addLoginModule(): void {
    const dir = join(ws.tc.root, 'modules', 'webtest_login');
    mkdirSync(dir);
    writeFileSync(join(dir, 'module.json'), JSON.stringify({ name: 'webtest_login', description: 'Temporary: a user.login route.', version: '1.0.0', main: 'index.mjs', dependencies: { system: '*' } }));
    writeFileSync(join(dir, 'index.mjs'), `export default { register(api) { api.on('http.routes', (add) => add({
      name: 'user.login', path: '/user/login', title: 'Log in', access: { public: true },
      handler: () => ({ kind: 'page', title: 'Log in', content: { text: 'login form' } }),
    })); } };\n`);
  }

  it('links an anonymous visitor to the login page only when a user.login route exists', async () => {
    const had = routeTable(ws.site.kernel).byName.get('user.login');
    served = await serve(ws.tc);
    const before = await served.client().get('/webtest/secret?x=1');
    expect(before.status).to.equal(403);
    if (had) expect(before.body).to.include(`href="${had.definition.path}?destination=%2Fwebtest%2Fsecret%3Fx%3D1"`);
    else expect(before.body).to.not.include('destination=');
    await served.stop();
    served = undefined;

    if (!had) {
      addLoginModule();
      await enableModules(ws.site, ['webtest_login']);
    }
    const login = routeTable(ws.site.kernel).byName.get('user.login')!.definition.path;
    served = await serve(ws.tc);
    const anon = served.client();
    const r = await anon.get('/webtest/secret?x=1');
    expect(r.status).to.equal(403);
    expect(r.body).to.include(`href="${login}?destination=%2Fwebtest%2Fsecret%3Fx%3D1"`);

    // A logged-in visitor who is refused gets no login link.
    const user = served.client();
    expect((await user.get('/webtest/login')).status).to.equal(303);
    expect(JSON.parse((await user.get('/webtest/json')).body)).to.deep.include({ uid: 4242 });
    const refused = await user.get('/webtest/secret');
    expect(refused.status).to.equal(403);
    expect(refused.body).to.not.include('destination=');
  });

  it('access-bypass: an account with the permission the check asks for gets in, others do not', async () => {
    served = await serve(ws.tc);
    const user = served.client();
    await user.get('/webtest/login');
    expect((await user.get('/webtest/secret')).status).to.equal(403);
    await ws.site.config.set('webtest.perms', ['view webtest secret']);
    expect((await user.get('/webtest/secret')).status).to.equal(200);
    expect((await served.client().get('/webtest/secret')).status).to.equal(403);
  });
});
