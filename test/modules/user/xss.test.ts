import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createRole, grantPermissions } from '../../../modules/user/roles.js';
import { loadUser } from '../../../modules/user/accounts.js';
import { oneTimeLoginPath } from '../../../modules/user/one-time.js';
import { cli, show } from '../../cli/run-helper.js';
import { serveSite, type HttpClient, type ServedSite } from '../../harness/http.js';
import { account, login, PASS } from './helpers.js';

const EVIL_NAME = '<script>alert("name")</script>';
const EVIL_ROLE = '<img src=x onerror=alert(1)>';

describe('user pages escape what users typed; secrets stay out of logs (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  let evil: number;
  before(async () => {
    s = await serveSite();
    admin = s.client();
    await login(admin, s.adminName, s.adminPass);
    await createRole(s.site, { rid: 'evil_role', label: EVIL_ROLE });
    await grantPermissions(s.site, 'evil_role', ['access user profiles']);
    // Stored directly: the forms refuse such a name, but accounts may come from elsewhere (imports, older rules).
    evil = await account(s.site, EVIL_NAME, ['evil_role']);
  });
  after(async () => { await s.stop(); });

  function expectEscaped(html: string, where: string): void {
    expect(html, where).to.not.include('<script>alert');
    expect(html, where).to.not.include('<img src=x');
  }

  it('xss: a user name and a role label with markup are escaped on every admin page that shows them', async () => {
    const pages = [`/user/${evil}`, `/user/${evil}/edit`, `/user/${evil}/cancel`, '/admin/people', '/admin/people?role=evil_role',
      '/admin/people/roles', '/admin/people/permissions', '/admin/people/roles/evil_role/delete',
      // Query parameters come back in the sort links and filters.
      '/admin/people?x=%3Cscript%3Ealert(1)%3C/script%3E&role=%3Cimg%20src=x%3E&sort=%3Cscript%3E'];
    for (const path of pages) {
      const r = await admin.get(path);
      expect(r.status, path).to.equal(200);
      expectEscaped(r.body, path);
    }
    expect((await admin.get(`/user/${evil}`)).body).to.include('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect((await admin.get('/admin/people/roles')).body).to.include('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('xss: the name is escaped on the user\'s own pages, the reset pages and the pages of others who may see it', async () => {
    const own = s.client();
    await login(own, EVIL_NAME);
    for (const path of [`/user/${evil}`, `/user/${evil}/edit`, '/user/logout', '/']) expectEscaped((await own.get(path)).body, path);
    // A one-time link for the user shows the name before login; another user's link names the logged-in user.
    const link = await oneTimeLoginPath(s.site, (await loadUser(s.site, evil))!);
    expectEscaped((await s.client().get(link)).body, 'reset confirmation');
    const other = await account(s.site, 'plain');
    const otherLink = await oneTimeLoginPath(s.site, (await loadUser(s.site, other))!);
    const refused = await own.get(otherLink);
    expect(refused.status).to.equal(403);
    expectEscaped(refused.body, 'reset for another user');
    const viewer = s.client();
    await account(s.site, 'viewer', ['evil_role']);
    await login(viewer, 'viewer');
    expectEscaped((await viewer.get(`/user/${evil}`)).body, 'profile seen by another user');
  });

  it('passwords never reach the log or the command output: logins, failures, changes, accounts created on the web and the command line', async () => {
    const secrets = ['Wrong-Secret-Guess', 'Changed-Secret-1', 'Created-Secret-2', 'Cli-Secret-3', 'Cli-Secret-4', PASS, s.adminPass];
    const uid = await account(s.site, 'logged');
    const c = s.client();
    await c.postForm('/user/login', { name: 'logged', pass: 'Wrong-Secret-Guess' });
    await login(c, 'logged');
    await c.postForm(`/user/${uid}/edit`, { mail: 'logged@site.test', current_pass: PASS, pass: 'Changed-Secret-1', pass_confirm: 'Changed-Secret-1' });
    await admin.postForm('/admin/people/create', { name: 'made', mail: 'made@site.test', pass: 'Created-Secret-2', pass_confirm: 'Created-Secret-2', status: '1' });
    const dir = mkdtempSync(join(tmpdir(), 'aegir-pass-'));
    try {
      writeFileSync(join(dir, 'p'), 'Cli-Secret-3\n', { mode: 0o600 });
      const runs = [
        await cli(s.tc.root, ['--uri=site.test', '--debug', 'user-create', 'from-cli', '--mail=cli@site.test', `--password-file=${join(dir, 'p')}`]),
        await cli(s.tc.root, ['--uri=site.test', '--debug', '--backend', 'user-password', 'from-cli'], { env: { HOME: s.tc.root, AEGIR_USER_PASS: 'Cli-Secret-4' } }),
      ];
      for (const run of runs) {
        expect(run.code, show(run)).to.equal(0);
        for (const p of secrets) expect(run.stdout + run.stderr, p).to.not.include(p);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const logged = s.tc.logs.map((l) => l.message).join('\n');
    expect(logged).to.include('Session opened');
    for (const p of secrets) expect(logged, p).to.not.include(p);
  });

  it('token-leak: the hash of a one-time login link never reaches the log', async () => {
    const uid = await account(s.site, 'linked');
    const link = await oneTimeLoginPath(s.site, (await loadUser(s.site, uid))!);
    const hash = link.split('/').at(-1)!;
    expect((await s.client().get(link)).status).to.equal(200);
    expect(s.tc.logs.map((l) => l.message).join('\n')).to.not.include(hash);
  });
});
