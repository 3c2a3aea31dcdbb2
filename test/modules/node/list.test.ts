import { expect } from 'chai';
import { listNodes, saveNode, type NodeListQuery } from '../../../modules/node/storage.js';
import type { NodeInput } from '../../../modules/node/types.js';
import { DRIVERS } from '../../harness/codebase.js';
import { probe, probeSite, resetProbe, type ProbeSite } from './helpers.js';

const note = (title: string, over: Partial<NodeInput> = {}): NodeInput => ({ type: 'note', title, ...over });

for (const driver of DRIVERS) {
  describe(`node listing on ${driver}`, () => {
    let ps: ProbeSite;
    before(async () => { ps = await probeSite(driver); });
    after(async () => { await ps.close(); });
    beforeEach(async () => { await resetProbe(ps.site); });

    const titles = async (q: NodeListQuery): Promise<string[]> => (await listNodes(ps.site, q)).nodes.map((n) => n.title);

    it('pages through all nodes without gaps or repeats, with the total', async () => {
      for (let i = 0; i < 25; i++) await saveNode(ps.site, note(`Note ${String(i).padStart(2, '0')}`, { created: 1000 + i }));
      const pages = [];
      for (let page = 0; page < 4; page++) pages.push(await listNodes(ps.site, { sort: 'created', order: 'asc', page, pageSize: 10 }));
      expect(pages.map((p) => p.nodes.length)).to.deep.equal([10, 10, 5, 0]);
      expect(pages.every((p) => p.total === 25)).to.equal(true);
      const all = pages.flatMap((p) => p.nodes.map((n) => n.title));
      expect(all).to.deep.equal(Array.from({ length: 25 }, (_, i) => `Note ${String(i).padStart(2, '0')}`));
    });

    it('sorts by title, created, type and status either way, ties broken by nid', async () => {
      await saveNode(ps.site, note('Beta', { created: 3000, status: false }));
      await saveNode(ps.site, probe({ title: 'Alpha', created: 1000 }));
      await saveNode(ps.site, note('Gamma', { created: 2000 }));
      expect(await titles({ sort: 'title', order: 'asc' })).to.deep.equal(['Alpha', 'Beta', 'Gamma']);
      expect(await titles({ sort: 'title', order: 'desc' })).to.deep.equal(['Gamma', 'Beta', 'Alpha']);
      expect(await titles({ sort: 'created', order: 'asc' })).to.deep.equal(['Alpha', 'Gamma', 'Beta']);
      expect(await titles({ sort: 'type', order: 'asc' })).to.deep.equal(['Beta', 'Gamma', 'Alpha']);
      expect(await titles({ sort: 'type', order: 'desc' })).to.deep.equal(['Alpha', 'Gamma', 'Beta']);
      expect(await titles({ sort: 'status', order: 'asc' })).to.deep.equal(['Beta', 'Alpha', 'Gamma']);
    });

    it('sorts by last change, newest first by default', async () => {
      const a = await saveNode(ps.site, note('Old'));
      await saveNode(ps.site, note('Middle'));
      await ps.site.db('node').where({ nid: a.nid }).update({ changed: Date.now() + 60_000 });
      expect(await titles({})).to.deep.equal(['Old', 'Middle']);
      expect(await titles({ sort: 'changed', order: 'asc' })).to.deep.equal(['Middle', 'Old']);
    });

    it('puts sticky nodes first when asked', async () => {
      await saveNode(ps.site, note('Plain new', { created: 5000 }));
      await saveNode(ps.site, note('Sticky old', { created: 1000, sticky: true }));
      expect(await titles({ sort: 'created' })).to.deep.equal(['Plain new', 'Sticky old']);
      expect(await titles({ sort: 'created', stickyFirst: true })).to.deep.equal(['Sticky old', 'Plain new']);
    });

    it('filters by type, status, author and title, counting only what matches', async () => {
      await saveNode(ps.site, note('Apple pie', { uid: 2 }));
      await saveNode(ps.site, note('Apple tart', { uid: 3, status: false }));
      await saveNode(ps.site, probe({ title: 'Pear pie', uid: 2 }));
      const r = await listNodes(ps.site, { type: 'note', status: true });
      expect(r.nodes.map((n) => n.title)).to.deep.equal(['Apple pie']);
      expect(r.total).to.equal(1);
      expect((await listNodes(ps.site, { status: false })).total).to.equal(1);
      expect(await titles({ uid: 2, sort: 'title', order: 'asc' })).to.deep.equal(['Apple pie', 'Pear pie']);
      expect(await titles({ titleContains: 'pie', sort: 'title', order: 'asc' })).to.deep.equal(['Apple pie', 'Pear pie']);
      expect((await listNodes(ps.site, { titleContains: 'Apple', type: 'note', uid: 3 })).total).to.equal(1);
    });

    it('like-injection: "%", "_" and "\\" in a title filter match literally', async () => {
      for (const t of ['100% pure', '100 pure', 'a_b', 'axb', 'back\\slash', 'backslash']) await saveNode(ps.site, note(t));
      expect(await titles({ titleContains: '%' })).to.deep.equal(['100% pure']);
      expect(await titles({ titleContains: '0% p' })).to.deep.equal(['100% pure']);
      expect(await titles({ titleContains: '_' })).to.deep.equal(['a_b']);
      expect(await titles({ titleContains: 'k\\s' })).to.deep.equal(['back\\slash']);
      expect((await listNodes(ps.site, { titleContains: '%%' })).total).to.equal(0);
    });

    it('limits an editor to the types they may edit any node of, plus their own nodes of the types they may edit own', async () => {
      await saveNode(ps.site, note('Note by 2', { uid: 2 }));
      await saveNode(ps.site, note('Note by 3', { uid: 3 }));
      await saveNode(ps.site, probe({ title: 'Probe by 2', uid: 2 }));
      await saveNode(ps.site, probe({ title: 'Probe by 3', uid: 3 }));
      const scoped = (anyTypes: string[], ownTypes: string[]): Promise<string[]> => titles({ sort: 'title', order: 'asc', scope: { anyTypes, ownTypes, uid: 2 } });
      expect(await scoped(['note'], [])).to.deep.equal(['Note by 2', 'Note by 3']);
      expect(await scoped([], ['probe'])).to.deep.equal(['Probe by 2']);
      expect(await scoped(['note'], ['probe'])).to.deep.equal(['Note by 2', 'Note by 3', 'Probe by 2']);
      expect(await scoped([], [])).to.deep.equal([]);
    });

    it('clamps the page size and ignores an unknown sort column', async () => {
      for (let i = 0; i < 3; i++) await saveNode(ps.site, note(`N${i}`, { created: i + 1 }));
      expect((await listNodes(ps.site, { pageSize: 0 })).nodes).to.have.length(1);
      expect(await titles({ sort: 'nid; drop table node' as never, order: 'asc' })).to.have.length(3);
      expect(await ps.site.db.schema.hasTable('node')).to.equal(true);
    });
  });
}
