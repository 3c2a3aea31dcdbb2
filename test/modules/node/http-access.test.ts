import { expect } from 'chai';
import { loadNode, saveNode } from '../../../modules/node/storage.js';
import { formToken, type HttpClient, type ServedSite } from '../../harness/http.js';
import { adminClient, logIn, nidOf, serveProbe, userWith } from './http-helpers.js';

describe('node access over HTTP (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  let writer: HttpClient;
  let writerUid: number;
  before(async () => {
    s = await serveProbe({ anonymousContent: false });
    admin = await adminClient(s);
    writerUid = await userWith(s.site, 'writer', [
      'access content', 'create note content', 'edit own note content', 'delete own note content', 'view own unpublished content',
    ]);
    writer = s.client();
    await logIn(writer, 'writer');
  });
  after(async () => { await s.stop(); });

  it('answers 404 for unknown or malformed node ids and unknown types', async () => {
    for (const path of ['/node/999999', '/node/abc', '/node/0', '/node/01', '/node/1e3', '/node/999999/edit', '/node/999999/delete', '/node/add/ghost']) {
      expect((await admin.get(path)).status, path).to.equal(404);
    }
  });

  it('answers 403 to visitors without "access content", with a link to log in', async () => {
    const n = await saveNode(s.site, { type: 'note', title: 'Members only' });
    for (const path of [`/node/${n.nid}`, '/node']) {
      const r = await s.client().get(path);
      expect(r.status, path).to.equal(403);
      expect(r.body).to.include('/user/login?destination=');
    }
    expect((await writer.get(`/node/${n.nid}`)).status).to.equal(200);
  });

  it('lets a module\'s allow vote open a node to visitors without the permission', async () => {
    const n = await saveNode(s.site, { type: 'note', title: 'Public notice' });
    expect((await s.client().get(`/node/${n.nid}`)).status).to.equal(200);
  });

  it('lets a deny vote win over the permissions of user 1: 403 on the page, edit and delete, and left out of /node', async () => {
    const n = await saveNode(s.site, { type: 'note', title: 'Secret plans' });
    for (const path of [`/node/${n.nid}`, `/node/${n.nid}/edit`, `/node/${n.nid}/delete`]) expect((await admin.get(path)).status, path).to.equal(403);
    const front = await admin.get('/node');
    expect(front.status).to.equal(200);
    expect(front.body).to.not.include('Secret plans');
  });

  it('lets an editor create only the types they may, and edit or delete only their own nodes with the "own" permissions', async () => {
    const list = await writer.get('/node/add');
    expect(list.body).to.include('href="/node/add/note"').and.not.include('href="/node/add/probe"');
    expect((await writer.get('/node/add/probe')).status).to.equal(403);
    const r = await writer.postForm('/node/add/note', { title: 'My note', text: 'mine', status: '1' });
    const mine = nidOf(r.location);
    expect((await loadNode(s.site, mine))!.uid).to.equal(writerUid);
    const theirs = await saveNode(s.site, { type: 'note', title: 'Admin note', uid: 1 });
    expect((await writer.get(`/node/${mine}/edit`)).status).to.equal(200);
    expect((await writer.get(`/node/${theirs.nid}/edit`)).status).to.equal(403);
    expect((await writer.get(`/node/${theirs.nid}/delete`)).status).to.equal(403);
    const view = await writer.get(`/node/${theirs.nid}`);
    expect(view.status).to.equal(200);
    expect(view.body).to.not.include(`href="/node/${theirs.nid}/edit"`);
    expect((await writer.postForm(`/node/${mine}/delete`, {})).status).to.equal(303);
    expect(await loadNode(s.site, mine)).to.equal(undefined);
  });

  it('idor: posting a valid token to the edit or delete form of another user\'s node is refused and changes nothing', async () => {
    const own = nidOf((await writer.postForm('/node/add/note', { title: 'Own', status: '1' })).location);
    const theirs = await saveNode(s.site, { type: 'note', title: 'Not yours', uid: 1 });
    const editToken = formToken((await writer.get(`/node/${own}/edit`)).body);
    expect((await writer.post(`/node/${theirs.nid}/edit`, { _token: editToken, title: 'Taken over', status: '1' })).status).to.equal(403);
    const deleteToken = formToken((await writer.get(`/node/${own}/delete`)).body);
    expect((await writer.post(`/node/${theirs.nid}/delete`, { _token: deleteToken })).status).to.equal(403);
    expect(await loadNode(s.site, theirs.nid)).to.deep.include({ title: 'Not yours' });
  });

  it('shows an unpublished node to its owner with "view own unpublished content" and to admins, not to others', async () => {
    const r = await writer.postForm('/node/add/note', { title: 'Draft note' });
    const nid = nidOf(r.location);
    expect((await loadNode(s.site, nid))!.status).to.equal(false);
    expect((await writer.get(`/node/${nid}`)).status).to.equal(200);
    expect((await admin.get(`/node/${nid}`)).status).to.equal(200);
    await userWith(s.site, 'reader', ['access content', 'view own unpublished content']);
    const reader = s.client();
    await logIn(reader, 'reader');
    expect((await reader.get(`/node/${nid}`)).status).to.equal(403);
    expect((await s.client().get(`/node/${nid}`)).status).to.equal(403);
    expect((await reader.get('/node')).body).to.not.include('Draft note');
  });

  it('offers "sticky" only to content administrators, and ignores it when others send it', async () => {
    expect((await writer.get('/node/add/note')).body).to.not.include('name="sticky"');
    expect((await admin.get('/node/add/note')).body).to.include('name="sticky"');
    const nid = nidOf((await writer.postForm('/node/add/note', { title: 'Wants to stick', status: '1', sticky: '1', promote: '1' })).location);
    expect(await loadNode(s.site, nid)).to.deep.include({ sticky: false, promote: true });
  });

  it('keeps /admin/content and /admin/structure/types from users without the rights', async () => {
    expect((await s.client().get('/admin/content')).status).to.equal(403);
    expect((await writer.get('/admin/structure/types')).status).to.equal(403);
    expect((await writer.get('/admin/content')).status).to.equal(200);
  });
});
