import { expectCode } from '../../harness/expect.js';
import { expect } from 'chai';
import { deleteNode, loadNode, loadNodes, saveNode } from '../../../modules/node/storage.js';
import { DRIVERS } from '../../harness/codebase.js';
import { accountWith, probe, probeSite, resetProbe, type ProbeSite } from './helpers.js';

for (const driver of DRIVERS) {
  describe(`node storage on ${driver}`, () => {
    let ps: ProbeSite;
    before(async () => { ps = await probeSite(driver); });
    after(async () => { await ps.close(); });
    beforeEach(async () => { await resetProbe(ps.site); });

    const count = async (): Promise<number> => Number(((await ps.site.db('node').count({ n: '*' })) as { n: number | string }[])[0]!.n);

    it('creates a node with every field present, trimmed, and loads it back the same', async () => {
      const author = accountWith(7, []);
      const saved = await saveNode(ps.site, probe({ title: '  Hello  ', fields: { code: ' c1 ', body: 'one\r\ntwo', count: 3, flag: true, color: 'blue' } }), { account: author });
      expect(saved.nid).to.be.greaterThan(0);
      expect(saved).to.include({ type: 'probe', title: 'Hello', uid: 7, status: true, promote: false, sticky: false });
      expect(saved.fields).to.deep.equal({ code: 'c1', body: 'one\ntwo', mail: '', count: 3, flag: true, color: 'blue' });
      expect(saved.created).to.equal(saved.changed);
      const loaded = await loadNode(ps.site, saved.nid);
      expect(loaded).to.deep.include({ nid: saved.nid, title: 'Hello', uid: 7, fields: saved.fields, created: saved.created });
      const row = (await ps.site.db('node').where({ nid: saved.nid }).first()) as Record<string, unknown>;
      expect(Number(row.status)).to.equal(1);
      expect(JSON.parse(String(row.data))).to.deep.equal(saved.fields);
    });

    it('updates a node: fields left out keep their values, created stays, changed moves on', async () => {
      const first = await saveNode(ps.site, probe({ fields: { code: 'c1', body: 'text', count: 4 }, created: 1000 }));
      const second = await saveNode(ps.site, { nid: first.nid, type: 'probe', title: 'Renamed', status: false, fields: { count: 5 } });
      expect(second.nid).to.equal(first.nid);
      expect(second.fields).to.include({ code: 'c1', body: 'text', count: 5 });
      expect(second.created).to.equal(1000);
      expect(second.changed).to.be.at.least(first.changed);
      const loaded = await loadNode(ps.site, first.nid);
      expect(loaded).to.include({ title: 'Renamed', status: false, created: 1000 });
      expect(await count()).to.equal(1);
    });

    it('deletes a node; deleting it again is ERR_NODE_NOT_FOUND', async () => {
      const n = await saveNode(ps.site, probe());
      await deleteNode(ps.site, n);
      expect(await loadNode(ps.site, n.nid)).to.equal(undefined);
      await expectCode(deleteNode(ps.site, n), 'ERR_NODE_NOT_FOUND');
    });

    it('loads several nodes in the order asked, leaving out ids that do not exist', async () => {
      const a = await saveNode(ps.site, probe({ title: 'A' }));
      const b = await saveNode(ps.site, probe({ title: 'B' }));
      const nodes = await loadNodes(ps.site, [b.nid, 999_999, a.nid, b.nid, -1]);
      expect(nodes.map((n) => n.title)).to.deep.equal(['B', 'A']);
      expect(await loadNode(ps.site, 0)).to.equal(undefined);
    });

    it('rejects an unknown field with ERR_NODE_INVALID and saves nothing', async () => {
      const e = await expectCode(saveNode(ps.site, probe({ fields: { code: 'c1', nope: 'x' } })), 'ERR_NODE_INVALID');
      expect(e.facts.fields).to.equal('nope');
      expect(await count()).to.equal(0);
    });

    it('rejects values that are too long: a field past its maxLength, a title past 255', async () => {
      expect((await expectCode(saveNode(ps.site, probe({ fields: { code: '123456789' } })), 'ERR_NODE_INVALID')).facts.fields).to.equal('code');
      expect((await expectCode(saveNode(ps.site, probe({ title: 'x'.repeat(256) })), 'ERR_NODE_INVALID')).facts.fields).to.equal('title');
      expect(await count()).to.equal(0);
    });

    it('rejects a missing required field and an empty title', async () => {
      expect((await expectCode(saveNode(ps.site, probe({ fields: { code: '  ' } })), 'ERR_NODE_INVALID')).facts.fields).to.equal('code');
      expect((await expectCode(saveNode(ps.site, { type: 'probe', title: 'No code' }), 'ERR_NODE_INVALID')).facts.fields).to.equal('code');
      expect((await expectCode(saveNode(ps.site, probe({ title: ' ' })), 'ERR_NODE_INVALID')).facts.fields).to.equal('title');
      expect(await count()).to.equal(0);
    });

    it('rejects values of the wrong kind, out of range, not an option, or malformed', async () => {
      const bad: [string, unknown][] = [
        ['count', 'three'], ['count', 11], ['count', 2.5], ['count', Number.NaN], ['flag', 'yes'], ['color', 'green'], ['mail', 'not-mail'], ['body', 42],
      ];
      for (const [field, value] of bad) {
        const e = await expectCode(saveNode(ps.site, probe({ fields: { code: 'c1', [field]: value as never } })), 'ERR_NODE_INVALID');
        expect(e.facts.fields, `${field} = ${String(value)}`).to.equal(field);
      }
      const titleBreak = await expectCode(saveNode(ps.site, probe({ title: 'two\nlines' })), 'ERR_NODE_INVALID');
      expect(titleBreak.facts.fields).to.equal('title');
      expect(await count()).to.equal(0);
    });

    it('refuses unknown types, missing nodes and a change of type', async () => {
      await expectCode(saveNode(ps.site, { type: 'nope', title: 'X' }), 'ERR_NODE_TYPE_UNKNOWN');
      await expectCode(saveNode(ps.site, probe({ nid: 424242 })), 'ERR_NODE_NOT_FOUND');
      const n = await saveNode(ps.site, probe());
      await ps.site.db('node').where({ nid: n.nid }).update({ type: 'other' });
      expect((await expectCode(saveNode(ps.site, probe({ nid: n.nid })), 'ERR_NODE_INVALID')).facts.fields).to.equal('type');
    });

    it('stops the save when a node.validate implementation reports a problem', async () => {
      const e = await expectCode(saveNode(ps.site, probe({ title: 'Bad [reject]' })), 'ERR_NODE_INVALID');
      expect(e.facts.fields).to.equal('title');
      expect(await count()).to.equal(0);
    });
  });
}
