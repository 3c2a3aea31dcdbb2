import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listArchive, writeArchive } from '../../../../modules/provision/backup/archive.js';
import { ParallelGzipFile } from '../../../../modules/provision/backup/parallel-gzip.js';
import { BACKUP_FORMAT, manifestText, parseManifest, type BackupManifest } from '../../../../modules/provision/backup/manifest.js';
import { backupDirOf, backupFileName, isBackupName, ownBackupPath, utcStamp } from '../../../../modules/provision/backup/paths.js';
import { hashFiles, listTree } from '../../../../modules/provision/backup/tree.js';
import { LocalExecutor } from '../../../../modules/provision/executor/local.js';
import { runProgram } from '../../../../core/util/exec.js';
import { expectCode } from '../../../harness/expect.js';

const SUM = 'a'.repeat(64);
const good = (): BackupManifest => ({
  format: BACKUP_FORMAT, site: 'b.test', platform: 'platform_a', profile: 'standard', db: 'sqlite', created: '2025-01-01T00:00:00.000Z', bytes: 15,
  members: [{ path: 'database.sql', size: 10, sha256: SUM }, { path: 'site/files/a.txt', size: 5, sha256: SUM }],
});

describe('backup manifest', () => {
  it('reads back what it writes', () => {
    expect(parseManifest(manifestText(good()), 'x.tar.gz')).to.deep.equal(good());
  });

  for (const [name, change] of [
    ['not JSON', () => '{'],
    ['another format', () => manifestText({ ...good(), format: 2 as 1 })],
    ['an unknown db kind', () => manifestText({ ...good(), db: 'pg' as 'sqlite' })],
    ['a bad sha256', () => manifestText({ ...good(), members: [good().members[0]!, { path: 'site/a', size: 5, sha256: 'xyz' }] })],
    ['a negative size', () => manifestText({ ...good(), members: [good().members[0]!, { path: 'site/a', size: -5, sha256: SUM }] })],
    ['a member outside site/', () => manifestText({ ...good(), members: [good().members[0]!, { path: 'site/../../etc/passwd', size: 5, sha256: SUM }] })],
    ['an absolute member', () => manifestText({ ...good(), members: [good().members[0]!, { path: '/etc/passwd', size: 5, sha256: SUM }] })],
    ['a member listed twice', () => manifestText({ ...good(), members: [...good().members, good().members[1]!] })],
    ['no database.sql', () => manifestText({ ...good(), bytes: 5, members: [good().members[1]!] })],
    ['a total that does not add up', () => manifestText({ ...good(), bytes: 99 })],
  ] as const) {
    it(`refuses a manifest with ${name}`, async () => {
      await expectCode(() => parseManifest(change(), 'x.tar.gz'), 'ERR_BACKUP_INVALID');
    });
  }
});

describe('backup paths', () => {
  let home: string;
  const exec = new LocalExecutor('server_t');
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'aegir-home-'));
    mkdirSync(backupDirOf(home, 'b.test'), { recursive: true });
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('names backups by site and UTC time, and recognises only such names', () => {
    const d = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(utcStamp(d)).to.equal('20250102T030405Z');
    expect(backupFileName('b.test', d)).to.equal('b.test-20250102T030405Z.tar.gz');
    expect(backupFileName('b.test', d, 2)).to.equal('b.test-20250102T030405Z-2.tar.gz');
    expect(isBackupName('b.test', 'b.test-20250102T030405Z.tar.gz')).to.equal(true);
    expect(isBackupName('b.test', 'b.test-20250102T030405Z-2.tar.gz')).to.equal(true);
    for (const n of ['c.test-20250102T030405Z.tar.gz', 'b.test-x.tar.gz', 'b.test-20250102T030405Z.tar', 'b.test-20250102T030405Z.tar.gz.bak', '.partial.tar.gz']) {
      expect(isBackupName('b.test', n), n).to.equal(false);
    }
  });

  it('accepts one of the site\'s own backups', async () => {
    const file = join(backupDirOf(home, 'b.test'), 'b.test-20250102T030405Z.tar.gz');
    writeFileSync(file, 'x');
    expect(await ownBackupPath(exec, home, 'b.test', file)).to.equal(file);
  });

  it('path-traversal: refuses "..", relative paths, other folders, other sites\' backups and symlinks leading out', async () => {
    const dir = backupDirOf(home, 'b.test');
    const victim = join(home, 'victim.tar.gz');
    writeFileSync(victim, 'precious');
    mkdirSync(backupDirOf(home, 'c.test'), { recursive: true });
    const other = join(backupDirOf(home, 'c.test'), 'c.test-20250102T030405Z.tar.gz');
    writeFileSync(other, 'x');
    const link = join(dir, 'b.test-20250102T030406Z.tar.gz');
    symlinkSync(victim, link);
    for (const p of [
      `${dir}/../c.test/c.test-20250102T030405Z.tar.gz`, `${dir}/./b.test-20250102T030405Z.tar.gz`, 'b.test-20250102T030405Z.tar.gz',
      other, '/etc/passwd', victim, link, `${dir}/sub/b.test-20250102T030405Z.tar.gz`, join(dir, 'b.test-20250102T030407Z.tar.gz'),
    ]) {
      await expectCode(ownBackupPath(exec, home, 'b.test', p), 'ERR_PATH_INVALID');
    }
  });
});

describe('backup trees through Node and through commands', () => {
  let root: string;
  const exec = new LocalExecutor('server_t');
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'aegir-tree-'));
    mkdirSync(join(root, 'files', 'sub dir'), { recursive: true });
    writeFileSync(join(root, 'files', 'a.txt'), 'alpha\n');
    writeFileSync(join(root, 'files', 'sub dir', '-odd name\twith tab.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(root, 'files', 'new\nline.txt'), 'nl');
    writeFileSync(join(root, 'settings.json'), '{}');
    chmodSync(join(root, 'settings.json'), 0o640);
    symlinkSync('a.txt', join(root, 'files', 'link'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists the same entries (types, sizes, link targets) both ways', async () => {
    const strip = (es: Awaited<ReturnType<typeof listTree>>) => es.map(({ path, type, size, link }) => ({ path, type, size, link })).sort((a, b) => a.path.localeCompare(b.path));
    const node = await listTree(exec, root);
    expect(node.map((e) => e.path)).to.include.members(['files', 'files/a.txt', 'files/link', 'files/sub dir/-odd name\twith tab.bin', 'files/new\nline.txt', 'settings.json']);
    expect(strip(await listTree(exec, root, { commands: true }))).to.deep.equal(strip(node));
  });

  it('gives the same sha256 both ways, equal to sha256sum\'s', async () => {
    const paths = ['files/a.txt', 'files/sub dir/-odd name\twith tab.bin', 'files/new\nline.txt', 'settings.json'];
    const node = await hashFiles(exec, root, paths);
    const cmd = await hashFiles(exec, root, paths, { commands: true });
    expect([...cmd.entries()].sort()).to.deep.equal([...node.entries()].sort());
    const { stdout } = await runProgram('sha256sum', [join(root, 'files', 'a.txt')]);
    expect(node.get('files/a.txt')).to.equal(stdout.slice(0, 64));
  });

  it('path-traversal: an archive with a member outside site/ is refused before extraction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegir-tar-'));
    try {
      writeFileSync(join(dir, 'manifest.json'), '{}');
      writeFileSync(join(dir, 'database.sql'), '');
      writeFileSync(join(dir, 'evil'), 'x');
      const file = join(dir, 'x.tar.gz');
      await runProgram('tar', ['-czf', file, '-C', dir, 'manifest.json', 'database.sql', '--transform=s,^evil$,../evil,', 'evil']);
      expect((await runProgram('tar', ['-tzf', file])).stdout).to.include('../evil');
      await expectCode(listArchive(exec, file), 'ERR_BACKUP_INVALID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backup archives', () => {
  let dir: string;
  const exec = new LocalExecutor('server_t');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aegir-arch-'));
    mkdirSync(join(dir, 'staging'));
    writeFileSync(join(dir, 'staging', 'manifest.json'), '{}');
    writeFileSync(join(dir, 'staging', 'database.sql'), 'SELECT 1;\n'.repeat(100_000));
    mkdirSync(join(dir, 'sites', 'b.test', 'files'), { recursive: true });
    writeFileSync(join(dir, 'sites', 'b.test', 'files', 'big.bin'), randomBytes(3 << 20));
    writeFileSync(join(dir, 'sites', 'b.test', 'files', 'left-out.txt'), 'not listed');
    writeFileSync(join(dir, 'sites', 'b.test', 'settings.json'), '{}');
    symlinkSync('big.bin', join(dir, 'sites', 'b.test', 'files', 'link'));
    writeFileSync(join(dir, 'list'), ['b.test', 'b.test/files', 'b.test/files/big.bin', 'b.test/files/link', 'b.test/settings.json'].join('\0') + '\0');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same members, mode 0600, with tar\'s gzip and with the parallel gzip of local servers', async () => {
    const input = (file: string) => ({ file, staging: join(dir, 'staging'), sitesDir: join(dir, 'sites'), site: 'b.test', listFile: join(dir, 'list') });
    await writeArchive(exec, input(join(dir, 'parallel.tar.gz')));
    await writeArchive(exec, input(join(dir, 'tar.tar.gz')), { tarGzip: true });
    const expected = ['manifest.json', 'database.sql', 'site', 'site/files', 'site/files/big.bin', 'site/files/link', 'site/settings.json'];
    for (const f of ['parallel.tar.gz', 'tar.tar.gz']) {
      expect(statSync(join(dir, f)).mode & 0o777, f).to.equal(0o600);
      expect(await listArchive(exec, join(dir, f)), f).to.deep.equal(expected);
      const out = join(dir, `x-${f}`);
      mkdirSync(out);
      await runProgram('tar', ['-xzf', join(dir, f), '-C', out]);
      expect(readFileSync(join(out, 'site', 'files', 'big.bin')).equals(readFileSync(join(dir, 'sites', 'b.test', 'files', 'big.bin'))), f).to.equal(true);
    }
  });

  it('parallel gzip writes several gzip members that read back as the input', async () => {
    const data = Buffer.concat([randomBytes(1 << 20), Buffer.from('text '.repeat(300_000))]);
    const path = join(dir, 'p.gz');
    const fh = await open(path, 'w');
    const sink = new ParallelGzipFile(fh, 1, 256 * 1024, 3);
    for (let i = 0; i < data.length; i += 100_000) sink.write(data.subarray(i, i + 100_000));
    await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await fh.close();
    const gz = readFileSync(path);
    let members = 0;
    for (let i = 0; i + 1 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8) members++;
    expect(members).to.be.greaterThan(5);
    expect(gunzipSync(gz).equals(data)).to.equal(true);
    const { stdout } = await runProgram('sh', ['-c', 'gzip -dc "$1" | sha256sum', 'sh', path]);
    expect(stdout.slice(0, 64)).to.equal(createHash('sha256').update(data).digest('hex'));
  });
});
