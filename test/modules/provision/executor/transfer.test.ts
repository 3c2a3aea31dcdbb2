import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../../../../modules/provision/executor/local.js';
import { pipeBetween, syncFolder } from '../../../../modules/provision/executor/transfer.js';
import type { Executor } from '../../../../modules/provision/executor/types.js';
import { expectCode } from '../../../harness/expect.js';

describe('provision/executor/transfer: one command\'s output into another\'s input', () => {
  const a = new LocalExecutor('server_a');
  const b = new LocalExecutor('server_b');
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aegir-transfer-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('streams every byte from one to the other', async () => {
    await pipeBetween({ exec: a, argv: ['head', '-c', '3000000', '/dev/zero'] }, { exec: b, argv: ['dd', `of=${join(dir, 'out')}`, 'status=none'] });
    expect(statSync(join(dir, 'out')).size).to.equal(3_000_000);
  });

  it('a sender that fails fails the transfer (ERR_TOOL_FAILED)', async () => {
    await expectCode(pipeBetween({ exec: a, argv: ['cat', join(dir, 'missing')] }, { exec: b, argv: ['dd', `of=${join(dir, 'out')}`, 'status=none'] }), 'ERR_TOOL_FAILED');
  });

  it('a receiver that fails stops an endless sender instead of hanging', async () => {
    await expectCode(pipeBetween({ exec: a, argv: ['yes'] }, { exec: b, argv: ['false'] }), 'ERR_TOOL_FAILED');
  });

  /** Every path of a tree with what it holds (file text, link target or "dir"). */
  const tree = (root: string, at = ''): Record<string, string> => Object.fromEntries(readdirSync(join(root, at), { withFileTypes: true }).flatMap((e) => {
    const p = join(at, e.name);
    if (e.isSymbolicLink()) return [[p, `-> ${readFileSync(join(root, p), 'utf8')}`]];
    if (e.isDirectory()) return [[p, 'dir'], ...Object.entries(tree(root, p))];
    return [[p, readFileSync(join(root, p), 'utf8')]];
  }));

  for (const [how, exec] of [['rsync', a], ['a copy made again (no rsync on the server)', {
    ...a, server: 'server_a', local: true,
    run: (argv: readonly string[], opts?: Parameters<Executor['run']>[1]) => (argv[0] === 'rsync' ? Promise.reject(new Error('rsync: not found')) : a.run(argv, opts)),
    remove: (p: string) => a.remove(p),
  } as Executor]] as const) {
    it(`brings a folder copied earlier up to date with ${how}: new, changed and removed files, links`, async () => {
      const from = join(dir, 'from');
      const to = join(dir, 'to');
      mkdirSync(join(from, 'files', 'deep'), { recursive: true });
      writeFileSync(join(from, 'files', 'kept.txt'), 'kept');
      writeFileSync(join(from, 'files', 'changed.txt'), 'before');
      writeFileSync(join(from, 'files', 'deep', 'gone.txt'), 'gone');
      await syncFolder(exec, from, to);
      expect(tree(to)).to.deep.equal(tree(from));
      writeFileSync(join(from, 'files', 'changed.txt'), 'after, and longer');
      rmSync(join(from, 'files', 'deep', 'gone.txt'));
      writeFileSync(join(from, 'files', 'deep', 'new.txt'), 'new');
      writeFileSync(join(from, 'target.txt'), 'linked');
      symlinkSync('target.txt', join(from, 'link'));
      await syncFolder(exec, from, to);
      expect(tree(to)).to.deep.equal(tree(from));
      expect(readFileSync(join(to, 'files', 'changed.txt'), 'utf8')).to.equal('after, and longer');
    });
  }
});
