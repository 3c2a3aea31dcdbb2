import { expect } from 'chai';
import { saveNode } from '../../../modules/node/storage.js';
import type { HttpClient, ServedSite } from '../../harness/http.js';
import { adminClient, logIn, serveProbe, userWith } from './http-helpers.js';

/** Titles of the rows of the content table, in order. */
function rowTitles(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>\s*<td[^>]*><a href="\/node\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]!);
}

/** Titles of the teasers of /node, in order. */
function teaserTitles(html: string): string[] {
  return [...html.matchAll(/<h2 class="node__title"><a href="\/node\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]!);
}

describe('node lists over HTTP (sqlite)', () => {
  let s: ServedSite;
  let admin: HttpClient;
  before(async () => {
    s = await serveProbe();
    admin = await adminClient(s);
    // 55 notes (every third unpublished, every fifth by user 2), 3 probes.
    for (let i = 1; i <= 55; i++) {
      await saveNode(s.site, { type: 'note', title: `Note ${String(i).padStart(2, '0')}`, created: i * 1000, status: i % 3 !== 0, uid: i % 5 === 0 ? 2 : 1 });
    }
    for (const t of ['Probe 100%', 'Probe a_b', 'Probe axb']) await saveNode(s.site, { type: 'probe', title: t, fields: { code: 'c' }, created: 500 });
    await saveNode(s.site, { type: 'note', title: 'Pinned old', created: 1, sticky: true });
  });
  after(async () => { await s.stop(); });

  it('shows published nodes on /node, sticky first then newest, 10 a page with a pager', async () => {
    const first = await s.client().get('/node');
    expect(first.status).to.equal(200);
    expect(teaserTitles(first.body)).to.deep.equal(['Pinned old', 'Note 55', 'Note 53', 'Note 52', 'Note 50', 'Note 49', 'Note 47', 'Note 46', 'Note 44', 'Note 43']);
    expect(first.body).to.include('href="/node?page=1"').and.include('rel="next"');
    const second = await s.client().get('/node?page=1');
    expect(teaserTitles(second.body)[0]).to.equal('Note 41');
    expect(second.body).to.include('rel="prev"');
  });

  it('serves /node at "/" when it is the front page', async () => {
    await s.site.config.set('system.front_page', '/node');
    const r = await s.client().get('/');
    expect(r.status).to.equal(200);
    expect(teaserTitles(r.body)[0]).to.equal('Pinned old');
  });

  it('lists all content on /admin/content, 50 a page, newest change first, with sort links on the headers', async () => {
    const r = await admin.get('/admin/content');
    expect(r.status).to.equal(200);
    const titles = rowTitles(r.body);
    expect(titles).to.have.length(50);
    expect(r.body).to.include('59 items').and.include('href="/admin/content?page=1"');
    expect(r.body).to.include('href="/admin/content?sort=title&amp;order=asc"').and.include('aria-sort="descending"');
    const page2 = await admin.get('/admin/content?page=1');
    expect(rowTitles(page2.body)).to.have.length(9);
    expect(new Set([...titles, ...rowTitles(page2.body)]).size).to.equal(59);
  });

  it('sorts by a column when its header is followed, and the other way when followed again', async () => {
    const asc = await admin.get('/admin/content?sort=title&order=asc');
    expect(rowTitles(asc.body).slice(0, 3)).to.deep.equal(['Note 01', 'Note 02', 'Note 03']);
    expect(asc.body).to.include('href="/admin/content?sort=title&amp;order=desc"').and.include('aria-sort="ascending"');
    const desc = await admin.get('/admin/content?sort=title&order=desc');
    expect(rowTitles(desc.body).slice(0, 2)).to.deep.equal(['Probe axb', 'Probe a_b']);
    const bogus = await admin.get('/admin/content?sort=uid%3Bdrop&order=sideways');
    expect(bogus.status).to.equal(200);
    expect(rowTitles(bogus.body)).to.have.length(50);
  });

  it('filters by type, status and title, keeping the filters in the sort and pager links', async () => {
    expect(rowTitles((await admin.get('/admin/content?type=probe&sort=title&order=asc')).body)).to.deep.equal(['Probe 100%', 'Probe a_b', 'Probe axb']);
    const unpublished = await admin.get('/admin/content?status=0&type=note');
    expect(unpublished.body).to.include('18 items');
    expect(unpublished.body).to.include('href="/admin/content?status=0&amp;type=note&amp;sort=title&amp;order=asc"');
    expect(rowTitles((await admin.get('/admin/content?title=_')).body)).to.deep.equal(['Probe a_b']);
    expect(rowTitles((await admin.get('/admin/content?title=%25')).body)).to.deep.equal(['Probe 100%']);
    const unknownType = await admin.get('/admin/content?type=ghost');
    expect(unknownType.body).to.include('59 items');
  });

  it('shows an editor only the nodes they may edit', async () => {
    await userWith(s.site, 'prober', ['edit any probe content']);
    const c = s.client();
    await logIn(c, 'prober');
    const r = await c.get('/admin/content?sort=title&order=asc');
    expect(r.status).to.equal(200);
    expect(rowTitles(r.body)).to.deep.equal(['Probe 100%', 'Probe a_b', 'Probe axb']);
  });

  it('lists the declared types with their fields on /admin/structure/types', async () => {
    const r = await admin.get('/admin/structure/types');
    expect(r.status).to.equal(200);
    expect(r.body).to.include('A node type with every kind of field.').and.include('node_probe');
    for (const cell of ['<td>code</td>', '<td>select</td>', 'one of: Red, Blue', 'at most 8 characters', '<td>Name</td>']) expect(r.body).to.include(cell);
  });
});
