import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { purgeSessions } from '../../../core/http/session.js';
import { runUpdates } from '../../../core/modules/updates.js';
import type { Site } from '../../../core/site/site.js';
import { anonymousAccount, deleteUser, loadAccount, loadUser, loadUserByName, updateUser } from '../../../modules/user/accounts.js';
import { FAILED_LOGIN_USER, floodAllowed, floodClear, floodPurge, floodRegister } from '../../../modules/user/flood.js';
import { mailFolder, sendMail } from '../../../modules/user/mail.js';
import { CONSOLE, changeAccount, deleteAccount } from '../../../modules/user/manage.js';
import {
  addUserRole, createRole, deleteRole, grantPermissions, listRoles, removeUserRole, revokePermissions, rolePermissions, setRolePermissions, userRoles,
} from '../../../modules/user/roles.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { account } from './helpers.js';

for (const driver of DRIVERS) {
  describe(`user storage on ${driver}`, () => {
    let tc: TestCodebase;
    let site: Site;
    before(async () => {
      tc = makeCodebase();
      site = await installTestSite(tc, driver);
    });
    after(async () => {
      await site.close();
      tc.cleanup();
    });

    it('install creates the built-in roles, gives user 1 the administrator role, and records update 1 as applied', async () => {
      expect((await listRoles(site)).map((r) => r.rid)).to.deep.equal(['anonymous', 'authenticated', 'administrator']);
      expect(await userRoles(site, 1)).to.deep.equal(['administrator']);
      expect((await site.modulesState.all()).get('user')?.schemaVersion).to.equal(1);
    });

    it('the administrator role holds the permissions of the modules installed', async () => {
      const perms = (await rolePermissions(site)).get('administrator') ?? new Set();
      for (const p of ['administer users', 'administer permissions', 'access user profiles', 'administer site configuration']) expect([...perms]).to.include(p);
    });

    it('roles: create, refuse a duplicate, delete with memberships and grants; built-in roles stay', async () => {
      expect(await createRole(site, { rid: 'editor', label: 'Editor' })).to.equal(true);
      expect(await createRole(site, { rid: 'editor', label: 'Other' })).to.equal(false);
      expect((await listRoles(site)).at(-1)).to.deep.include({ rid: 'editor', label: 'Editor' });
      const uid = await account(site, `roleuser_${driver}`, ['editor']);
      await grantPermissions(site, 'editor', ['edit things']);
      expect(await deleteRole(site, 'editor')).to.equal(true);
      expect(await userRoles(site, uid)).to.deep.equal([]);
      expect((await rolePermissions(site)).has('editor')).to.equal(false);
      for (const rid of ['anonymous', 'authenticated', 'administrator']) {
        expect((await expectCode(deleteRole(site, rid), 'ERR_ROLE_BUILTIN')).facts).to.deep.include({ role: rid, action: 'deleted' });
      }
      expect((await listRoles(site)).map((r) => r.rid)).to.include.members(['anonymous', 'authenticated', 'administrator']);
    });

    it('refuses a role whose machine name is not lower case letters, digits and "_" (ERR_ROLE_INVALID)', async () => {
      const before = await listRoles(site);
      for (const rid of ['Editor', 'content editor', '1st', '', 'a'.repeat(65), "x'; DROP TABLE roles; --"]) {
        await expectCode(createRole(site, { rid, label: 'Bad' }), 'ERR_ROLE_INVALID');
      }
      expect(await listRoles(site)).to.deep.equal(before);
    });

    it('granting to or setting the permissions of a role that does not exist is ERR_ROLE_UNKNOWN, and changes nothing', async () => {
      await createRole(site, { rid: 'setter', label: 'Setter' });
      await grantPermissions(site, 'setter', ['keep me']);
      expect((await expectCode(grantPermissions(site, 'ghost', ['p1']), 'ERR_ROLE_UNKNOWN')).facts).to.deep.include({ role: 'ghost' });
      const before = await rolePermissions(site);
      expect(before.has('ghost')).to.equal(false);
      // One transaction: the change to "setter" before the unknown role is rolled back too.
      await expectCode(setRolePermissions(site, ['keep me', 'new one'], { setter: ['new one'], ghost: ['new one'] }), 'ERR_ROLE_UNKNOWN');
      expect(await rolePermissions(site)).to.deep.equal(before);
    });

    it('grantPermissions and revokePermissions add and remove, idempotently', async () => {
      await createRole(site, { rid: 'grants', label: 'Grants' });
      await grantPermissions(site, 'grants', ['a', 'b', 'a']);
      await grantPermissions(site, 'grants', ['b', 'c']);
      expect([...(await rolePermissions(site)).get('grants')!].sort()).to.deep.equal(['a', 'b', 'c']);
      await revokePermissions(site, 'grants', ['a', 'x']);
      expect([...(await rolePermissions(site)).get('grants')!].sort()).to.deep.equal(['b', 'c']);
    });

    it('an account has the union of its roles\' permissions plus authenticated\'s; user 1 has every permission', async () => {
      await createRole(site, { rid: 'r1', label: 'R1' });
      await createRole(site, { rid: 'r2', label: 'R2' });
      await grantPermissions(site, 'r1', ['p1']);
      await grantPermissions(site, 'r2', ['p2']);
      await grantPermissions(site, 'authenticated', ['p0']);
      const uid = await account(site, `union_${driver}`, ['r1']);
      await addUserRole(site, uid, 'r2');
      const a = (await loadAccount(site, uid))!;
      expect(a.roles).to.have.members(['authenticated', 'r1', 'r2']);
      expect(['p0', 'p1', 'p2', 'p3'].map((p) => a.hasPermission(p))).to.deep.equal([true, true, true, false]);
      await removeUserRole(site, uid, 'r2');
      expect((await loadAccount(site, uid))!.hasPermission('p2')).to.equal(false);
      expect((await loadAccount(site, 1))!.hasPermission('anything at all')).to.equal(true);
    });

    it('blocked and missing users have no account; anonymous gets the anonymous role\'s permissions', async () => {
      const uid = await account(site, `blocked_${driver}`);
      await updateUser(site, uid, { status: 0 });
      expect(await loadAccount(site, uid)).to.equal(undefined);
      expect(await loadAccount(site, 999999)).to.equal(undefined);
      await grantPermissions(site, 'anonymous', ['view things']);
      const anon = await anonymousAccount(site);
      expect(anon).to.deep.include({ uid: 0, anonymous: true });
      expect(anon.hasPermission('view things')).to.equal(true);
      expect(anon.hasPermission('p0')).to.equal(false);
      expect(await site.hooks.bail('http.account', { site, uid: 0 })).to.deep.include({ uid: 0, anonymous: true });
    });

    it('names are found without regard to case; deleting a user removes roles and sessions, never user 1', async () => {
      const uid = await account(site, `Case_${driver}`, ['administrator']);
      expect((await loadUserByName(site, `case_${driver}`))?.uid).to.equal(uid);
      await site.db('core_sessions').insert({ sid: `s${driver}`, uid, data: '{}', created: 1, accessed: 1, expires: Date.now() + 1e6 });
      await deleteUser(site, uid);
      expect(await loadUser(site, uid)).to.equal(undefined);
      expect(await site.db('users_roles').where({ uid })).to.have.length(0);
      expect(await site.db('core_sessions').where({ uid })).to.have.length(0);
      await expectCode(deleteUser(site, 1), 'ERR_USER_PROTECTED');
      expect(await loadUser(site, 1)).to.not.equal(undefined);
    });

    it('changing or deleting an account that is gone (deleted meanwhile) is ERR_USER_UNKNOWN', async () => {
      const uid = await account(site, `gone_${driver}`);
      await deleteUser(site, uid);
      expect((await expectCode(changeAccount(site, CONSOLE, uid, { mail: `back_${driver}@site.test` }), 'ERR_USER_UNKNOWN')).facts).to.deep.include({ uid });
      await expectCode(deleteAccount(site, CONSOLE, uid), 'ERR_USER_UNKNOWN');
      expect(await loadUser(site, uid)).to.equal(undefined);
      expect(await site.db('users').where({ mail: `back_${driver}@site.test` })).to.have.length(0);
    });

    it('flood: counts within the window, clears, and cron purges expired rows', async () => {
      const id = `1-10.0.0.${driver.length}`;
      const t0 = 1_000_000_000_000;
      for (let i = 0; i < 5; i++) await floodRegister(site, FAILED_LOGIN_USER, id, t0 + i);
      expect(await floodAllowed(site, FAILED_LOGIN_USER, id, t0 + 10)).to.equal(false);
      expect(await floodAllowed(site, FAILED_LOGIN_USER, 'other', t0 + 10)).to.equal(true);
      // Six hours later the window has passed.
      expect(await floodAllowed(site, FAILED_LOGIN_USER, id, t0 + 6 * 3600 * 1000 + 10)).to.equal(true);
      await floodClear(site, FAILED_LOGIN_USER, id);
      expect(await floodAllowed(site, FAILED_LOGIN_USER, id, t0 + 10)).to.equal(true);
      await floodRegister(site, FAILED_LOGIN_USER, id, t0);
      expect(await floodPurge(site, t0 + 6 * 3600 * 1000)).to.be.greaterThan(0);
      expect(await site.db('flood').where({ identifier: id })).to.have.length(0);
    });

    it('cron removes expired flood rows and sessions', async () => {
      await floodRegister(site, FAILED_LOGIN_USER, 'cron-test', 1);
      await site.db('core_sessions').insert({ sid: `old${driver}`, uid: 0, data: '{}', created: 1, accessed: 1, expires: 2 });
      await site.hooks.emit('cron', site);
      expect(await site.db('flood').where({ identifier: 'cron-test' })).to.have.length(0);
      expect(await site.db('core_sessions').where({ sid: `old${driver}` })).to.have.length(0);
      expect(await purgeSessions(site.db)).to.equal(0);
    });

    it('update 1 creates the tables and roles a site from before it lacks, and gives user 1 the administrator role', async () => {
      for (const t of ['flood', 'role_permissions', 'users_roles', 'roles']) await site.db.schema.dropTable(t);
      await site.modulesState.setSchemaVersion('user', 0, '0.1.0');
      const done = await runUpdates(site);
      expect(done.map((u) => `${u.module}#${u.number}`)).to.deep.equal(['user#1']);
      for (const t of ['flood', 'role_permissions', 'users_roles', 'roles']) expect(await site.db.schema.hasTable(t), t).to.equal(true);
      expect((await listRoles(site)).map((r) => r.rid)).to.deep.equal(['anonymous', 'authenticated', 'administrator']);
      expect(await userRoles(site, 1)).to.deep.equal(['administrator']);
      // Running it again over complete tables changes nothing.
      const roles = await site.db('roles').count({ n: '*' }).first();
      await site.kernel.module('user')!.definition.updates![1]!.run(site);
      expect(await site.db('roles').count({ n: '*' }).first()).to.deep.equal(roles);
      expect(await userRoles(site, 1)).to.deep.equal(['administrator']);
    });
  });
}

describe('user mail files', () => {
  let tc: TestCodebase;
  let site: Site;
  before(async () => {
    tc = makeCodebase();
    site = await installTestSite(tc, 'sqlite');
  });
  after(async () => {
    await site.close();
    tc.cleanup();
  });

  it('writes an RFC 822 file of mode 0600 under private/mail and logs only the address', async () => {
    const file = await sendMail(site, { to: 'someone@site.test', subject: 'Grüße', body: 'Line one\nhttp://site.test/secret-link' });
    expect(file.startsWith(mailFolder(site))).to.equal(true);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).to.match(/^From: site@site\.test\r\nTo: someone@site\.test\r\nSubject: =\?UTF-8\?B\?/);
    expect(text).to.include('\r\n\r\nLine one\r\nhttp://site.test/secret-link\r\n');
    const logged = tc.logs.map((l) => l.message).join('\n');
    expect(logged).to.include('Mail to someone@site.test queued');
    expect(logged).to.not.include('secret-link');
  });

  it('header-injection: a line break in a recipient or subject cannot add a header', async () => {
    const file = await sendMail(site, { to: 'a@site.test\r\nBcc: evil@example.com', subject: 'Hi\nBcc: evil@example.com', body: 'x' });
    const head = readFileSync(file, 'utf8').split('\r\n\r\n')[0]!;
    expect(head.split('\r\n').filter((l) => /^bcc:/i.test(l))).to.deep.equal([]);
    expect(existsSync(join(site.paths.private, 'mail'))).to.equal(true);
    expect(readdirSync(mailFolder(site)).length).to.be.greaterThan(1);
  });
});
