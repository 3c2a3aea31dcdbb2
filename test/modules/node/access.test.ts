import { expect } from 'chai';
import { ANONYMOUS } from '../../../core/http/types.js';
import { nodeAccess, nodePermissions, permissionAllows } from '../../../modules/node/access.js';
import type { Node, NodeOperation } from '../../../modules/node/types.js';
import { accountWith } from './helpers.js';
import { kernelSite, probeKernel } from './kernel.js';

function node(over: Partial<Node> = {}): Node {
  return { nid: 1, type: 'probe', title: 'A probe', uid: 2, status: true, promote: false, sticky: false, created: 1, changed: 1, fields: {}, extra: {}, ...over };
}

describe('node access', () => {
  const site = kernelSite(probeKernel());
  const owner = (perms: string[]) => accountWith(2, perms);
  const other = (perms: string[]) => accountWith(3, perms);

  describe('the base allow from permissions', () => {
    const cases: [string, NodeOperation, Node | undefined, ReturnType<typeof accountWith> | typeof ANONYMOUS, boolean][] = [
      ['published node, access content', 'view', node(), other(['access content']), true],
      ['published node, no permission', 'view', node(), other([]), false],
      ['unpublished, owner with view own unpublished', 'view', node({ status: false }), owner(['view own unpublished content']), true],
      ['unpublished, owner with only access content', 'view', node({ status: false }), owner(['access content']), false],
      ['unpublished, someone else with view own unpublished', 'view', node({ status: false }), other(['view own unpublished content', 'access content']), false],
      ['unpublished, administer nodes', 'view', node({ status: false }), other(['administer nodes']), true],
      ['unpublished node of uid 0, anonymous with view own unpublished', 'view', node({ status: false, uid: 0 }), accountWith(0, ['view own unpublished content']), false],
      ['create with the type\'s permission', 'create', undefined, other(['create probe content']), true],
      ['create with another type\'s permission', 'create', undefined, other(['create note content']), false],
      ['update own with edit own', 'update', node(), owner(['edit own probe content']), true],
      ['update another\'s with edit own', 'update', node(), other(['edit own probe content']), false],
      ['update another\'s with edit any', 'update', node(), other(['edit any probe content']), true],
      ['update with another type\'s edit any', 'update', node(), other(['edit any note content']), false],
      ['delete own with delete own', 'delete', node(), owner(['delete own probe content']), true],
      ['delete another\'s with delete own', 'delete', node(), other(['delete own probe content']), false],
      ['delete another\'s with delete any', 'delete', node(), other(['delete any probe content']), true],
      ['delete with edit any only', 'delete', node(), other(['edit any probe content']), false],
      ['anything with bypass node access', 'delete', node({ status: false }), other(['bypass node access']), true],
      ['anonymous, nothing', 'view', node(), ANONYMOUS, false],
    ];
    for (const [what, op, n, account, want] of cases) {
      it(`${want ? 'allows' : 'gives nothing for'}: ${op}, ${what}`, () => {
        expect(permissionAllows(op, 'probe', n, account)).to.equal(want);
      });
    }
  });

  describe('the vote', () => {
    it('lets a deny win over the base allow, even of bypass node access and of user 1', async () => {
      const secret = node({ title: 'Top secret' });
      const root = accountWith(1, ['bypass node access', 'administer nodes', 'access content']);
      for (const op of ['view', 'update', 'delete'] as const) {
        expect(await nodeAccess(site, op, { node: secret }, root), op).to.equal(false);
        expect(await nodeAccess(site, op, { node: node() }, root), op).to.equal(true);
      }
    });

    it('lets a module\'s allow grant what the permissions do not', async () => {
      expect(await nodeAccess(site, 'view', { node: node({ title: 'A public note' }) }, ANONYMOUS)).to.equal(true);
      expect(await nodeAccess(site, 'view', { node: node() }, ANONYMOUS)).to.equal(false);
      expect(await nodeAccess(site, 'update', { node: node({ title: 'A public note' }) }, ANONYMOUS)).to.equal(false);
    });

    it('lets a deny win over a module\'s allow', async () => {
      expect(await nodeAccess(site, 'view', { node: node({ title: 'public secret' }) }, accountWith(3, ['access content']))).to.equal(false);
    });

    it('never allows creating a type no enabled module declares', async () => {
      const root = accountWith(1, ['bypass node access']);
      expect(await nodeAccess(site, 'create', { type: 'probe' }, root)).to.equal(true);
      expect(await nodeAccess(site, 'create', { type: 'ghost' }, root)).to.equal(false);
      expect(await nodeAccess(site, 'create', {}, root)).to.equal(false);
    });
  });

  describe('permissions', () => {
    it('declares the general permissions, the admin ones restricted, and five per type', () => {
      const perms = nodePermissions([{ type: 'page', label: 'Page', description: '', titleLabel: 'Title', module: 'x', fields: {} }]);
      expect(perms.map((p) => p.name)).to.deep.equal([
        'access content', 'view own unpublished content', 'administer nodes', 'bypass node access',
        'create page content', 'edit own page content', 'edit any page content', 'delete own page content', 'delete any page content',
      ]);
      expect(perms.filter((p) => p.restricted).map((p) => p.name)).to.deep.equal(['administer nodes', 'bypass node access']);
    });

    it('adds the general permissions to user.permissions', () => {
      const names = site.hooks.collect('user.permissions', { kernel: site.kernel }).filter((c) => c.module === 'node').map((c) => c.value.name);
      expect(names).to.include.members(['access content', 'administer nodes', 'bypass node access', 'view own unpublished content']);
    });
  });
});
