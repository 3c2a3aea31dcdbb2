import { expect } from 'chai';
import { loadNode, saveNode } from '../../../modules/node/storage.js';
import { formToken, messagesOf, type HttpClient, type ServedSite } from '../../harness/http.js';
import { adminClient, fieldError, inputValue, nidOf, probeFields, serveProbe } from './http-helpers.js';

describe('node forms over HTTP (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  before(async () => {
    s = await serveProbe();
    admin = await adminClient(s);
  });
  after(async () => { await s.stop(); });
  const nodeCount = async (): Promise<number> => Number(((await s.site.db('node').count({ n: '*' })) as { n: number | string }[])[0]!.n);

  it('lists the types one may create at /node/add, linking to each add form', async () => {
    const r = await admin.get('/node/add');
    expect(r.status).to.equal(200);
    expect(r.body).to.include('href="/node/add/probe"').and.include('href="/node/add/note"').and.include('A node type with every kind of field.');
  });

  it('creates a node through its form, then shows it with its fields, keeping line breaks', async () => {
    const form = await admin.get('/node/add/probe');
    expect(form.status).to.equal(200);
    expect(form.body).to.include('id="node_probe_form"').and.include('name="code"').and.include('name="color"').and.include('>Name');
    const r = await admin.postForm('/node/add/probe', probeFields({ title: 'Made by form', body: 'line one\nline two\n\nsecond paragraph', count: '4', color: 'blue', flag: '1' }));
    expect(r.status).to.equal(303);
    const nid = nidOf(r.location);
    const node = await loadNode(s.site, nid);
    expect(node).to.deep.include({ title: 'Made by form', uid: 1, status: true });
    expect(node!.fields).to.include({ code: 'c1', count: 4, color: 'blue', flag: true });
    const view = await admin.get(r.location!);
    expect(view.status).to.equal(200);
    expect(messagesOf(view.body)).to.deep.equal(['Probe &quot;Made by form&quot; has been created.']);
    expect(view.body).to.include('<p>line one<br>line two</p>').and.include('<p>second paragraph</p>').and.include('Blue');
  });

  it('shows View, Edit and Delete tabs on a node page, and edits the node through its form', async () => {
    const n = await saveNode(s.site, { type: 'probe', title: 'Before edit', fields: { code: 'old', count: 2 } });
    const view = await admin.get(`/node/${n.nid}`);
    for (const href of [`/node/${n.nid}`, `/node/${n.nid}/edit`, `/node/${n.nid}/delete`]) expect(view.body).to.include(`href="${href}"`);
    const form = await admin.get(`/node/${n.nid}/edit`);
    expect(form.status).to.equal(200);
    expect(inputValue(form.body, 'title')).to.equal('Before edit');
    expect(inputValue(form.body, 'code')).to.equal('old');
    expect(inputValue(form.body, 'count')).to.equal('2');
    const r = await admin.postForm(`/node/${n.nid}/edit`, probeFields({ title: 'After edit', code: 'new', count: '3' }));
    expect(r.status).to.equal(303);
    expect(r.location).to.equal(`/node/${n.nid}`);
    expect(await loadNode(s.site, n.nid)).to.deep.include({ title: 'After edit', created: n.created, fields: { ...n.fields, code: 'new', count: 3 } });
  });

  it('deletes a node after a confirmation with a danger button; its page is then a 404', async () => {
    const n = await saveNode(s.site, { type: 'note', title: 'To delete' });
    const confirm = await admin.get(`/node/${n.nid}/delete`);
    expect(confirm.status).to.equal(200);
    expect(confirm.body).to.include('Are you sure you want to delete &quot;To delete&quot;?').and.include('button--danger');
    const r = await admin.postForm(`/node/${n.nid}/delete`, {});
    expect(r.status).to.equal(303);
    expect(await loadNode(s.site, n.nid)).to.equal(undefined);
    expect((await admin.get(`/node/${n.nid}`)).status).to.equal(404);
  });

  it('shows the form again with the input and an error at each wrong field (422), saving nothing', async () => {
    const before = await nodeCount();
    const r = await admin.postForm('/node/add/probe', probeFields({ title: 'Kept "title"', code: '123456789', mail: 'not-mail', count: '99' }));
    expect(r.status).to.equal(422);
    expect(inputValue(r.body, 'title')).to.equal('Kept &quot;title&quot;');
    expect(inputValue(r.body, 'code')).to.equal('123456789');
    for (const f of ['code', 'mail', 'count']) expect(fieldError(r.body, 'node_probe_form', f), f).to.be.a('string').and.not.equal('');
    expect(await nodeCount()).to.equal(before);
  });

  it('shows a problem a node.validate implementation reports at its field', async () => {
    const r = await admin.postForm('/node/add/probe', probeFields({ title: 'No [reject]' }));
    expect(r.status).to.equal(422);
    expect(fieldError(r.body, 'node_probe_form', 'title')).to.equal('node_probe rejects this title.');
  });

  it('shows a problem a node.check implementation reports at its field, with the input kept', async () => {
    const before = await nodeCount();
    const r = await admin.postForm('/node/add/probe', probeFields({ title: 'Checked [check]', code: 'c7' }));
    expect(r.status).to.equal(422);
    expect(fieldError(r.body, 'node_probe_form', 'code')).to.equal('node_probe checked &quot;c7&quot; and refuses it.');
    expect(inputValue(r.body, 'code')).to.equal('c7');
    expect(await nodeCount()).to.equal(before);
  });

  it('xss: a title and body with markup are shown as text on the node page, the front page and the content list', async () => {
    const evil = '<script>alert(1)</script>';
    const r = await admin.postForm('/node/add/probe', probeFields({ title: evil, body: '<img src=x onerror=alert(2)>', status: '1' }));
    const nid = nidOf(r.location);
    for (const path of [`/node/${nid}`, '/node', '/admin/content', `/node/${nid}/edit`]) {
      const page = await admin.get(path);
      expect(page.status, path).to.equal(200);
      expect(page.body, path).to.include('&lt;script&gt;alert(1)&lt;/script&gt;').and.not.include(evil);
      expect(page.body, path).to.not.include('<img src=x');
    }
  });

  it('csrf: a node form posted without a token, with another form\'s token or another session\'s is refused (403), saving nothing', async () => {
    const before = await nodeCount();
    expect((await admin.post('/node/add/probe', probeFields())).status).to.equal(403);
    const noteToken = formToken((await admin.get('/node/add/note')).body);
    expect((await admin.post('/node/add/probe', { ...probeFields(), _token: noteToken })).status).to.equal(403);
    const other = await adminClient(s);
    const otherToken = formToken((await other.get('/node/add/probe')).body);
    expect((await admin.post('/node/add/probe', { ...probeFields(), _token: otherToken })).status).to.equal(403);
    const n = await saveNode(s.site, { type: 'note', title: 'Keep me' });
    expect((await admin.post(`/node/${n.nid}/delete`, {})).status).to.equal(403);
    expect(await loadNode(s.site, n.nid)).to.not.equal(undefined);
    expect(await nodeCount()).to.equal(before + 1);
  });
});
