import { expect } from 'chai';
import { FAILED_LOGIN_IP } from '../../../modules/user/flood.js';
import { messagesOf, serveSite, type HttpClient, type ServedSite } from '../../harness/http.js';
import { account, login, PASS, whoAmI } from './helpers.js';

describe('login throttling over HTTP (sqlite)', () => {
  let s: ServedSite;
  before(async () => { s = await serveSite(); });
  after(async () => { await s.stop(); });
  // Each test starts with no failures counted for the IP address.
  beforeEach(async () => { await s.site.db('flood').delete(); });

  async function fail(c: HttpClient, name: string): Promise<string> {
    const r = await c.postForm('/user/login', { name, pass: 'not the password' });
    expect(r.status).to.equal(422);
    return messagesOf(r.body, 'error').join(' ');
  }

  it('brute-force: the 6th attempt for an account is refused even with the right password; other accounts are unaffected', async () => {
    const c = s.client();
    await account(s.site, 'target');
    const other = await account(s.site, 'bystander');
    for (let i = 0; i < 5; i++) expect(await fail(c, 'target')).to.include('Unrecognized username or password');
    const r = await c.postForm('/user/login', { name: 'target', pass: PASS });
    expect(r.status).to.equal(422);
    expect(messagesOf(r.body, 'error').join(' ')).to.include('temporarily blocked');
    expect(await whoAmI(c)).to.equal(0);
    // Another account from the same address still logs in.
    const d = s.client();
    await login(d, 'bystander');
    expect(await whoAmI(d)).to.equal(other);
  });

  it('username-enumeration: past the account limit a known name and an unknown one get the same answers', async () => {
    await account(s.site, 'existing');
    const answers = async (name: string): Promise<string[]> => {
      const c = s.client();
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await c.postForm('/user/login', { name, pass: 'not the password' });
        out.push(`${r.status} ${messagesOf(r.body, 'error').join(' ')}`);
      }
      return out;
    };
    const known = await answers('existing');
    const unknown = await answers('never-existed');
    expect(known.slice(5).join(' ')).to.include('temporarily blocked');
    expect(unknown).to.deep.equal(known);
    // The typed name is not stored: people type passwords into the name field too.
    expect(JSON.stringify(await s.site.db('flood').select('identifier'))).to.not.include('never-existed');
  });

  it('a refused attempt checks no password: it is not even counted as a failure', async () => {
    const c = s.client();
    await account(s.site, 'counted');
    for (let i = 0; i < 5; i++) await fail(c, 'counted');
    const rows = await s.site.db('flood').where({ event: 'user.failed_login_user' }).count({ n: '*' }).first();
    await c.postForm('/user/login', { name: 'counted', pass: PASS });
    await c.postForm('/user/login', { name: 'counted', pass: 'still wrong' });
    expect(await s.site.db('flood').where({ event: 'user.failed_login_user' }).count({ n: '*' }).first()).to.deep.equal(rows);
  });

  it('a successful login clears the account\'s failures from that address', async () => {
    const c = s.client();
    const uid = await account(s.site, 'forgetful');
    for (let i = 0; i < 4; i++) await fail(c, 'forgetful');
    await login(c, 'forgetful');
    const d = s.client();
    for (let i = 0; i < 4; i++) await fail(d, 'forgetful');
    // 8 failures in all, but only 4 since the last success.
    await login(d, 'forgetful');
    expect(await whoAmI(d)).to.equal(uid);
  });

  it('brute-force: past 50 failures from one address in an hour, every account is refused from it', async () => {
    const c = s.client();
    await account(s.site, 'spray-a');
    await fail(c, 'spray-a');
    const ip = ((await s.site.db('flood').where({ event: FAILED_LOGIN_IP.event }).first('identifier')) as { identifier: string }).identifier;
    const now = Date.now();
    const rows = Array.from({ length: 49 }, (_, i) => ({ event: FAILED_LOGIN_IP.event, identifier: ip, created: now - i, expires: now + 3600_000 }));
    await s.site.db('flood').insert(rows);
    const fresh = await account(s.site, 'spray-b');
    const r = await c.postForm('/user/login', { name: 'spray-b', pass: PASS });
    expect(r.status).to.equal(422);
    expect(messagesOf(r.body, 'error').join(' ')).to.include('from your address');
    expect(await whoAmI(c)).to.equal(0);
    // An hour later the address may try again.
    await s.site.db('flood').where({ event: FAILED_LOGIN_IP.event }).update({ created: now - 3600_001 });
    await login(c, 'spray-b');
    expect(await whoAmI(c)).to.equal(fresh);
  });
});
