import { expect } from 'chai';
import { loadUserByName } from '../../../modules/user/accounts.js';
import { declaredPermissions } from '../../../modules/user/permissions.js';
import { createRole, listRoles, rolePermissions, userRoles } from '../../../modules/user/roles.js';
import { formToken, messagesOf, serveSite, type HttpClient, type ServedSite } from '../../harness/http.js';
import { controls } from '../../core/http/client.js';
import { fieldError } from '../node/http-helpers.js';
import { account, login, whoAmI } from './helpers.js';

/** The user names listed on a people page, in order. */
const listed = (html: string): string[] => [...html.matchAll(/<td><a href="\/user\/\d+">([^<]*)<\/a><\/td>/g)].map((m) => m[1]!);

describe('people, roles and permissions admin pages over HTTP (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  before(async () => {
    s = await serveSite();
    admin = s.client();
    await login(admin, s.adminName, s.adminPass);
    // 55 more accounts, stored directly (hashing 55 passwords would only slow the test): p00..p54,
    // each newer than the admin and the one before it; odd ones logged in, p01 last of all.
    const base = Date.now() + 3600_000;
    await s.site.db('users').insert(Array.from({ length: 55 }, (_, i) => ({
      name: `p${String(i).padStart(2, '0')}`, mail: `p${i}@site.test`, pass: 'x', status: i % 5 === 0 ? 0 : 1,
      created: base + i * 1000, changed: base, login: i % 2 ? base + (55 - i) * 1000 : 0,
    })));
    await createRole(s.site, { rid: 'tagged', label: 'Tagged' });
    for (const n of ['p03', 'p07']) await s.site.db('users_roles').insert({ uid: (await loadUserByName(s.site, n))!.uid, rid: 'tagged' });
  });
  after(async () => { await s.stop(); });

  it('lists 50 accounts a page with a pager, newest first', async () => {
    const first = await admin.get('/admin/people');
    expect(first.status).to.equal(200);
    const names = listed(first.body);
    expect(names).to.have.length(50);
    expect(names[0]).to.equal('p54');
    expect(first.body).to.include('56 accounts').and.include('href="/admin/people?page=1"');
    const second = listed((await admin.get('/admin/people?page=1')).body);
    expect(second).to.have.length(6);
    expect(second.at(-1)).to.equal('admin');
  });

  it('sorts by name either way and by last login', async () => {
    expect(listed((await admin.get('/admin/people?sort=name&order=asc')).body).slice(0, 2)).to.deep.equal(['admin', 'p00']);
    expect(listed((await admin.get('/admin/people?sort=name&order=desc')).body)[0]).to.equal('p54');
    expect(listed((await admin.get('/admin/people?sort=login&order=desc')).body).slice(0, 2)).to.deep.equal(['p01', 'p03']);
    expect(listed((await admin.get('/admin/people?sort=login&order=asc')).body)[0]).to.match(/^p\d*[02468]$/);
    // Unknown sort keys fall back to the default instead of reaching the query.
    const r = await admin.get('/admin/people?sort=pass&order=sideways');
    expect(r.status).to.equal(200);
    expect(listed(r.body)[0]).to.equal('p54');
  });

  it('filters by role and by status', async () => {
    expect(listed((await admin.get('/admin/people?role=tagged')).body).sort()).to.deep.equal(['p03', 'p07']);
    const blocked = listed((await admin.get('/admin/people?status=0&sort=name&order=asc')).body);
    expect(blocked).to.deep.equal(['p00', 'p05', 'p10', 'p15', 'p20', 'p25', 'p30', 'p35', 'p40', 'p45', 'p50']);
    expect(listed((await admin.get('/admin/people?role=administrator')).body)).to.deep.equal(['admin']);
  });

  it('creates an account that can log in', async () => {
    const r = await admin.postForm('/admin/people/create', { name: 'created', mail: 'created@site.test', pass: 'Created-Pass-1', pass_confirm: 'Created-Pass-1', status: '1', roles: ['tagged'] });
    expect(r.status, r.body.slice(0, 500)).to.equal(303);
    const uid = (await loadUserByName(s.site, 'created'))!.uid;
    expect(await userRoles(s.site, uid)).to.deep.equal(['tagged']);
    const c = s.client();
    await login(c, 'created', 'Created-Pass-1');
    expect(await whoAmI(c)).to.equal(uid);
    // A taken name is refused.
    expect((await admin.postForm('/admin/people/create', { name: 'Created', mail: 'other@site.test', pass: 'Created-Pass-1', pass_confirm: 'Created-Pass-1', status: '1' })).status).to.equal(422);
  });

  it('adds a role, refuses a duplicate, and deletes it after confirming; built-in roles cannot be deleted', async () => {
    const added = await admin.postForm('/admin/people/roles', { label: 'Content editor', rid: 'content_editor' });
    expect(added.status).to.equal(303);
    const page = await admin.get('/admin/people/roles');
    expect(page.body).to.include('Content editor').and.include('href="/admin/people/roles/content_editor/delete"');
    expect((await admin.postForm('/admin/people/roles', { label: 'Again', rid: 'content_editor' })).status).to.equal(422);
    expect((await admin.postForm('/admin/people/roles', { label: 'Bad', rid: 'Bad Name' })).status).to.equal(422);
    const uid = await account(s.site, 'editor-user', ['content_editor']);
    const confirm = await admin.get('/admin/people/roles/content_editor/delete');
    expect(confirm.status).to.equal(200);
    const r = await admin.post('/admin/people/roles/content_editor/delete', { _token: formToken(confirm.body, 'user_role_delete') });
    expect(r.status).to.equal(303);
    expect((await listRoles(s.site)).map((x) => x.rid)).to.not.include('content_editor');
    expect(await userRoles(s.site, uid)).to.deep.equal([]);
    for (const rid of ['anonymous', 'authenticated', 'administrator']) expect((await admin.get(`/admin/people/roles/${rid}/delete`)).status, rid).to.equal(403);
    expect((await admin.get('/admin/people/roles/no_such_role/delete')).status).to.equal(404);
  });

  it('the permissions page is one grid: a row per permission by module, a column per role, a checkbox per cell', async () => {
    const form = await admin.get('/admin/people/permissions');
    expect(form.status).to.equal(200);
    const roles = (await listRoles(s.site)).map((r) => r.rid);
    const declared = declaredPermissions(s.site.kernel);
    expect(form.body.match(/<form\b/g), 'one form').to.have.length(1);
    expect(form.body.match(/<button type="submit"/g), 'one submit').to.have.length(1);
    const headers = [...form.body.matchAll(/<th scope="col" class="grid-table__column">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).to.deep.equal((await listRoles(s.site)).map((r) => r.label));
    for (const rid of roles) expect(controls(form.body, `permissions[${rid}]`).length, rid).to.equal(declared.length);
    const groups = [...form.body.matchAll(/<th scope="rowgroup"[^>]*><span>([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(groups).to.deep.equal([...new Set(declared.map((p) => p.module))]);
    // Each checkbox says what it means to a screen reader.
    expect(form.body).to.include('class="visually-hidden">Administer users: Administrator</label>');
  });

  it('the permissions grid grants and revokes per role', async () => {
    const before = await rolePermissions(s.site);
    const declared = new Set(declaredPermissions(s.site.kernel).map((p) => p.name));
    /** What the form shows checked for a role now. */
    const keep = (rid: string, add: string[] = []): string[] => [...(before.get(rid) ?? [])].filter((p) => declared.has(p)).concat(add);
    const fields = (tagged: string[]) => ({
      'permissions[anonymous]': keep('anonymous'), 'permissions[authenticated]': keep('authenticated'),
      'permissions[administrator]': keep('administrator'), 'permissions[tagged]': tagged,
    });
    const r = await admin.postForm('/admin/people/permissions', fields(keep('tagged', ['access user profiles', 'access administration pages'])));
    expect(r.status).to.equal(303);
    expect([...(await rolePermissions(s.site)).get('tagged')!].sort()).to.deep.equal(['access administration pages', 'access user profiles']);
    expect(messagesOf((await admin.get(r.location!)).body)).to.include('The permissions were saved.');
    // Revoke one by leaving it unchecked.
    await admin.postForm('/admin/people/permissions', fields(['access user profiles']));
    expect([...(await rolePermissions(s.site)).get('tagged')!]).to.deep.equal(['access user profiles']);
    expect([...(await rolePermissions(s.site)).get('administrator')!].sort()).to.deep.equal([...before.get('administrator')!].sort());
  });

  it('a permission that does not exist is refused with an error naming the field and the role, and nothing changes', async () => {
    const before = await rolePermissions(s.site);
    const r = await admin.postForm('/admin/people/permissions', { 'permissions[tagged]': ['access user profiles', 'own the server'], 'permissions[anonymous]': [] });
    expect(r.status).to.equal(422);
    const error = 'Permissions by role: &quot;own the server&quot; is not one of the choices for Tagged.';
    expect(messagesOf(r.body, 'error').join(' ')).to.include(error);
    expect(fieldError(r.body, 'user_admin_permissions', 'permissions')).to.equal(error);
    expect(await rolePermissions(s.site)).to.deep.equal(before);
    expect((await admin.post('/admin/people/permissions', { 'permissions[anonymous]': 'administer users' })).status, 'csrf').to.equal(403);
    expect(await rolePermissions(s.site)).to.deep.equal(before);
  });

  it('roles and permissions need "administer permissions"; people pages need "administer users"', async () => {
    await createRole(s.site, { rid: 'useradmin', label: 'User admin' });
    const c = s.client();
    await account(s.site, 'half-admin', ['useradmin']);
    await s.site.db('role_permissions').insert({ rid: 'useradmin', permission: 'administer users' });
    await login(c, 'half-admin');
    expect((await c.get('/admin/people')).status).to.equal(200);
    expect((await c.get('/admin/people/permissions')).status).to.equal(403);
    expect((await c.get('/admin/people/roles')).status).to.equal(403);
    // Without "administer permissions" the edit form offers no roles, so none can be given;
    // accounts that hold roles (user 1 above all) are not his to edit (privilege-escalation.test.ts).
    const plain = await account(s.site, 'half-admin-target');
    const form = await c.get(`/user/${plain}/edit`);
    expect(form.status).to.equal(200);
    expect(form.body).to.not.include('name="roles"');
    expect((await c.get('/user/1/edit')).status).to.equal(403);
  });
});
