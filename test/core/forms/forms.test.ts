import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { controls, csrfToken, h1Of, linksOf, securityHeaderProblems, serve, webSite, type Client, type Reply, type Served, type WebSite } from '../http/client.js';

/** A valid submission of the webtest form (without the token). */
const VALID: Readonly<Record<string, string | readonly string[]>> = {
  title: 'Hello', body: 'Some text', mail: 'someone@example.com', secret: 'hunter22', count: '5',
  agree: '1', color: 'red', size: 's', tags: ['a', 'c'], locked: 'fixed',
};

/** The id core gives a field of the webtest form. */
const fieldId = (name: string): string => `edit-webtest-form-${name}`;

describe('forms over HTTP (sqlite)', () => {
  let ws: WebSite;
  let served: Served;
  let c: Client;

  const saved = (): Promise<unknown> => ws.site.config.get('webtest.saved');
  /** POST the webtest form with a valid token of this client's session. */
  const submit = (fields: Readonly<Record<string, string | readonly string[]>>): Promise<Reply> => c.submit('/webtest/form', fields);
  /** Whether a field is marked invalid with its error shown. */
  const invalid = (r: Reply, name: string): boolean => {
    const list = controls(r.body, name);
    return list.length > 0 && list.every((x) => x.attrs['aria-invalid'] === 'true') && r.body.includes(`id="${fieldId(name)}-error"`);
  };
  /** Fields marked invalid in a reply. */
  const invalidFields = (r: Reply): string[] => Object.keys(VALID).filter((n) => controls(r.body, n).some((x) => x.attrs['aria-invalid'] === 'true'));

  before(async () => {
    ws = await webSite('sqlite');
    served = await serve(ws.tc);
  });
  after(async () => {
    await served.stop();
    await ws.site.close();
    ws.tc.cleanup();
  });
  beforeEach(async () => {
    c = served.client();
    await ws.site.config.delete('webtest.saved');
    await ws.site.config.delete('webtest.other');
  });

  describe('showing', () => {
    it('shows every field with its default, a token, the submit button and the links', async () => {
      const r = await c.get('/webtest/form');
      expect(r.status).to.equal(200);
      expect(h1Of(r.body)).to.equal('Webtest form');
      expect(csrfToken(r.body)).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(controls(r.body, 'title')[0]!.attrs).to.deep.include({ type: 'text', value: 'Default title', maxlength: '20', required: true });
      const body = controls(r.body, 'body')[0]!;
      expect(body.tag).to.equal('textarea');
      expect(body.inner.replace(/^\n/, '')).to.equal('Default body');
      expect(controls(r.body, 'mail')[0]!.attrs).to.deep.include({ type: 'email', value: 'me@example.com' });
      expect(controls(r.body, 'secret')[0]!.attrs).to.deep.include({ type: 'password', value: '' });
      expect(controls(r.body, 'count')[0]!.attrs).to.deep.include({ type: 'number', value: '3', min: '1', max: '10', step: '1' });
      expect(controls(r.body, 'agree')[0]!.attrs).to.deep.include({ type: 'checkbox', checked: true });
      const color = controls(r.body, 'color')[0]!;
      expect(color.tag).to.equal('select');
      expect(color.inner).to.match(/<option value="green" selected>Green<\/option>/);
      expect(color.inner).to.match(/<option value="red">Red<\/option>/);
      expect(controls(r.body, 'size').map((x) => [x.attrs.value, x.attrs.checked === true])).to.deep.equal([['s', false], ['l', true]]);
      expect(controls(r.body, 'tags').map((x) => [x.attrs.value, x.attrs.checked === true])).to.deep.equal([['a', false], ['b', true], ['c', false]]);
      expect(controls(r.body, 'locked')[0]!.attrs).to.deep.include({ value: 'fixed', disabled: true });
      expect(controls(r.body, 'kind')[0]!.attrs).to.deep.include({ type: 'hidden', value: 'server-kind' });
      expect(r.body).to.include('Fill in every field.');
      expect(r.body).to.match(/<button type="submit"[^>]*>Save it<\/button>/);
      expect(linksOf(r.body)).to.deep.include({ href: '/webtest', text: 'Cancel', current: false });
      expect(invalidFields(r)).to.deep.equal([]);
    });

    it('posts back to the page it came from, escaped (xss)', async () => {
      const r = await c.get('/webtest/form?x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E');
      expect(r.status).to.equal(200);
      expect(r.body).to.not.include('<script>alert(1)</script>');
      expect(r.body).to.match(/<form [^>]*action="\/webtest\/form\?x=(%22|&quot;)(%3E|&gt;)/);
    });

    it('form alter hooks run general, then base, then id; an alter hook can add a field', async () => {
      const r = await c.get('/webtest/form');
      expect(r.body).to.match(/<label for="edit-webtest-form-title">Title \[general\] \[base\] \[id\]/);
      expect(controls(r.body, 'extra')[0]?.attrs).to.deep.include({ type: 'text', value: 'added by alter' });
    });

    it('a field added by an alter hook is submitted with the others', async () => {
      const r = await submit({ ...VALID, extra: 'from the visitor' });
      expect(r.status).to.equal(303);
      expect(await saved()).to.deep.include({ extra: 'from the visitor' });
    });
  });

  describe('submitting', () => {
    it('stores valid input and redirects with a 303 to where submit says', async () => {
      const r = await submit(VALID);
      expect(r.status).to.equal(303);
      expect(r.headers.location).to.equal('/webtest/saved');
      expect(await saved()).to.deep.include({
        title: 'Hello', body: 'Some text', mail: 'someone@example.com', count: 5, agree: true,
        color: 'red', size: 's', tags: ['a', 'c'], kind: 'server-kind', secretLength: 8,
      });
      const next = await c.get('/webtest/saved');
      expect(next.body).to.include('Saved the webtest form.');
      expect(next.body).to.match(/data-field="title">Hello</);
      expect((await c.get('/webtest/saved')).body, 'the message shows once').to.not.include('Saved the webtest form.');
    });

    it('types the values: an unchecked checkbox is false, an empty number is absent, text is trimmed', async () => {
      const { agree: _agree, ...rest } = VALID;
      expect((await submit({ ...rest, count: '', title: '  Spaced  ' })).status).to.equal(303);
      const v = (await saved()) as Record<string, unknown>;
      expect(v).to.deep.include({ agree: false, title: 'Spaced' });
      expect(v).to.not.have.property('count');
    });

    it('a hidden field keeps the server\'s value whatever is posted', async () => {
      expect((await submit({ ...VALID, kind: 'from-the-attacker' })).status).to.equal(303);
      expect(await saved()).to.deep.include({ kind: 'server-kind' });
    });

    it('access-bypass: a disabled field keeps its default whatever is posted (and when the browser leaves it out)', async () => {
      expect((await submit({ ...VALID, locked: 'changed by a forged post' })).status).to.equal(303);
      expect(await saved()).to.deep.include({ locked: 'fixed' });
      // Browsers do not send disabled fields at all.
      const { locked: _locked, ...browser } = VALID;
      expect((await submit(browser)).status).to.equal(303);
      expect(await saved()).to.deep.include({ locked: 'fixed' });
    });

    it('without its own result, submit goes back to the same page (303)', async () => {
      const token = csrfToken((await c.get('/webtest/other?from=x')).body);
      const r = await c.post('/webtest/other?from=x', { _token: token, name: 'Someone' });
      expect(r.status).to.equal(303);
      expect(r.headers.location).to.equal('/webtest/other?from=x');
      expect(await ws.site.config.get('webtest.other')).to.equal('Someone');
    });

    it('ignores fields the form does not have', async () => {
      expect((await submit({ ...VALID, unknown: 'x', ['__proto__']: 'y', constructor: 'z', hasOwnProperty: 'w' })).status).to.equal(303);
      const v = (await saved()) as Record<string, unknown>;
      expect(Object.keys(v)).to.not.include.members(['unknown', '__proto__', 'constructor', 'hasOwnProperty']);
      expect(v).to.deep.include({ title: 'Hello' });
    });
  });

  describe('csrf', () => {
    it('csrf: a POST without a token is a 403 and stores nothing', async () => {
      await c.get('/webtest/form');
      const r = await c.post('/webtest/form', VALID);
      expect(r.status).to.equal(403);
      expect(securityHeaderProblems(r)).to.deep.equal([]);
      expect(await saved()).to.equal(undefined);
    });

    it('csrf: a forged token is a 403 and stores nothing', async () => {
      await c.get('/webtest/form');
      for (const forged of [randomBytes(32).toString('base64url'), '', 'x', ['a', 'b']]) {
        const r = await c.post('/webtest/form', { ...VALID, _token: forged });
        expect(r.status, JSON.stringify(forged)).to.equal(403);
      }
      expect(await saved()).to.equal(undefined);
    });

    it('csrf: the token of another form of the same session is a 403', async () => {
      const otherToken = csrfToken((await c.get('/webtest/other')).body);
      const r = await c.post('/webtest/form', { ...VALID, _token: otherToken });
      expect(r.status).to.equal(403);
      expect(await saved()).to.equal(undefined);
    });

    it('csrf: the token of another session is a 403, with or without a session of one\'s own', async () => {
      const victimToken = csrfToken((await c.get('/webtest/form')).body);
      const attacker = served.client();
      expect((await attacker.post('/webtest/form', { ...VALID, _token: victimToken })).status).to.equal(403);
      await attacker.get('/webtest/form');
      expect((await attacker.post('/webtest/form', { ...VALID, _token: victimToken })).status).to.equal(403);
      expect(await saved()).to.equal(undefined);
      // The rightful session's token still works.
      expect((await c.post('/webtest/form', { ...VALID, _token: victimToken })).status).to.equal(303);
    });

    it('csrf: a body that is not a urlencoded form has no token (403)', async () => {
      const token = csrfToken((await c.get('/webtest/form')).body);
      for (const [type, body] of [['application/json', JSON.stringify({ ...VALID, _token: token })], ['text/plain', `_token=${token}&title=Hello`]]) {
        const r = await c.request('POST', '/webtest/form', { body, headers: { 'content-type': type! } });
        expect(r.status, type).to.equal(403);
      }
      expect(await saved()).to.equal(undefined);
    });
  });

  describe('invalid input', () => {
    const cases: readonly { what: string; field: string; post: Record<string, string | readonly string[]>; kept?: string }[] = [
      { what: 'a required field left empty', field: 'title', post: { title: '' } },
      { what: 'a required field of only spaces', field: 'title', post: { title: '   ' } },
      { what: 'text over the length limit', field: 'title', post: { title: 'x'.repeat(21) }, kept: 'x'.repeat(21) },
      { what: 'a textarea over its limit', field: 'body', post: { body: 'y'.repeat(201) }, kept: 'y'.repeat(201) },
      { what: 'a bad e-mail address', field: 'mail', post: { mail: 'not-an-email' }, kept: 'not-an-email' },
      { what: 'an e-mail address with a display name', field: 'mail', post: { mail: 'Eve <eve@example.com>' } },
      { what: 'a number above the maximum', field: 'count', post: { count: '11' }, kept: '11' },
      { what: 'a number below the minimum', field: 'count', post: { count: '0' }, kept: '0' },
      { what: 'a number that is not whole', field: 'count', post: { count: '2.5' } },
      { what: 'something that is not a number', field: 'count', post: { count: '1e3' } },
      { what: 'a select choice not in the options', field: 'color', post: { color: 'blue' } },
      { what: 'a radio choice not in the options', field: 'size', post: { size: 'xl' } },
      { what: 'a checkboxes choice not in the options', field: 'tags', post: { tags: ['a', 'zzz'] } },
      { what: 'a control character in text', field: 'title', post: { title: 'bad\u0001text' } },
      { what: 'a NUL in a textarea', field: 'body', post: { body: 'bad\u0000text' } },
      { what: 'a line break in a one-line field', field: 'title', post: { title: 'two\nlines' } },
      { what: 'an array for a single-value field', field: 'title', post: { title: ['one', 'two'] } },
      { what: 'an array for a select', field: 'color', post: { color: ['red', 'green'] } },
      { what: 'an array for a checkbox', field: 'agree', post: { agree: ['1', '1'] } },
      { what: 'a password below its minimum length', field: 'secret', post: { secret: 'abc' } },
    ];
    for (const t of cases) {
      it(`${t.what}: 422, the form again with the input kept and an error at ${t.field}`, async () => {
        const r = await submit({ ...VALID, ...t.post });
        expect(r.status).to.equal(422);
        expect(h1Of(r.body)).to.equal('Webtest form');
        expect(invalidFields(r)).to.deep.equal([t.field]);
        expect(invalid(r, t.field), 'aria-invalid and the error text').to.equal(true);
        if (t.field !== 'mail') expect(controls(r.body, 'mail')[0]!.attrs.value, 'other input is kept').to.equal('someone@example.com');
        if (t.kept !== undefined) {
          const ctl = controls(r.body, t.field)[0]!;
          expect(ctl.tag === 'textarea' ? ctl.inner.replace(/^\n/, '') : ctl.attrs.value).to.equal(t.kept);
        }
        expect(await saved()).to.equal(undefined);
      });
    }

    it('keeps what the user typed in every field, but never the password', async () => {
      const r = await submit({ ...VALID, count: '99', secret: 'my-very-secret-pw' });
      expect(r.status).to.equal(422);
      expect(controls(r.body, 'title')[0]!.attrs.value).to.equal('Hello');
      expect(controls(r.body, 'body')[0]!.inner.replace(/^\n/, '')).to.equal('Some text');
      expect(controls(r.body, 'color')[0]!.inner).to.match(/<option value="red" selected>/);
      expect(controls(r.body, 'size').filter((x) => x.attrs.checked).map((x) => x.attrs.value)).to.deep.equal(['s']);
      expect(controls(r.body, 'tags').filter((x) => x.attrs.checked).map((x) => x.attrs.value)).to.deep.equal(['a', 'c']);
      expect(controls(r.body, 'secret')[0]!.attrs.value).to.equal('');
      expect(r.body).to.not.include('my-very-secret-pw');
    });

    it('marks every bad field at once', async () => {
      const r = await submit({ ...VALID, title: '', mail: 'bad', count: '0', color: 'blue' });
      expect(r.status).to.equal(422);
      expect(invalidFields(r).sort()).to.deep.equal(['color', 'count', 'mail', 'title']);
      expect(await saved()).to.equal(undefined);
    });

    it('shows the error of the form\'s validate callback at its field', async () => {
      const r = await submit({ ...VALID, title: 'forbidden' });
      expect(r.status).to.equal(422);
      expect(invalid(r, 'title')).to.equal(true);
      expect(r.body).to.include('The title &quot;forbidden&quot; is not allowed here.');
      expect(controls(r.body, 'title')[0]!.attrs.value).to.equal('forbidden');
      expect(await saved()).to.equal(undefined);
    });

    it('shows an error of the whole form from the validate callback', async () => {
      const r = await submit({ ...VALID, title: 'whole' });
      expect(r.status).to.equal(422);
      expect(r.body).to.include('The whole form is wrong.');
      expect(invalidFields(r)).to.deep.equal([]);
      expect(await saved()).to.equal(undefined);
    });

    it('shows an error the validate callback gives for a field without a control (hidden)', async () => {
      const r = await submit({ ...VALID, title: 'hidden' });
      expect(r.status).to.equal(422);
      expect(r.body).to.include('The hidden kind is wrong.');
      expect(await saved()).to.equal(undefined);
    });

    it('undefined entries from the validate callback are no errors', async () => {
      const r = await submit({ ...VALID, title: 'no errors' });
      expect(r.status).to.equal(303);
      expect(await saved()).to.deep.include({ title: 'no errors' });
    });

    it('a token re-shown with the errors still works', async () => {
      const r = await submit({ ...VALID, title: '' });
      expect(r.status).to.equal(422);
      expect((await c.post('/webtest/form', { ...VALID, _token: csrfToken(r.body) })).status).to.equal(303);
    });
  });

  describe('xss', () => {
    const PAYLOADS = {
      title: '"><svg onload=x>',
      body: '</textarea><script>alert(1)</script>',
      mail: '"><script>m</script>',
      count: '"><b>1',
    } as const;

    it('xss: script in every text field is escaped when the form is shown again', async () => {
      const r = await submit({ ...VALID, ...PAYLOADS });
      expect(r.status).to.equal(422);
      expect(r.body).to.not.match(/<script>|<svg|<b>1/);
      expect(controls(r.body, 'title')[0]!.attrs.value).to.equal('&quot;&gt;&lt;svg onload=x&gt;');
      expect(controls(r.body, 'body')[0]!.inner).to.include('&lt;/textarea&gt;&lt;script&gt;');
      expect(controls(r.body, 'mail')[0]!.attrs.value).to.equal('&quot;&gt;&lt;script&gt;m&lt;/script&gt;');
    });

    it('xss: script in stored values is escaped on the page that shows them', async () => {
      const r = await submit({ ...VALID, title: PAYLOADS.title, body: PAYLOADS.body });
      expect(r.status).to.equal(303);
      const page = await c.get('/webtest/saved');
      expect(page.body).to.not.match(/<script>|<svg/);
      expect(page.body).to.include('data-field="title">&quot;&gt;&lt;svg onload=x&gt;<');
    });

    it('xss: the error message of a bad choice does not echo markup', async () => {
      const r = await submit({ ...VALID, tags: ['<img src=x onerror=alert(1)>'] });
      expect(r.status).to.equal(422);
      expect(r.body).to.not.include('<img src=x');
    });
  });

  describe('request bodies', () => {
    it('an oversize body (> 256kb) is a 413 and stores nothing', async () => {
      const token = csrfToken((await c.get('/webtest/form')).body);
      const r = await c.post('/webtest/form', { ...VALID, _token: token, body: 'z'.repeat(300 * 1024) });
      expect(r.status).to.equal(413);
      expect(securityHeaderProblems(r)).to.deep.equal([]);
      expect(await saved()).to.equal(undefined);
    });

    it('an oversize chunked body without a length is a 413 too', async () => {
      const token = csrfToken((await c.get('/webtest/form')).body);
      const body = `_token=${token}&title=Hello&body=${'z'.repeat(300 * 1024)}`;
      const r = await c.request('POST', '/webtest/form', { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } });
      expect(r.status).to.equal(413);
      expect(await saved()).to.equal(undefined);
    });

    it('a body with more fields than allowed is refused with a 413, not a server error', async () => {
      const token = csrfToken((await c.get('/webtest/form')).body);
      const many: Record<string, string> = { ...VALID as Record<string, string>, _token: token };
      for (let i = 0; i < 1100; i++) many[`f${i}`] = '1';
      const before = ws.tc.logs.length;
      const r = await c.post('/webtest/form', many);
      expect(r.status).to.equal(413);
      expect(ws.tc.logs.slice(before).filter((l) => l.level === 'error')).to.deep.equal([]);
      expect(await saved()).to.equal(undefined);
    });

    it('a form body in a charset the server cannot read is a client error (415), not a server error', async () => {
      const token = csrfToken((await c.get('/webtest/form')).body);
      const before = ws.tc.logs.length;
      const r = await c.request('POST', '/webtest/form', { body: `_token=${token}&title=Hello`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' } });
      expect(r.status, 'a client error (415 Unsupported Media Type)').to.be.within(400, 499);
      expect(ws.tc.logs.slice(before).filter((l) => l.level === 'error')).to.deep.equal([]);
      expect(await saved()).to.equal(undefined);
    });

    it('a body that cannot be decoded is a 400', async () => {
      const token = csrfToken((await c.get('/webtest/form')).body);
      const r = await c.request('POST', '/webtest/form', { body: `_token=${token}&title=Hello`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' } });
      expect(r.status).to.equal(400);
      expect(await saved()).to.equal(undefined);
    });
  });
});
