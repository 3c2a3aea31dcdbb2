import { expect } from 'chai';
import { loadUser, passwordHash } from '../../../modules/user/accounts.js';
import { CONSOLE, changeAccount, mayManageAccount } from '../../../modules/user/manage.js';
import { verifyPassword } from '../../../modules/user/password.js';
import { addUserRole, createRole, grantPermissions } from '../../../modules/user/roles.js';
import { formToken, serveSite, type HttpClient, type ServedSite } from '../../harness/http.js';
import { expectCode } from '../../harness/expect.js';
import { account, login, PASS, whoAmI } from './helpers.js';

const HIJACK = 'Hijacked-Pass-123';

describe('privilege escalation through account edits over HTTP (sqlite)', () => {
  let s: ServedSite;
  /** A user administrator: "administer users", not "administer permissions". */
  let useradmin: { uid: number; c: HttpClient };

  before(async () => {
    s = await serveSite();
    await createRole(s.site, { rid: 'useradmin', label: 'User admin' });
    await grantPermissions(s.site, 'useradmin', ['administer users']);
    await createRole(s.site, { rid: 'editor', label: 'Editor' });
    useradmin = { uid: await account(s.site, 'ua', ['useradmin']), c: s.client() };
    await login(useradmin.c, 'ua');
  });
  after(async () => { await s.stop(); });

  /** POST the edit form of `uid` with a valid token of the user administrator's own edit form. */
  async function forge(c: HttpClient, selfUid: number, uid: number, fields: Record<string, string>) {
    const token = formToken((await c.get(`/user/${selfUid}/edit`)).body, 'user_edit');
    return c.post(`/user/${uid}/edit`, { _token: token, ...fields });
  }
  const unchanged = async (uid: number, mail: string, pass: string): Promise<void> => {
    const u = (await loadUser(s.site, uid))!;
    expect(u.mail).to.equal(mail);
    expect(u.status).to.equal(1);
    expect(await verifyPassword(pass, await passwordHash(s.site, uid)), 'password unchanged').to.equal(true);
  };

  it('privilege-escalation: a user administrator cannot set user 1\'s password or mail, and so cannot log in as user 1', async () => {
    expect((await useradmin.c.get('/user/1/edit')).status).to.equal(403);
    const r = await forge(useradmin.c, useradmin.uid, 1, { name: 'admin', mail: 'ua@evil.example', pass: HIJACK, pass_confirm: HIJACK, status: '1' });
    expect(r.status).to.equal(403);
    await unchanged(1, 'admin@site.test', s.adminPass);
    const thief = s.client();
    expect((await thief.postForm('/user/login', { name: 'admin', pass: HIJACK })).status).to.equal(422);
    expect(await whoAmI(thief)).to.equal(0);
  });

  it('privilege-escalation: a user administrator cannot take over, block or delete an account with a role he cannot give', async () => {
    for (const role of ['administrator', 'editor']) {
      const uid = await account(s.site, `holder-${role}`, [role]);
      const mail = `holder-${role}@site.test`;
      for (const path of [`/user/${uid}/edit`, `/user/${uid}/cancel`]) expect((await useradmin.c.get(path)).status, `${role} ${path}`).to.equal(403);
      const r = await forge(useradmin.c, useradmin.uid, uid, { name: `holder-${role}`, mail: 'ua@evil.example', pass: HIJACK, pass_confirm: HIJACK, status: '0' });
      expect(r.status, role).to.equal(403);
      const token = formToken((await useradmin.c.get(`/user/${useradmin.uid}/edit`)).body, 'user_edit');
      expect((await useradmin.c.post(`/user/${uid}/cancel`, { _token: token })).status, role).to.equal(403);
      await unchanged(uid, mail, PASS);
    }
  });

  it('privilege-escalation: a role given after the form was shown is checked again when it is submitted', async () => {
    const uid = await account(s.site, 'promoted');
    const form = await useradmin.c.get(`/user/${uid}/edit`);
    expect(form.status).to.equal(200);
    await addUserRole(s.site, uid, 'administrator');
    const r = await useradmin.c.post(`/user/${uid}/edit`, { _token: formToken(form.body, 'user_edit'), name: 'promoted', mail: 'ua@evil.example', pass: HIJACK, pass_confirm: HIJACK, status: '1' });
    expect(r.status).to.equal(403);
    await unchanged(uid, 'promoted@site.test', PASS);
  });

  it('a user administrator still manages accounts without roles: password, mail and status', async () => {
    const uid = await account(s.site, 'plain');
    const r = await forge(useradmin.c, useradmin.uid, uid, { name: 'plain', mail: 'plain2@site.test', pass: 'Plain-New-Pass-1', pass_confirm: 'Plain-New-Pass-1', status: '1' });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    expect((await loadUser(s.site, uid))!.mail).to.equal('plain2@site.test');
    const c = s.client();
    await login(c, 'plain', 'Plain-New-Pass-1');
    expect(await whoAmI(c)).to.equal(uid);
    expect((await forge(useradmin.c, useradmin.uid, uid, { name: 'plain', mail: 'plain2@site.test', status: '0' })).status).to.equal(303);
    expect((await loadUser(s.site, uid))!.status).to.equal(0);
  });

  it('the people list offers Edit only for the accounts the administrator may manage', async () => {
    const admin = await account(s.site, 'listed-admin', ['administrator']);
    const plain = await account(s.site, 'listed-plain');
    const list = (await useradmin.c.get('/admin/people?sort=name&order=asc')).body;
    expect(list).to.include(`href="/user/${plain}/edit"`);
    expect(list).to.not.include(`href="/user/${admin}/edit"`);
    expect(list).to.not.include('href="/user/1/edit"');
  });

  it('with "administer permissions" too, an administrator manages administrators, but user 1 only user 1 does', async () => {
    await createRole(s.site, { rid: 'superadmin', label: 'Super admin' });
    await grantPermissions(s.site, 'superadmin', ['administer users', 'administer permissions']);
    const boss = { uid: await account(s.site, 'boss', ['superadmin']), c: s.client() };
    await login(boss.c, 'boss');
    const target = await account(s.site, 'deputy', ['administrator']);
    expect((await forge(boss.c, boss.uid, target, { name: 'deputy', mail: 'deputy2@site.test', status: '1', roles: 'administrator' })).status).to.equal(303);
    expect((await loadUser(s.site, target))!.mail).to.equal('deputy2@site.test');
    expect((await boss.c.get('/user/1/edit')).status).to.equal(403);
    expect((await forge(boss.c, boss.uid, 1, { name: 'admin', mail: 'boss@evil.example', pass: HIJACK, pass_confirm: HIJACK })).status).to.equal(403);
    await unchanged(1, 'admin@site.test', s.adminPass);
  });

  it('privilege-escalation: the rule holds below the forms too (ERR_USER_ACCESS_DENIED); blocking user 1 is ERR_USER_PROTECTED even from the console', async () => {
    const actor = (await s.site.hooks.bail('http.account', { site: s.site, uid: useradmin.uid }))!;
    expect(mayManageAccount(actor, (await loadUser(s.site, 1))!)).to.equal(false);
    await expectCode(changeAccount(s.site, actor, 1, { password: HIJACK }), 'ERR_USER_ACCESS_DENIED');
    await expectCode(changeAccount(s.site, CONSOLE, 1, { status: 0 }), 'ERR_USER_PROTECTED');
    await unchanged(1, 'admin@site.test', s.adminPass);
  });
});
