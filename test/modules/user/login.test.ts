import { expect } from 'chai';
import { updateUser } from '../../../modules/user/accounts.js';
import { formToken, messagesOf, serveSite, type ServedSite } from '../../harness/http.js';
import { account, login, PASS, whoAmI } from './helpers.js';

describe('user login and logout over HTTP (sqlite)', () => {
  let s: ServedSite;
  before(async () => { s = await serveSite(); });
  after(async () => { await s.stop(); });

  it('logs in with name and password, goes to the account page and shows the account menu', async () => {
    const uid = await account(s.site, 'alice');
    const c = s.client();
    const form = await c.get('/user/login');
    expect(form.status).to.equal(200);
    expect(form.body).to.include('href="/user/login"').and.not.include('href="/user/logout"');
    const r = await login(c, 'alice');
    expect(r.location).to.equal(`/user/${uid}`);
    expect(await whoAmI(c)).to.equal(uid);
    const me = await c.get(`/user/${uid}`);
    expect(me.status).to.equal(200);
    expect(me.body).to.include('href="/user/logout"').and.include('href="/user"');
    expect(Number((await s.site.db('users').where({ uid }).first('login')).login)).to.be.greaterThan(0);
  });

  it('the name is matched without regard to case', async () => {
    const uid = await account(s.site, 'CamelCase');
    const c = s.client();
    await login(c, 'camelcase');
    expect(await whoAmI(c)).to.equal(uid);
  });

  it('a wrong password or an unknown name is refused with the same error and no session', async () => {
    await account(s.site, 'bruno');
    const answers = [];
    for (const [name, pass] of [['bruno', 'wrong password'], ['nobody-here', PASS]] as const) {
      const c = s.client();
      const r = await c.postForm('/user/login', { name, pass });
      expect(r.status).to.equal(422);
      answers.push(messagesOf(r.body, 'error').join(' | '));
      expect(await whoAmI(c)).to.equal(0);
    }
    expect(answers[0]).to.include('Unrecognized username or password');
    expect(answers[1]).to.equal(answers[0]);
  });

  it('a blocked user cannot log in', async () => {
    const uid = await account(s.site, 'blocked-one');
    await updateUser(s.site, uid, { status: 0 });
    const c = s.client();
    const r = await c.postForm('/user/login', { name: 'blocked-one', pass: PASS });
    expect(r.status).to.equal(422);
    expect(await whoAmI(c)).to.equal(0);
  });

  it('goes to ?destination= when it is a local path, never to another site', async () => {
    await account(s.site, 'traveller');
    const ok = s.client();
    expect((await login(ok, 'traveller', PASS, '/user/login?destination=%2Fadmin%3Fx%3D1')).location).to.equal('/admin?x=1');
    for (const evil of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const c = s.client();
      const r = await login(c, 'traveller', PASS, `/user/login?destination=${encodeURIComponent(evil)}`);
      expect(r.location, evil).to.match(/^\/user\/\d+$/);
    }
  });

  it('/user sends anonymous visitors to the login form; the login form is for anonymous visitors only', async () => {
    const anon = s.client();
    expect((await anon.get('/user')).location).to.equal('/user/login');
    await account(s.site, 'already');
    const c = s.client();
    await login(c, 'already');
    expect((await c.get('/user/login')).status).to.equal(403);
  });

  it('logs out through a confirmation form: GET changes nothing, POST ends the session', async () => {
    const uid = await account(s.site, 'leaver');
    const c = s.client();
    await login(c, 'leaver');
    const confirm = await c.get('/user/logout');
    expect(confirm.status).to.equal(200);
    expect(await whoAmI(c)).to.equal(uid);
    const token = c.session()!;
    const r = await c.post('/user/logout', { _token: formToken(confirm.body, 'user_logout') });
    expect(r.status).to.equal(303);
    expect(r.location).to.equal('/');
    expect(await whoAmI(c)).to.equal(0);
    // The old session cookie is worthless now.
    const replay = s.client();
    replay.jar.set([...c.jar.keys()].find((k) => k.startsWith('aegir_')) ?? 'aegir_x', token);
    expect(await whoAmI(replay)).to.equal(0);
    expect(s.tc.logs.some((l) => l.message === `Session closed for user ${uid}.`)).to.equal(true);
  });

  it('logout is for logged-in users: anonymous visitors are refused', async () => {
    const anon = s.client();
    expect((await anon.get('/user/logout')).status).to.equal(403);
  });

  it('session-fixation: the cookie from before login is not the session after login, and its tokens are dead', async () => {
    const uid = await account(s.site, 'fixated');
    const c = s.client();
    const before = await c.get('/user/password');
    const oldToken = formToken(before.body, 'user_pass');
    const cookieName = [...c.jar.keys()].find((k) => k.startsWith('aegir_'))!;
    const planted = c.jar.get(cookieName)!;
    await login(c, 'fixated');
    expect(c.jar.get(cookieName)).to.be.a('string').and.not.equal(planted);
    // Whoever planted the old cookie is not logged in with it.
    const attacker = s.client();
    attacker.jar.set(cookieName, planted);
    expect(await whoAmI(attacker)).to.equal(0);
    expect(await whoAmI(c)).to.equal(uid);
    // A form token issued to the old session is refused in the new one.
    expect((await c.post('/user/password', { _token: oldToken, name: 'fixated' })).status).to.equal(403);
  });

  it('csrf: a login without a token, or with a forged one, is refused with 403 and logs nobody in', async () => {
    await account(s.site, 'csrf-victim');
    const c = s.client();
    await c.get('/user/login');
    for (const fields of [{ name: 'csrf-victim', pass: PASS }, { name: 'csrf-victim', pass: PASS, _token: 'forged'.padEnd(43, 'x') }] as Record<string, string>[]) {
      const r = await c.post('/user/login', fields);
      expect(r.status).to.equal(403);
      expect(await whoAmI(c)).to.equal(0);
    }
    // A token from another visitor's session does not work either.
    const other = s.client();
    const token = formToken((await other.get('/user/login')).body, 'user_login');
    expect((await c.post('/user/login', { name: 'csrf-victim', pass: PASS, _token: token })).status).to.equal(403);
    expect(await whoAmI(c)).to.equal(0);
  });

  it('cache-control: the pages of a logged-in user, and the login that starts the session, are private, no-store', async () => {
    const c = s.client();
    const r = await login(c, s.adminName, s.adminPass);
    const pages = [r, ...await Promise.all(['/user/1', '/user/1/edit', '/admin/people', '/admin/people/permissions', '/user/999999'].map((p) => c.get(p)))];
    for (const page of pages) expect(page.headers['cache-control'], String(page.status)).to.equal('private, no-store');
  });
});
