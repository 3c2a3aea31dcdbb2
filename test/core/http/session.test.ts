import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { ANONYMOUS_IDLE_MS, endSessionsOf, purgeSessions, Session, SESSION_IDLE_MS } from '../../../core/http/session.js';
import { mintToken } from '../../../core/http/session-token.js';
import type { Site } from '../../../core/site/site.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';

const SALT = 'test-hash-salt-0123456789';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Row { sid: string; uid: number; data: string; created: number; accessed: number; expires: number }

for (const driver of DRIVERS) {
  describe(`sessions in core_sessions (${driver})`, () => {
    let tc: TestCodebase;
    let site: Site;
    let now: number;
    const clock = (): number => now;
    /** A session as a request would make it, from an incoming cookie token. */
    const open = async (token?: string): Promise<Session> => {
      const s = new Session(site.db, SALT, token, clock);
      await s.load();
      return s;
    };
    const rows = async (): Promise<Row[]> => (await site.db('core_sessions').select()) as Row[];

    before(async () => {
      tc = makeCodebase();
      site = await installTestSite(tc, driver);
    });
    after(async () => {
      await site.close();
      tc.cleanup();
    });
    beforeEach(async () => {
      now = 1_700_000_000_000;
      await site.db('core_sessions').delete();
    });

    it('stores nothing and sends no cookie until something is stored', async () => {
      const s = await open();
      expect(s.uid).to.equal(0);
      expect(s.get('x')).to.equal(undefined);
      expect(s.takeMessages()).to.deep.equal([]);
      expect(await s.save()).to.equal(undefined);
      expect(await rows()).to.deep.equal([]);
    });

    it('creates a row and a 43-character token once a value is stored, and loads it back', async () => {
      const s = await open();
      s.set('colour', 'blue');
      const token = await s.save();
      expect(token).to.be.a('string').and.match(/^[A-Za-z0-9_-]{43}$/);
      expect(await s.save(), 'the cookie is sent once').to.equal(undefined);
      const again = await open(token!);
      expect(again.get('colour')).to.equal('blue');
      expect(again.uid).to.equal(0);
    });

    it('the database never holds the raw token, only its sha256', async () => {
      const s = await open();
      s.set('k', 'v');
      const token = (await s.save())!;
      const all = await rows();
      expect(all).to.have.length(1);
      expect(all[0]!.sid).to.equal(sha256(token));
      expect(JSON.stringify(all)).to.not.include(token);
    });

    it('ignores a malformed or unknown token and starts a new session with a new token', async () => {
      for (const bad of ['short', 'x'.repeat(44), `${'a'.repeat(42)}!`, 'A'.repeat(43)]) {
        const s = await open(bad);
        expect(s.uid, bad).to.equal(0);
        s.set('k', 1);
        const token = await s.save();
        expect(token, bad).to.be.a('string').and.not.equal(bad);
      }
    });

    it('session-fixation: login() renews the token; the old token loads nothing afterwards', async () => {
      const s = await open();
      s.set('before', 'login');
      s.addMessage({ type: 'status', text: 'Kept over login' });
      const planted = (await s.save())!;
      const victim = await open(planted);
      const csrfBefore = victim.csrfToken('some_form');
      await victim.login(7);
      const fresh = (await victim.save())!;
      expect(fresh).to.be.a('string').and.not.equal(planted);
      const old = await open(planted);
      expect(old.uid).to.equal(0);
      expect(old.get('before')).to.equal(undefined);
      const logged = await open(fresh);
      expect(logged.uid).to.equal(7);
      expect(logged.get('before'), 'data of the anonymous session is not carried over').to.equal(undefined);
      expect(logged.takeMessages()).to.deep.equal([{ type: 'status', text: 'Kept over login' }]);
      expect(logged.checkCsrf('some_form', csrfBefore), 'the CSRF seed is renewed').to.equal(false);
      expect((await rows()).map((r) => r.sid)).to.deep.equal([sha256(fresh)]);
    });

    it('login() without an earlier session starts one for the user', async () => {
      const s = await open();
      await s.login(3);
      const token = (await s.save())!;
      expect((await open(token)).uid).to.equal(3);
    });

    it('logout() deletes the row and clears the cookie', async () => {
      const s = await open();
      await s.login(5);
      const token = (await s.save())!;
      const again = await open(token);
      await again.logout();
      expect(await again.save(), 'null clears the cookie').to.equal(null);
      expect(await rows()).to.deep.equal([]);
      expect((await open(token)).uid).to.equal(0);
    });

    it('does not load an expired session', async () => {
      const s = await open();
      await s.login(9);
      const token = (await s.save())!;
      now += SESSION_IDLE_MS - 1;
      expect((await open(token)).uid).to.equal(9);
      // That request pushed the expiry forward; after a whole idle period without requests it is gone.
      now += SESSION_IDLE_MS;
      expect((await open(token)).uid).to.equal(0);
    });

    it('pushes the expiry forward on use, at most once a minute', async () => {
      const s = await open();
      await s.login(2);
      const token = (await s.save())!;
      const first = (await rows())[0]!;
      now += 30_000;
      await (await open(token)).save();
      expect(Number((await rows())[0]!.expires)).to.equal(Number(first.expires));
      now += 60_000;
      await (await open(token)).save();
      expect(Number((await rows())[0]!.expires)).to.equal(now + SESSION_IDLE_MS);
    });

    it('purgeSessions removes expired rows only and counts them', async () => {
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++) {
        now = 1_700_000_000_000 + i * 1000;
        const s = await open();
        s.set('i', i);
        tokens.push((await s.save())!);
      }
      const cut = 1_700_000_000_000 + 1000 + ANONYMOUS_IDLE_MS;
      expect(await purgeSessions(site.db, cut)).to.equal(2);
      expect((await rows()).map((r) => r.sid)).to.deep.equal([sha256(tokens[2]!)]);
      expect(await purgeSessions(site.db, cut)).to.equal(0);
    });

    it('endSessionsOf removes every session of one user', async () => {
      for (const uid of [4, 4, 5]) {
        const s = await open();
        await s.login(uid);
        await s.save();
      }
      expect(await endSessionsOf(site.db, 4)).to.equal(2);
      expect((await rows()).map((r) => Number(r.uid))).to.deep.equal([5]);
    });

    it('messages are shown once, and the same message twice in a row once', async () => {
      const s = await open();
      s.addMessage({ type: 'status', text: 'Saved.' });
      s.addMessage({ type: 'status', text: 'Saved.' });
      s.addMessage({ type: 'warning', text: 'Careful.' });
      const token = (await s.save())!;
      const next = await open(token);
      expect(next.takeMessages()).to.deep.equal([{ type: 'status', text: 'Saved.' }, { type: 'warning', text: 'Careful.' }]);
      expect(next.takeMessages()).to.deep.equal([]);
      await next.save();
      expect((await open(token)).takeMessages()).to.deep.equal([]);
    });

    it('session-flood: a form token needs a cookie but no row; an anonymous row lives until its data is used up, and briefly', async () => {
      const s = await open();
      const formToken = s.csrfToken('f');
      const cookie = (await s.save())!;
      expect(cookie, 'the token travels in a cookie').to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(await rows(), 'and nothing is stored').to.deep.equal([]);
      const back = await open(cookie);
      expect(back.checkCsrf('f', formToken)).to.equal(true);
      // A message is worth a row, which keeps the cookie's token (forms already shown stay valid)...
      back.addMessage({ type: 'status', text: 'Sent.' });
      expect(await back.save(), 'no new cookie').to.equal(undefined);
      const [row] = await rows();
      expect(row!.sid).to.equal(sha256(cookie));
      expect(Number(row!.expires)).to.equal(now + ANONYMOUS_IDLE_MS);
      // ...until the message is shown.
      const next = await open(cookie);
      expect(next.takeMessages()).to.have.length(1);
      await next.save();
      expect(await rows()).to.deep.equal([]);
      expect((await open(cookie)).checkCsrf('f', formToken), 'the cookie still carries the form token').to.equal(true);
    });

    it('session-flood: a well-formed token the site did not mint is ignored without a query, and never adopted', async () => {
      const foreign = mintToken('another-salt-9876543210');
      for (const bad of [foreign, 'A'.repeat(43), `${mintToken(SALT).slice(0, 42)}B`]) {
        const s = await open(bad);
        expect(s.active, bad).to.equal(false);
        s.set('k', 1);
        expect(await s.save(), bad).to.be.a('string').and.not.equal(bad);
      }
    });

    it('csrf: a token is bound to the session and to the form', async () => {
      const a = await open();
      const tokenA = a.csrfToken('form_one');
      expect(a.csrfToken('form_one'), 'stable within a session').to.equal(tokenA);
      expect(a.checkCsrf('form_one', tokenA)).to.equal(true);
      expect(a.checkCsrf('form_two', tokenA)).to.equal(false);
      expect(a.checkCsrf('form_one', a.csrfToken('form_two'))).to.equal(false);
      for (const bad of [undefined, '', tokenA.slice(1), `${tokenA}x`, [tokenA], { token: tokenA }, tokenA.toUpperCase()]) {
        if (bad === tokenA) continue;
        expect(a.checkCsrf('form_one', bad), JSON.stringify(bad)).to.equal(false);
      }
      const cookie = (await a.save())!;
      expect((await open(cookie)).checkCsrf('form_one', tokenA), 'the same session next request').to.equal(true);
      const b = await open();
      b.csrfToken('form_one');
      expect(b.checkCsrf('form_one', tokenA), 'another session').to.equal(false);
      expect((await open()).checkCsrf('form_one', tokenA), 'a session without a seed').to.equal(false);
    });

    it('csrf: the token depends on the site\'s hash salt', async () => {
      const a = await open();
      const token = a.csrfToken('f');
      const cookie = (await a.save())!;
      const otherSalt = new Session(site.db, 'another-salt-9876543210', cookie, clock);
      await otherSalt.load();
      expect(otherSalt.checkCsrf('f', token)).to.equal(false);
    });
  });
}
