import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { loadUser, passwordHash, setPassword } from '../../../modules/user/accounts.js';
import { mailFolder } from '../../../modules/user/mail.js';
import { oneTimeHash, oneTimeLoginPath } from '../../../modules/user/one-time.js';
import { cli, show } from '../../cli/run-helper.js';
import { formToken, messagesOf, serveSite, type HttpClient, type ServedSite } from '../../harness/http.js';
import { account, whoAmI } from './helpers.js';

describe('one-time login links and password reset over HTTP (sqlite)', () => {
  let s: ServedSite;
  before(async () => { s = await serveSite(); });
  after(async () => { await s.stop(); });

  const link = async (uid: number): Promise<string> => oneTimeLoginPath(s.site, (await loadUser(s.site, uid))!);
  const crafted = async (uid: number, ageSeconds: number): Promise<string> => {
    const u = (await loadUser(s.site, uid))!;
    const ts = Math.floor(Date.now() / 1000) - ageSeconds;
    return `/user/reset/${uid}/${ts}/${oneTimeHash(s.site.settings.hashSalt, uid, ts, await passwordHash(s.site, uid), u.login)}`;
  };

  /** GET the link (a confirmation page, no login yet), then POST its form like the "Log in" button. */
  async function use(c: HttpClient, path: string): Promise<{ get: number; post?: number; location?: string }> {
    const page = await c.get(path);
    if (page.status !== 200) return { get: page.status };
    expect(await whoAmI(c), 'GET alone logs nobody in').to.equal(0);
    const r = await c.post(path, { _token: formToken(page.body, 'user_pass_reset') });
    return { get: 200, post: r.status, ...(r.location ? { location: r.location } : {}) };
  }

  it('a one-time link logs in once, sends the user to set a password, and is dead after', async () => {
    const uid = await account(s.site, 'once');
    const path = await link(uid);
    const c = s.client();
    expect(await use(c, path)).to.deep.equal({ get: 200, post: 303, location: `/user/${uid}/edit` });
    expect(await whoAmI(c)).to.equal(uid);
    const again = s.client();
    const r = await again.get(path);
    expect(r.status).to.equal(403);
    expect(r.body).to.include('not valid');
    expect(await whoAmI(again)).to.equal(0);
  });

  it('after a one-time login the password is set without the current one, once', async () => {
    const uid = await account(s.site, 'resetter');
    const c = s.client();
    await use(c, await link(uid));
    const edit = await c.get(`/user/${uid}/edit`);
    expect(edit.body).to.not.include('name="current_pass"');
    const r = await c.post(`/user/${uid}/edit`, { _token: formToken(edit.body, 'user_edit'), mail: 'resetter@site.test', pass: 'Brand-New-Pass-1', pass_confirm: 'Brand-New-Pass-1' });
    expect(r.status).to.equal(303);
    expect(await whoAmI(c)).to.equal(uid);
    expect((await c.get(`/user/${uid}/edit`)).body).to.include('name="current_pass"');
    const fresh = s.client();
    await fresh.postForm('/user/login', { name: 'resetter', pass: 'Brand-New-Pass-1' });
    expect(await whoAmI(fresh)).to.equal(uid);
  });

  it('a link expires after 24 hours (a crafted timestamp 25 hours old, genuine hash)', async () => {
    const uid = await account(s.site, 'late');
    const c = s.client();
    const r = await c.get(await crafted(uid, 25 * 3600));
    expect(r.status).to.equal(403);
    expect(r.body).to.include('expired');
    expect((await c.post(await crafted(uid, 25 * 3600), { _token: 'x' })).status).to.equal(403);
    expect(await whoAmI(c)).to.equal(0);
    // 23 hours old still works.
    expect((await use(s.client(), await crafted(uid, 23 * 3600))).post).to.equal(303);
  });

  it('a link dies when the password changes', async () => {
    const uid = await account(s.site, 'changed');
    const path = await link(uid);
    await setPassword(s.site, uid, 'Another-Pass-99');
    const c = s.client();
    expect(await use(c, path)).to.deep.equal({ get: 403 });
    expect(await whoAmI(c)).to.equal(0);
  });

  it('a tampered link fails: another hash, another user id, a future timestamp', async () => {
    const uid = await account(s.site, 'tamper');
    const victim = await account(s.site, 'tamper-victim');
    const path = await link(uid);
    const [, , , , ts, hash] = path.split('/');
    const flipped = `${hash!.slice(0, -1)}${hash!.endsWith('A') ? 'B' : 'A'}`;
    const future = Math.floor(Date.now() / 1000) + 3600;
    const u = (await loadUser(s.site, uid))!;
    const futureHash = oneTimeHash(s.site.settings.hashSalt, uid, future, await passwordHash(s.site, uid), u.login);
    for (const bad of [`/user/reset/${uid}/${ts}/${flipped}`, `/user/reset/${victim}/${ts}/${hash}`, `/user/reset/${uid}/${future}/${futureHash}`, `/user/reset/${uid}/${ts}/short`]) {
      const c = s.client();
      expect((await use(c, bad)).get, bad).to.equal(403);
      expect(await whoAmI(c)).to.equal(0);
    }
    // The genuine link still works after all that.
    expect((await use(s.client(), path)).post).to.equal(303);
  });

  it('user-enumeration: a reset request answers the same for existing and unknown accounts; only existing ones get mail', async () => {
    const uid = await account(s.site, 'forgot');
    const mails = (): string[] => { try { return readdirSync(mailFolder(s.site)); } catch { return []; } };
    const answer = async (name: string) => {
      const c = s.client();
      const before = mails().length;
      const r = await c.postForm('/user/password', { name });
      const next = await c.get(r.location!);
      return { status: r.status, location: r.location, messages: messagesOf(next.body), newMails: mails().length - before };
    };
    const known = await answer('forgot');
    const byMail = await answer('forgot@site.test');
    const unknown = await answer('no-such-user');
    const unknownMail = await answer('nobody@site.test');
    expect(known).to.deep.include({ status: 303, location: '/user/login', newMails: 1 });
    expect(byMail.newMails).to.equal(1);
    for (const other of [byMail, unknown, unknownMail]) expect({ ...other, newMails: 0 }).to.deep.equal({ ...known, newMails: 0 });
    expect(unknown.newMails + unknownMail.newMails).to.equal(0);
    // The mail holds a link for this site that logs the user in.
    const newest = mails().sort().at(-1)!;
    const text = readFileSync(`${mailFolder(s.site)}/${newest}`, 'utf8');
    expect(text).to.include('To: forgot@site.test');
    const url = /http:\/\/site\.test(?::\d+)?(\/user\/reset\/\S+)/.exec(text)?.[1];
    expect(url, text).to.be.a('string');
    const c = s.client();
    expect((await use(c, url!)).post).to.equal(303);
    expect(await whoAmI(c)).to.equal(uid);
  });

  it('user-login prints a link that works in a browser: GET shows "Log in", POST logs in', async () => {
    const uid = await account(s.site, 'cli-user');
    const run = await cli(s.tc.root, ['--uri=site.test', 'user-login', 'cli-user']);
    expect(run.code, show(run)).to.equal(0);
    const url = run.stdout.trim();
    expect(url).to.match(new RegExp(`^http://site\\.test/user/reset/${uid}/\\d+/[A-Za-z0-9_-]{43}$`));
    const c = s.client();
    const page = await c.get(new URL(url).pathname);
    expect(page.status).to.equal(200);
    expect(page.body).to.include('>Log in</button>');
    expect(await use(c, new URL(url).pathname)).to.deep.equal({ get: 200, post: 303, location: `/user/${uid}/edit` });
    expect(await whoAmI(c)).to.equal(uid);
    expect((await s.client().get(new URL(url).pathname)).status).to.equal(403);
  });
});
