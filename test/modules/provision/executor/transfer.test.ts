import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../../../../modules/provision/executor/local.js';
import { pipeBetween } from '../../../../modules/provision/executor/transfer.js';
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
});
