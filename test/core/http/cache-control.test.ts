import { expect } from 'chai';
import { serve, type Client, type Reply, type Served, webSite, type WebSite } from './client.js';

const cacheControl = (r: Reply): string => String(r.headers['cache-control'] ?? '');
const isPrivate = (r: Reply): boolean => /\bprivate\b/.test(cacheControl(r)) && /\bno-store\b/.test(cacheControl(r));

describe('caching headers over HTTP (sqlite)', () => {
  let ws: WebSite;
  let served: Served;
  before(async () => {
    ws = await webSite('sqlite');
    served = await serve(ws.tc);
  });
  after(async () => {
    await served.stop();
    await ws.site.close();
    ws.tc.cleanup();
  });

  const loggedIn = async (): Promise<Client> => {
    const c = served.client();
    expect((await c.get('/webtest/login')).status).to.equal(303);
    return c;
  };

  it('cache-control: every answer to a logged-in user is private, no-store (pages, JSON, redirects, errors)', async () => {
    const c = await loggedIn();
    for (const path of ['/webtest', '/webtest/json', '/webtest/form', '/webtest/go?to=/webtest', '/no/such/page', '/admin/webtest']) {
      const r = await c.get(path);
      expect(isPrivate(r), `${path} (${r.status}): "${cacheControl(r)}"`).to.equal(true);
    }
  });

  it('cache-control: the login redirect that sets the cookie and the logout that clears it are private, no-store', async () => {
    const c = served.client();
    expect(isPrivate(await c.get('/webtest/login'))).to.equal(true);
    expect(isPrivate(await c.get('/webtest/logout'))).to.equal(true);
  });

  it('cache-control: an anonymous page with a form is private too, since its CSRF token is bound to the visitor\'s cookie', async () => {
    const first = await served.client().get('/webtest/form');
    expect(first.headers['set-cookie']).to.have.length(1);
    expect(isPrivate(first)).to.equal(true);
  });

  it('an anonymous page without a session may be cached, but only per cookie (Vary: Cookie)', async () => {
    const r = await served.client().get('/webtest');
    expect(r.headers['set-cookie']).to.equal(undefined);
    expect(isPrivate(r), cacheControl(r)).to.equal(false);
    expect(String(r.headers.vary)).to.match(/\bCookie\b/i);
  });
});
