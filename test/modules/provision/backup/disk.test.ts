import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../../core/errors/aegir-error.js';
import { runProgram } from '../../../../core/util/exec.js';
import type { ExecOptions, ExecResult } from '../../../../modules/provision/executor/types.js';
import { Journal } from '../../../../modules/provision/runner/journal.js';
import { expectCode } from '../../../harness/expect.js';
import { FreeSpaceLie, snapshot, startHosting, type Hosting } from './hosting.js';

/**
 * Mount a tmpfs of `bytes` on `dir` (as root). Where that is not possible,
 * the tests below fall back to executors that report a full disk or fail
 * tar the way a full disk does, and assert the same outcome.
 */
async function mountTmpfs(dir: string, bytes: number): Promise<boolean> {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return false;
  try {
    await runProgram('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Reports plenty of space but fails tar's archive the way a full disk does, after writing part of it (fallback without tmpfs). */
class FillingDisk extends FreeSpaceLie {
  constructor(server: string) {
    super(server, 1e12);
    const run = this.run;
    this.run = async (argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> => {
      if (argv[0] === 'tar' && argv[1] === '--create') {
        // Part of an archive reaches the disk, then there is no more room.
        const file = argv[argv.indexOf('--file') + 1]!;
        if (file === '-') opts?.stdout?.write(randomBytes(8 << 20));
        else writeFileSync(file, randomBytes(4096));
        throw new AegirError('ERR_TOOL_FAILED', { tool: 'tar', code: 2, problem: 'tar: -: Wrote only 4096 of 10240 bytes: No space left on device' });
      }
      return run(argv, opts);
    };
  }
}

describe('provision backup on a full disk', function () {
  this.timeout(120_000);
  let h: Hosting;
  let backups: string;
  let mounted = false;

  before(async function () {
    this.timeout(180_000);
    h = await startHosting('sqlite', 'disk.test');
    // 2 MB of incompressible files: no archive of them fits in 512 kB.
    for (let i = 0; i < 4; i++) writeFileSync(join(h.siteDir, 'files', `random-${i}.bin`), randomBytes(512 * 1024));
    backups = join(h.home, 'backups');
    mounted = await mountTmpfs(backups, 512 * 1024);
  });
  after(async () => {
    if (mounted) await runProgram('umount', [backups]).catch(() => undefined);
    await h?.stop();
  });

  const nothingLeft = (): void => {
    const left = existsSync(join(backups, h.site)) ? readdirSync(join(backups, h.site)) : [];
    expect(left, 'nothing left in the backup folder').to.deep.equal([]);
    expect(existsSync(Journal.pathFor(h.home, h.site)), 'journal').to.equal(false);
  };

  it('a file system without room for the backup: ERR_DISK_FULL before anything is written', async () => {
    const before = await snapshot(h);
    await expectCode(h.invoke('backup', {}, mounted ? undefined : (s) => new FreeSpaceLie(s.name, 100 * 1024)), 'ERR_DISK_FULL');
    expect(existsSync(join(backups, h.site)), 'not even the site\'s backup folder was made').to.equal(false);
    nothingLeft();
    expect(await snapshot(h)).to.deep.equal(before);
  });

  it('a disk that fills up while the archive is written: ERR_DISK_FULL and no partial archive left', async () => {
    const before = await snapshot(h);
    // The space check is told there is room; the disk (tmpfs) knows better.
    await expectCode(h.invoke('backup', {}, (s) => (mounted ? new FreeSpaceLie(s.name, 1e12) : new FillingDisk(s.name))), 'ERR_DISK_FULL');
    nothingLeft();
    expect(await snapshot(h)).to.deep.equal(before);
  });
});
