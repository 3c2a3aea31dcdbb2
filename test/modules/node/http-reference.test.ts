import { expect } from 'chai';
import { loadNode, saveNode } from '../../../modules/node/storage.js';
import { formToken, type HttpClient, type ServedSite } from '../../harness/http.js';
import { adminClient, fieldError, logIn, nidOf, serveProbe, userWith } from './http-helpers.js';

/** The options of the select named `name` in a page: value, label (as in the HTML, escaped), selected. */
function selectOptions(html: string, name: string): { value: string; label: string; selected: boolean }[] {
  const m = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  expect(m, `a select named ${name}`).to.not.equal(null);
  return [...m![1]!.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)].map((o) => ({ value: o[1]!, label: o[3]!, selected: !!o[2] }));
}

describe('node reference fields over HTTP (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  const boxes: Record<string, number> = {};
  let note: number;
  before(async () => {
    s = await serveProbe({ modules: ['node_refs'] });
    admin = await adminClient(s);
    // Made in an order that is neither the titles' nor their reverse: the select must sort by title, not by id.
    for (const title of ['Zulu', 'alpha', '<script>alert(1)</script>', 'Mike', 'A secret box']) boxes[title] = (await saveNode(s.site, { type: 'box', title })).nid;
    note = (await saveNode(s.site, { type: 'note', title: 'Owner note' })).nid;
  });
  after(async () => { await s.stop(); });
  const appCount = async (): Promise<number> => Number(((await s.site.db('node').where({ type: 'app' }).count({ n: '*' })) as { n: number | string }[])[0]!.n);

  it('offers the target nodes by title in a select, titles escaped; an optional one starts with "- None -"', async () => {
    const r = await admin.get('/node/add/app');
    expect(r.status).to.equal(200);
    const box = selectOptions(r.body, 'box');
    // "A secret box" is denied to everyone by node_probe's access vote, user 1 included.
    expect(box.map((o) => o.label)).to.deep.equal(['- Select -', '&lt;script&gt;alert(1)&lt;/script&gt;', 'alpha', 'Mike', 'Zulu']);
    expect(box.slice(1).map((o) => o.value)).to.deep.equal(['<script>alert(1)</script>', 'alpha', 'Mike', 'Zulu'].map((t) => String(boxes[t])));
    expect(r.body).to.not.include('<script>alert(1)</script>');
    const owner = selectOptions(r.body, 'owner');
    expect(owner[0]).to.deep.equal({ value: '', label: '- None -', selected: false });
    expect(owner.map((o) => o.value)).to.include(String(note)).and.include(String(boxes.Mike));
    expect(box.map((o) => o.value)).to.not.include(String(note));
  });

  it('saves the chosen node as its nid, and the node page links to it with the escaped title', async () => {
    const r = await admin.postForm('/node/add/app', { title: 'App one', box: String(boxes['<script>alert(1)</script>']), owner: String(note), notes: '', status: '1' });
    expect(r.status, r.body.slice(0, 500)).to.equal(303);
    const nid = nidOf(r.location);
    expect((await loadNode(s.site, nid))!.fields).to.include({ box: boxes['<script>alert(1)</script>'], owner: note });
    const view = await admin.get(`/node/${nid}`);
    expect(view.body).to.include(`<a href="/node/${boxes['<script>alert(1)</script>']}">&lt;script&gt;alert(1)&lt;/script&gt;</a>`);
    expect(view.body).to.include(`<a href="/node/${note}">Owner note</a>`);
    expect(view.body).to.not.include('<script>alert(1)</script>');
    const edit = await admin.get(`/node/${nid}/edit`);
    expect(selectOptions(edit.body, 'box').find((o) => o.selected)?.value).to.equal(String(boxes['<script>alert(1)</script>']));
    expect(selectOptions(edit.body, 'owner').find((o) => o.selected)?.value).to.equal(String(note));
  });

  it('leaves an optional reference empty when "- None -" is chosen, and refuses an empty required one (422 at its field)', async () => {
    const ok = await admin.postForm('/node/add/app', { title: 'No owner', box: String(boxes.Mike), owner: '', status: '1' });
    expect(ok.status).to.equal(303);
    expect((await loadNode(s.site, nidOf(ok.location)))!.fields.owner).to.equal(null);
    const before = await appCount();
    const r = await admin.postForm('/node/add/app', { title: 'No box', box: '', owner: '', status: '1' });
    expect(r.status).to.equal(422);
    expect(fieldError(r.body, 'node_app_form', 'box')).to.equal('Box is required.');
    expect(await appCount()).to.equal(before);
  });

  it('re-shows the form with an error at the field when a forged post names a node of another type, saving nothing', async () => {
    const before = await appCount();
    const page = await admin.get('/node/add/app');
    const r = await admin.post('/node/add/app', { _token: formToken(page.body, 'node_app_form'), title: 'Forged', box: String(note), owner: '', status: '1' });
    expect(r.status).to.equal(422);
    expect(fieldError(r.body, 'node_app_form', 'box')).to.be.a('string').and.match(/^Box/);
    expect(selectOptions(r.body, 'box').length).to.be.greaterThan(1);
    expect(await appCount()).to.equal(before);
  });

  it('idor: a user offered only the boxes they may view cannot post the id of one they may not (422, nothing saved)', async () => {
    const uid = await userWith(s.site, 'appmaker', ['access content', 'create app content']);
    expect(uid).to.be.greaterThan(1);
    const c = s.client();
    await logIn(c, 'appmaker');
    const page = await c.get('/node/add/app');
    expect(page.status).to.equal(200);
    const offered = selectOptions(page.body, 'box').map((o) => o.value);
    expect(offered).to.include(String(boxes.Mike)).and.not.include(String(boxes['A secret box']));
    expect(page.body).to.not.include('A secret box');
    const before = await appCount();
    const r = await c.post('/node/add/app', { _token: formToken(page.body, 'node_app_form'), title: 'Sneaky', box: String(boxes['A secret box']), status: '1' });
    expect(r.status).to.equal(422);
    expect(fieldError(r.body, 'node_app_form', 'box')).to.be.a('string');
    expect(await appCount()).to.equal(before);
  });

  it('lists a reference field with its targets on the node types page', async () => {
    const r = await admin.get('/admin/structure/types');
    expect(r.status).to.equal(200);
    expect(r.body).to.include('a node of type box or note');
  });

  it('keeps a deleted box as a choice on the edit form, and saving says at the field that it is gone', async () => {
    const gone = (await saveNode(s.site, { type: 'box', title: 'Soon gone' })).nid;
    const app = await saveNode(s.site, { type: 'app', title: 'Orphan', fields: { box: gone } });
    await s.site.db('node').where({ nid: gone }).delete();
    const edit = await admin.get(`/node/${app.nid}/edit`);
    expect(selectOptions(edit.body, 'box').find((o) => o.selected)).to.deep.equal({ value: String(gone), label: `Node ${gone}`, selected: true });
    const r = await admin.postForm(`/node/${app.nid}/edit`, { title: 'Orphan', box: String(gone), owner: '', status: '1' });
    expect(r.status).to.equal(422);
    expect(fieldError(r.body, 'node_app_form', 'box')).to.equal(`Box: no such box (node ${gone}).`);
    const fixed = await admin.postForm(`/node/${app.nid}/edit`, { title: 'Orphan', box: String(boxes.alpha), owner: '', status: '1' });
    expect(fixed.status).to.equal(303);
    expect((await loadNode(s.site, app.nid))!.fields.box).to.equal(boxes.alpha);
  });
});
