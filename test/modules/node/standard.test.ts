import { expectCode } from '../../harness/expect.js';
import { expect } from 'chai';
import type { Site } from '../../../core/site/site.js';
import { nodeTypes } from '../../../modules/node/registry.js';
import { listNodes, saveNode } from '../../../modules/node/storage.js';
import { permissionsOf } from '../../../modules/user/roles.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { serveSite, type ServedSite } from '../../harness/http.js';
import { adminClient, nidOf } from './http-helpers.js';

for (const driver of DRIVERS) {
  describe(`the standard profile on ${driver}`, () => {
    let tc: TestCodebase;
    let site: Site;
    before(async () => {
      tc = makeCodebase({ fixtures: false });
      site = await installTestSite(tc, driver, { profile: 'standard' });
    });
    after(async () => {
      await site.close();
      tc.cleanup();
    });

    it('installs node before the profile and declares the page and article types', () => {
      expect(site.kernel.names.indexOf('node')).to.be.lessThan(site.kernel.names.indexOf('standard'));
      expect(site.kernel.names.at(-1)).to.equal('standard');
      const types = nodeTypes(site.kernel);
      expect([...types.keys()]).to.deep.equal(['page', 'article']);
      expect(Object.keys(types.get('page')!.fields)).to.deep.equal(['body']);
      expect(types.get('article')!.fields).to.deep.include({ tags: { type: 'text', label: 'Tags', maxLength: 255, description: 'Words that describe the article, separated by commas.' } });
    });

    it('runs its install steps: standard settings, /node as the front page, content visible to everyone', async () => {
      expect(await site.config.get('system.cron_interval')).to.equal(3 * 60 * 60);
      expect(await site.config.get('system.front_page')).to.equal('/node');
      for (const rid of ['anonymous', 'authenticated']) expect([...(await permissionsOf(site, [rid]))], rid).to.include('access content');
      expect([...(await permissionsOf(site, ['anonymous']))]).to.not.include('administer nodes');
    });

    it('stores articles with tags and refuses fields a page does not have', async () => {
      const a = await saveNode(site, { type: 'article', title: 'News', fields: { body: 'Text', tags: 'one, two' } });
      expect((await listNodes(site, { type: 'article' })).nodes.map((n) => n.nid)).to.deep.equal([a.nid]);
      await expectCode(saveNode(site, { type: 'page', title: 'About', fields: { tags: 'x' } }), 'ERR_NODE_INVALID');
    });
  });
}

describe('a standard site over HTTP (sqlite)', () => {
  let s: ServedSite;
  before(async () => { s = await serveSite({ profile: 'standard' }); });
  after(async () => { await s.stop(); });

  it('shows an empty front page to visitors, then an article the admin wrote through the form', async () => {
    const empty = await s.client().get('/');
    expect(empty.status).to.equal(200);
    expect(empty.body).to.include('No content has been published yet.');
    const admin = await adminClient(s);
    const list = await admin.get('/node/add');
    expect(list.body).to.include('href="/node/add/page"').and.include('href="/node/add/article"');
    const r = await admin.postForm('/node/add/article', { title: 'Hello world', body: 'First post.', tags: 'news', status: '1' });
    const nid = nidOf(r.location);
    const front = await s.client().get('/');
    expect(front.body).to.include(`<a href="/node/${nid}">Hello world</a>`).and.include('First post.');
    const view = await s.client().get(`/node/${nid}`);
    expect(view.status).to.equal(200);
    expect(view.body).to.include('news');
    expect((await s.client().get(`/node/${nid}/edit`)).status).to.equal(403);
  });
});
