import { expect } from 'chai';
import { deleteNode, listNodes, loadNode, saveNode } from '../../../modules/node/storage.js';
import { probeLog } from '../../fixtures/modules/node_probe/index.js';
import { DRIVERS } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { probe, probeSite, resetProbe, type ProbeSite } from './helpers.js';

for (const driver of DRIVERS) {
  describe(`node hooks on ${driver}`, () => {
    let ps: ProbeSite;
    before(async () => { ps = await probeSite(driver); });
    after(async () => { await ps.close(); });
    beforeEach(async () => { await resetProbe(ps.site); });

    const log = (): string[] => probeLog(ps.site);
    const titles = async (): Promise<string[]> => ((await ps.site.db('node').orderBy('nid').select('title')) as { title: string }[]).map((r) => r.title);

    it('runs validate, check, then presave, the write and insert in the transaction, and commits what insert wrote', async () => {
      const n = await saveNode(ps.site, probe({ title: 'First' }));
      expect(log()).to.deep.equal(['validate:First', 'check:First:-', 'presave:First', `insert:${n.nid}`]);
      expect(await ps.site.config.get('node_probe.inserted')).to.equal(n.nid);
    });

    it('loads the stored node, then runs validate, check and presave, and update (check and update with the original) on an update', async () => {
      const n = await saveNode(ps.site, probe({ title: 'Before' }));
      log().length = 0;
      await saveNode(ps.site, probe({ nid: n.nid, title: 'After' }));
      expect(log()).to.deep.equal([`load:${n.nid}`, 'validate:After', 'check:After:Before', 'presave:After', `update:${n.nid}:Before->After`]);
      expect(await ps.site.config.get('node_probe.updated')).to.equal(n.nid);
    });

    it('runs the delete hook before the row goes, in one transaction', async () => {
      const n = await saveNode(ps.site, probe());
      log().length = 0;
      await deleteNode(ps.site, n);
      expect(log()).to.deep.equal([`delete:${n.nid}`]);
      expect(await ps.site.config.get('node_probe.deleted')).to.equal(n.nid);
      expect(await titles()).to.deep.equal([]);
    });

    it('writes what presave changed', async () => {
      const n = await saveNode(ps.site, probe({ title: 'loud [upper]' }));
      expect(n.title).to.equal('LOUD [UPPER]');
      expect(await titles()).to.deep.equal(['LOUD [UPPER]']);
    });

    for (const stage of ['presave', 'insert'] as const) {
      it(`rolls a new node back when ${stage} fails: no row, nothing the hooks wrote`, async () => {
        await ps.site.config.set('node_probe.fail', stage);
        const e = await expectCode(saveNode(ps.site, probe({ title: 'Doomed' })), 'ERR_HOOK_FAILED');
        expect(e.facts).to.include({ module: 'node_probe', hook: `node.${stage}` });
        expect(await titles()).to.deep.equal([]);
        expect(await ps.site.config.get('node_probe.inserted')).to.equal(undefined);
        expect(log().at(-1)).to.match(stage === 'presave' ? /^presave:Doomed$/ : /^insert:\d+$/);
      });
    }

    it('rolls an update back when update fails: the stored node is unchanged', async () => {
      const n = await saveNode(ps.site, probe({ title: 'Kept', fields: { code: 'old' } }));
      await ps.site.config.set('node_probe.fail', 'update');
      await expectCode(saveNode(ps.site, probe({ nid: n.nid, title: 'Lost', fields: { code: 'new' } })), 'ERR_HOOK_FAILED');
      const stored = await loadNode(ps.site, n.nid);
      expect(stored).to.deep.include({ title: 'Kept', changed: n.changed });
      expect(stored!.fields.code).to.equal('old');
      expect(await ps.site.config.get('node_probe.updated')).to.equal(undefined);
    });

    it('keeps a node whose delete hook fails', async () => {
      const n = await saveNode(ps.site, probe({ title: 'Survivor' }));
      await ps.site.config.set('node_probe.fail', 'delete');
      await expectCode(deleteNode(ps.site, n), 'ERR_HOOK_FAILED');
      expect(await titles()).to.deep.equal(['Survivor']);
      expect(await ps.site.config.get('node_probe.deleted')).to.equal(undefined);
    });

    it('runs neither node.check nor a transaction hook when validation fails', async () => {
      await expectCode(saveNode(ps.site, probe({ title: 'x [reject]' })), 'ERR_NODE_INVALID');
      expect(log()).to.deep.equal(['validate:x [reject]']);
    });

    it('stops the save when node.check reports a problem: ERR_NODE_INVALID at its field, no transaction hook, nothing saved', async () => {
      const e = await expectCode(saveNode(ps.site, probe({ title: 'Bad [check]', fields: { code: 'c9' } })), 'ERR_NODE_INVALID');
      expect(e.facts.fields).to.equal('code');
      expect(String(e.facts.problems)).to.include('"c9"');
      expect(log()).to.deep.equal(['validate:Bad [check]', 'check:Bad [check]:-']);
      expect(await titles()).to.deep.equal([]);
    });

    it('stops an update when node.check reports a problem: the stored node is unchanged', async () => {
      const n = await saveNode(ps.site, probe({ title: 'Fine' }));
      log().length = 0;
      await expectCode(saveNode(ps.site, probe({ nid: n.nid, title: 'Now [check]' })), 'ERR_NODE_INVALID');
      expect(log()).to.deep.equal([`load:${n.nid}`, 'validate:Now [check]', 'check:Now [check]:Fine']);
      expect(await titles()).to.deep.equal(['Fine']);
    });

    it('runs node.check outside the transaction: what it wrote through site.db stays when presave then fails', async () => {
      await ps.site.config.set('node_probe.fail', 'presave');
      await expectCode(saveNode(ps.site, probe({ title: 'Checked then doomed' })), 'ERR_HOOK_FAILED');
      expect(await ps.site.config.get('node_probe.checked')).to.equal('Checked then doomed');
      expect(await titles()).to.deep.equal([]);
    });

    it('fails the save with ERR_HOOK_FAILED naming the module when a node.check implementation throws, saving nothing', async () => {
      await ps.site.config.set('node_probe.fail', 'check');
      const e = await expectCode(saveNode(ps.site, probe({ title: 'Check throws' })), 'ERR_HOOK_FAILED');
      expect(e.facts).to.include({ module: 'node_probe', hook: 'node.check' });
      expect(log()).to.deep.equal(['validate:Check throws', 'check:Check throws:-']);
      expect(await titles()).to.deep.equal([]);
    });

    it('runs node.load once per load with all its nodes, which carry what it attached', async () => {
      const a = await saveNode(ps.site, probe({ title: 'A' }));
      const b = await saveNode(ps.site, probe({ title: 'B' }));
      log().length = 0;
      const one = await loadNode(ps.site, a.nid);
      expect(one!.extra.probe).to.equal(`loaded ${a.nid}`);
      const list = await listNodes(ps.site, { sort: 'title', order: 'asc' });
      expect(list.nodes.map((n) => n.extra.probe)).to.deep.equal([`loaded ${a.nid}`, `loaded ${b.nid}`]);
      expect(log()).to.deep.equal([`load:${a.nid}`, `load:${a.nid},${b.nid}`]);
    });
  });
}
