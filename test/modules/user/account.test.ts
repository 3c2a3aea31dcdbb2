import { expect } from 'chai';
import { loadUser, passwordHash } from '../../../modules/user/accounts.js';
import { verifyPassword } from '../../../modules/user/password.js';
import { grantPermissions, revokePermissions, userRoles } from '../../../modules/user/roles.js';
import { formToken, serveSite, type HttpClient, type ServedSite } from '../../harness/http.js';
import { account, login, PASS, whoAmI } from './helpers.js';

describe('user account pages over HTTP (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  before(async () => {
    s = await serveSite();
    admin = s.client();
    await login(admin, s.adminName, s.adminPass);
  });
  after(async () => { await s.stop(); });

  async function as(name: string, roles: string[] = []): Promise<{ uid: number; c: HttpClient }> {
    const uid = await account(s.site, name, roles);
    const c = s.client();
    await login(c, name);
    return { uid, c };
  }
  const edit = async (c: HttpClient, uid: number, fields: Record<string, string | string[]>) => c.postForm(`/user/${uid}/edit`, fields, { formId: 'user_edit' });

  it('a user sees their own page with their mail; unknown and malformed ids are 404', async () => {
    const { uid, c } = await as('viewer');
    const r = await c.get(`/user/${uid}`);
    expect(r.status).to.equal(200);
    expect(r.body).to.include('viewer@site.test');
    for (const bad of ['/user/999999', '/user/0', '/user/abc', '/user/1e3', '/user/-1/edit']) expect((await c.get(bad)).status, bad).to.equal(404);
  });

  it('idor: user A cannot view, edit or delete user B, nor reach the admin pages', async () => {
    const a = await as('idor-a');
    const b = await as('idor-b');
    for (const path of [`/user/${b.uid}`, `/user/${b.uid}/edit`, `/user/${b.uid}/cancel`, '/admin/people', '/admin/people/create', '/admin/people/permissions', '/admin/people/roles']) {
      expect((await a.c.get(path)).status, path).to.equal(403);
    }
    // A POST with A's own valid token for the edit form (taken from A's page) changes nothing of B.
    const token = formToken((await a.c.get(`/user/${a.uid}/edit`)).body, 'user_edit');
    const r = await a.c.post(`/user/${b.uid}/edit`, { _token: token, mail: 'stolen@evil.example', pass: 'Hijacked-123', pass_confirm: 'Hijacked-123', current_pass: PASS });
    expect(r.status).to.equal(403);
    expect((await loadUser(s.site, b.uid))!.mail).to.equal('idor-b@site.test');
    expect(await verifyPassword(PASS, await passwordHash(s.site, b.uid))).to.equal(true);
  });

  it('profiles of others need "access user profiles", from the user\'s roles or the anonymous role', async () => {
    const target = await account(s.site, 'famous');
    const { c } = await as('fan');
    expect((await c.get(`/user/${target}`)).status).to.equal(403);
    await grantPermissions(s.site, 'authenticated', ['access user profiles']);
    const page = await c.get(`/user/${target}`);
    expect(page.status).to.equal(200);
    expect(page.body, 'mail is private').to.not.include('famous@site.test');
    const anon = s.client();
    expect((await anon.get(`/user/${target}`)).status).to.equal(403);
    await grantPermissions(s.site, 'anonymous', ['access user profiles']);
    expect((await anon.get(`/user/${target}`)).status).to.equal(200);
    await revokePermissions(s.site, 'anonymous', ['access user profiles']);
    await revokePermissions(s.site, 'authenticated', ['access user profiles']);
    expect((await c.get(`/user/${target}`)).status).to.equal(403);
  });

  it('changing one\'s own mail or password needs the current password', async () => {
    const { uid, c } = await as('careful');
    for (const current of [undefined, 'wrong password']) {
      const r = await edit(c, uid, { mail: 'new@site.test', ...(current ? { current_pass: current } : {}) });
      expect(r.status).to.equal(422);
    }
    expect((await loadUser(s.site, uid))!.mail).to.equal('careful@site.test');
    expect((await edit(c, uid, { mail: 'new@site.test', current_pass: PASS })).status).to.equal(303);
    expect((await loadUser(s.site, uid))!.mail).to.equal('new@site.test');
    const mismatch = await edit(c, uid, { mail: 'new@site.test', current_pass: PASS, pass: 'Next-Pass-123', pass_confirm: 'Next-Pass-124' });
    expect(mismatch.status).to.equal(422);
    expect(await verifyPassword(PASS, await passwordHash(s.site, uid))).to.equal(true);
  });

  it('a password change ends the user\'s other sessions and keeps this one with a new token', async () => {
    const { uid, c } = await as('rotator');
    const other = s.client();
    await login(other, 'rotator');
    const oldCookie = c.session();
    const r = await edit(c, uid, { mail: 'rotator@site.test', current_pass: PASS, pass: 'Rotated-Pass-1', pass_confirm: 'Rotated-Pass-1' });
    expect(r.status).to.equal(303);
    expect(await whoAmI(other)).to.equal(0);
    expect(await whoAmI(c)).to.equal(uid);
    expect(c.session()).to.not.equal(oldCookie);
    expect(await verifyPassword('Rotated-Pass-1', await passwordHash(s.site, uid))).to.equal(true);
  });

  it('csrf: the edit form without a token, with a forged one or another session\'s is refused and changes nothing', async () => {
    const { uid, c } = await as('csrf-edit');
    const elsewhere = await as('csrf-other');
    const otherToken = formToken((await elsewhere.c.get(`/user/${elsewhere.uid}/edit`)).body, 'user_edit');
    for (const token of [undefined, 'A'.repeat(43), otherToken]) {
      const r = await c.post(`/user/${uid}/edit`, { ...(token ? { _token: token } : {}), mail: 'csrf@evil.example', current_pass: PASS });
      expect(r.status).to.equal(403);
    }
    expect((await loadUser(s.site, uid))!.mail).to.equal('csrf-edit@site.test');
  });

  it('an administrator edits name, status and roles; blocking ends the user\'s sessions', async () => {
    const { uid, c } = await as('managed');
    const r = await edit(admin, uid, { name: 'managed-renamed', mail: 'managed@site.test', status: '0', roles: ['administrator'] });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    const u = (await loadUser(s.site, uid))!;
    expect(u).to.deep.include({ name: 'managed-renamed', status: 0 });
    expect(await userRoles(s.site, uid)).to.deep.equal(['administrator']);
    expect(await whoAmI(c)).to.equal(0);
    // A name or mail another account has is refused.
    expect((await edit(admin, uid, { name: 'ADMIN', mail: 'managed@site.test', status: '1' })).status).to.equal(422);
    expect((await edit(admin, uid, { name: 'managed-renamed', mail: 'admin@site.test', status: '1' })).status).to.equal(422);
    expect((await edit(admin, uid, { name: 'bad<name>', mail: 'managed@site.test', status: '1' })).status).to.equal(422);
  });

  it('a user cannot give themself roles or unblock themself through their own form', async () => {
    const { uid, c } = await as('climber');
    const r = await edit(c, uid, { mail: 'climber@site.test', roles: ['administrator'], status: '1', name: 'root' });
    expect(r.status).to.equal(303);
    expect(await userRoles(s.site, uid)).to.deep.equal([]);
    expect((await loadUser(s.site, uid))!.name).to.equal('climber');
  });

  it('an administrator deletes an account after confirming; user 1 cannot be deleted', async () => {
    const uid = await account(s.site, 'doomed', ['administrator']);
    expect((await admin.get(`/user/${uid}/cancel`)).status).to.equal(200);
    expect(await loadUser(s.site, uid)).to.not.equal(undefined);
    const r = await admin.postForm(`/user/${uid}/cancel`, {});
    expect(r.status).to.equal(303);
    expect(r.location).to.equal('/admin/people');
    expect(await loadUser(s.site, uid)).to.equal(undefined);
    expect(await userRoles(s.site, uid)).to.deep.equal([]);
    expect((await admin.get('/user/1/cancel')).status).to.equal(403);
    expect((await admin.post('/user/1/cancel', { _token: 'x' })).status).to.equal(403);
    expect(await loadUser(s.site, 1)).to.not.equal(undefined);
  });
});
