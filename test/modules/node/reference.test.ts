import { expect } from 'chai';
import { referencedNodes } from '../../../modules/node/reference.js';
import { nodeViewVars } from '../../../modules/node/render.js';
import { loadNode, saveNode } from '../../../modules/node/storage.js';
import type { Node, NodeFieldValue } from '../../../modules/node/types.js';
import { DRIVERS } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { accountWith, probeSite, resetProbe, type ProbeSite } from './helpers.js';

for (const driver of DRIVERS) {
  describe(`node reference fields on ${driver}`, () => {
    let ps: ProbeSite;
    before(async () => { ps = await probeSite(driver, ['node_refs']); });
    after(async () => { await ps.close(); });
    beforeEach(async () => { await resetProbe(ps.site); });

    const apps = async (): Promise<number> => Number(((await ps.site.db('node').where({ type: 'app' }).count({ n: '*' })) as { n: number | string }[])[0]!.n);
    const box = (title = 'Box one'): Promise<Node> => saveNode(ps.site, { type: 'box', title });
    const app = (fields: Record<string, NodeFieldValue>, nid?: number): Promise<Node> =>
      saveNode(ps.site, { ...(nid ? { nid } : {}), type: 'app', title: 'An app', fields });

    it('saves a reference to an existing node of the target type, loads it as the number, and renders it as a link with the escaped title', async () => {
      const b = await box('<script>alert(1)</script> & co');
      const note = await saveNode(ps.site, { type: 'note', title: 'Owner note' });
      const a = await app({ box: b.nid, owner: note.nid });
      expect(a.fields).to.include({ box: b.nid, owner: note.nid });
      const loaded = await loadNode(ps.site, a.nid);
      expect(loaded!.fields.box).to.equal(b.nid).and.be.a('number');
      expect(loaded!.fields.owner).to.equal(note.nid);
      const viewer = accountWith(5, ['access content']);
      const refs = await referencedNodes(ps.site, [loaded!], viewer, (nid) => `/node/${nid}`);
      const vars = nodeViewVars(ps.site, loaded!, 'full', { account: viewer, url: `/node/${a.nid}`, author: 'x', references: refs });
      expect(vars.fields.filter((f) => f.type === 'reference').map((f) => [f.name, f.value, f.url]))
        .to.deep.equal([['box', b.title, `/node/${b.nid}`], ['owner', 'Owner note', `/node/${note.nid}`]]);
    });

    it('leaves an empty optional reference null, and shows nothing for it', async () => {
      const b = await box();
      const a = await app({ box: b.nid });
      expect((await loadNode(ps.site, a.nid))!.fields.owner).to.equal(null);
      const vars = nodeViewVars(ps.site, a, 'full', { account: accountWith(1, ['access content']), url: '/', author: 'x', references: new Map() });
      expect(vars.fields.map((f) => f.name)).to.deep.equal([]);
    });

    it('refuses a reference to a missing node, to a node of another type, a non-number, a negative or fractional id: ERR_NODE_INVALID naming the field, nothing saved', async () => {
      const b = await box();
      const note = await saveNode(ps.site, { type: 'note', title: 'A note' });
      const other = await app({ box: b.nid });
      const cases: [string, string, unknown][] = [
        ['a missing node', 'box', 987_654],
        ['a node of another type', 'box', note.nid],
        ['an id as text', 'box', String(b.nid)],
        ['a boolean', 'box', true],
        ['a negative id', 'box', -b.nid],
        ['zero', 'box', 0],
        ['a fractional id', 'box', 1.5],
        ['an id past the safe integers', 'box', 2 ** 60],
        ['NaN', 'box', Number.NaN],
        ['an owner of a type outside its targets (an app)', 'owner', other.nid],
      ];
      for (const [what, field, value] of cases) {
        const e = await expectCode(app({ box: b.nid, [field]: value as NodeFieldValue }), 'ERR_NODE_INVALID');
        expect(e.facts.fields, what).to.equal(field);
      }
      expect(await apps()).to.equal(1);
    });

    it('says which field and which node a missing reference names', async () => {
      const e = await expectCode(app({ box: 424_242 }), 'ERR_NODE_INVALID');
      expect(e.facts.problems).to.equal('Box: no such box (node 424242).');
      const b = await box();
      const e2 = await expectCode(app({ box: b.nid, owner: 424_243 }), 'ERR_NODE_INVALID');
      expect(e2.facts.problems).to.equal('Owner: no such box or note (node 424243).');
    });

    it('refuses a required reference left empty', async () => {
      for (const fields of [{}, { box: null }] as Record<string, NodeFieldValue>[]) {
        const e = await expectCode(app(fields), 'ERR_NODE_INVALID');
        expect(e.facts.fields).to.equal('box');
      }
      expect(await apps()).to.equal(0);
    });

    it('checks the references again on update: a node whose box was deleted cannot be saved until it names another', async () => {
      const b1 = await box('First');
      const a = await app({ box: b1.nid });
      await ps.site.db('node').where({ nid: b1.nid }).delete();
      const e = await expectCode(app({ box: b1.nid }, a.nid), 'ERR_NODE_INVALID');
      expect(e.facts.fields).to.equal('box');
      const b2 = await box('Second');
      expect((await app({ box: b2.nid }, a.nid)).fields.box).to.equal(b2.nid);
    });

    it('shows no link to a referenced node the viewer may not see, nor to a deleted one', async () => {
      const hidden = await box('A secret box');
      const gone = await box('Gone');
      const a = await app({ box: hidden.nid, owner: gone.nid });
      await ps.site.db('node').where({ nid: gone.nid }).delete();
      const viewer = accountWith(5, ['access content']);
      const refs = await referencedNodes(ps.site, [a], viewer, (nid) => `/node/${nid}`);
      expect([...refs.keys()]).to.deep.equal([]);
      const vars = nodeViewVars(ps.site, a, 'full', { account: viewer, url: '/', author: 'x', references: refs });
      expect(vars.fields.map((f) => f.name)).to.deep.equal([]);
    });
  });
}
