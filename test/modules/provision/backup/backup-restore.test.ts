import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram } from '../../../../core/util/exec.js';
import { parseManifest, type BackupManifest } from '../../../../modules/provision/backup/manifest.js';
import { backupDirOf, isBackupName } from '../../../../modules/provision/backup/paths.js';
import { Journal } from '../../../../modules/provision/runner/journal.js';
import { restorePaths } from '../../../../modules/provision/tasks/site-restore.js';
import { DRIVERS, REPO } from '../../../harness/codebase.js';
import { expectCode } from '../../../harness/expect.js';
import { show } from '../../../cli/run-helper.js';
import { files, FreeSpaceLie, rows, siteDb, snapshot, startHosting, type Hosting } from './hosting.js';

/** The manifest of a backup archive. */
async function manifestOf(file: string): Promise<BackupManifest> {
  const { stdout } = await runProgram('tar', ['-xzOf', file, 'manifest.json']);
  return parseManifest(stdout, file);
}

/** Where this file's tests make their own archives; removed when they end. */
const SCRATCH = mkdtempSync(join(tmpdir(), 'aegir-restore-tests-'));
after(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** Extract a backup, change it, and pack it again (same member order) into a new file outside the backup folder. */
async function tamper(file: string, change: (dir: string) => void): Promise<string> {
  const dir = mkdtempSync(join(SCRATCH, 'tamper-'));
  await runProgram('tar', ['-xzf', file, '-C', dir]);
  change(dir);
  const out = join(dir, 'tampered.tar.gz');
  await runProgram('tar', ['-czf', out, '-C', dir, ...['manifest.json', 'database.sql', 'site'].filter((n) => existsSync(join(dir, n)))]);
  return out;
}

function editManifest(dir: string, edit: (m: { members: { path: string; size: number; sha256: string }[]; [k: string]: unknown }) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m, null, 2));
}

/** Put some files of every kind into the site folder. */
function addFiles(h: Hosting): void {
  const d = h.siteDir;
  mkdirSync(join(d, 'files', 'sub dir'), { recursive: true });
  writeFileSync(join(d, 'files', 'a.txt'), 'alpha\n');
  writeFileSync(join(d, 'files', 'sub dir', '-odd name.bin'), randomBytes(64 * 1024));
  writeFileSync(join(d, 'files', 'new\nline.txt'), 'nl');
  symlinkSync('a.txt', join(d, 'files', 'link'));
  writeFileSync(join(d, 'private', 'secret.txt'), 'secret');
  chmodSync(join(d, 'private', 'secret.txt'), 0o600);
  mkdirSync(join(d, 'private', 'backups'), { recursive: true });
  writeFileSync(join(d, 'private', 'backups', 'kept.txt'), 'not in backups, kept on restore');
}

/** Change the site: files and rows, including a new table. */
async function changeSite(h: Hosting, tag: string): Promise<void> {
  writeFileSync(join(h.siteDir, 'files', 'a.txt'), `changed ${tag}\n`);
  rmSync(join(h.siteDir, 'files', 'sub dir', '-odd name.bin'), { force: true });
  writeFileSync(join(h.siteDir, 'files', `new-${tag}.txt`), tag);
  const db = await siteDb(h);
  try {
    await db('core_config').insert({ name: `test.${tag}`, value: JSON.stringify(tag) });
    await db('users').update({ mail: `${tag}@example.test` });
    if (!(await db.schema.hasTable('extra_after'))) await db.schema.createTable('extra_after', (t) => { t.string('v', 32); });
    await db('extra_after').insert({ v: tag });
  } finally {
    await db.destroy();
  }
}

const backupsOf = (h: Hosting): string[] => {
  try { return readdirSync(backupDirOf(h.home, h.site)).sort(); } catch { return []; }
};

for (const driver of DRIVERS) {
  describe(`provision backup and restore on ${driver}`, function () {
    this.timeout(120_000);
    let h: Hosting;
    let original: Awaited<ReturnType<typeof snapshot>>;
    let first: string;

    /** The site is exactly as `expected` (rows, files, served) and no task left anything behind. */
    const unchanged = async (expected: Awaited<ReturnType<typeof snapshot>>): Promise<void> => {
      const now = await snapshot(h);
      expect(now.rows).to.deep.equal(expected.rows);
      expect(now.files).to.deep.equal(expected.files);
      expect(now.status).to.equal(200);
      const t = await h.task();
      const p = restorePaths(t);
      expect(existsSync(p.work), 'restore work folder').to.equal(false);
      expect(existsSync(p.preDump), 'pre-restore dump').to.equal(false);
      expect(backupsOf(h).filter((n) => n.startsWith('.')), 'hidden leftovers').to.deep.equal([]);
      expect(existsSync(Journal.pathFor(h.home, h.site)), 'journal').to.equal(false);
    };

    before(async function () {
      this.timeout(180_000);
      h = await startHosting(driver);
      addFiles(h);
      original = await snapshot(h);
      expect(original.status).to.equal(200);
      const r = await h.run([`@${h.site}`, 'provision-backup', '--format=json']);
      expect(r.code, show(r)).to.equal(0);
      first = (JSON.parse(r.stdout) as { file: string }).file;
    });
    after(async () => { await h?.stop(); });

    it('backs up into <home>/backups/<site>/ as a 0600 tar.gz with a manifest of every member (size, sha256), the dump and the site folder', async () => {
      expect(first.startsWith(`${backupDirOf(h.home, h.site)}/`)).to.equal(true);
      expect(isBackupName(h.site, first.split('/').at(-1)!)).to.equal(true);
      expect(statSync(first).mode & 0o777).to.equal(0o600);
      expect(backupsOf(h)).to.deep.equal([first.split('/').at(-1)]);
      const names = (await runProgram('tar', ['-tzf', first])).stdout.split('\n').filter(Boolean);
      expect(names.slice(0, 2)).to.deep.equal(['manifest.json', 'database.sql']);
      expect(names).to.include.members(['site/', 'site/settings.json', 'site/files/a.txt', 'site/files/link', 'site/private/secret.txt']);
      expect(names.filter((n) => /site\.sqlite|private\/backups/.test(n)), 'live SQLite files and private/backups stay out').to.deep.equal([]);
      const m = await manifestOf(first);
      expect(m).to.include({ site: h.site, platform: 'platform_t', profile: 'standard', db: driver });
      const dir = mkdtempSync(join(SCRATCH, 'x-'));
      try {
        await runProgram('tar', ['-xzf', first, '-C', dir]);
        for (const member of m.members.filter((x) => !x.link)) {
          expect(createHash('sha256').update(readFileSync(join(dir, member.path))).digest('hex'), member.path).to.equal(member.sha256);
          expect(statSync(join(dir, member.path)).size, member.path).to.equal(member.size);
        }
        expect(m.members.find((x) => x.path === 'site/files/link')?.link).to.equal('a.txt');
        expect(readFileSync(join(dir, 'database.sql'), 'utf8')).to.match(/CREATE TABLE/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('restores rows and files exactly after changes, keeps serving, and its fresh backup brings the changes back', async () => {
      await changeSite(h, 'one');
      const changed = await snapshot(h);
      expect(changed.rows).to.not.deep.equal(original.rows);
      expect(changed.files).to.not.deep.equal(original.files);
      const r = await h.run([`@${h.site}`, 'provision-restore', `--file=${first}`, '--format=json']);
      expect(r.code, show(r)).to.equal(0);
      const fresh = (JSON.parse(r.stdout) as { freshBackup: string }).freshBackup;
      await unchanged(original);
      expect(readFileSync(join(h.siteDir, 'private', 'backups', 'kept.txt'), 'utf8')).to.match(/kept on restore/);
      expect((await manifestOf(fresh)).members.map((x) => x.path)).to.include('site/files/new-one.txt');
      const back = await h.run([`@${h.site}`, 'provision-restore', `--file=${fresh}`]);
      expect(back.code, show(back)).to.equal(0);
      await unchanged(changed);
    });

    describe('a bad backup is refused with ERR_BACKUP_INVALID before anything changes', () => {
      const cases: [string, () => Promise<string>][] = [
        ['a flipped byte', async () => {
          const buf = readFileSync(first);
          const at = buf.length >> 1;
          buf[at] = buf[at]! ^ 0xff;
          const f = join(mkdtempSync(join(SCRATCH, 'bad-')), 'flipped.tar.gz');
          writeFileSync(f, buf);
          return f;
        }],
        ['a truncated archive', async () => {
          const buf = readFileSync(first);
          const f = join(mkdtempSync(join(SCRATCH, 'bad-')), 'truncated.tar.gz');
          writeFileSync(f, buf.subarray(0, buf.length - 100));
          return f;
        }],
        ['not an archive at all', async () => {
          const f = join(mkdtempSync(join(SCRATCH, 'bad-')), 'random.tar.gz');
          writeFileSync(f, randomBytes(4096));
          return f;
        }],
        ['a member whose sha256 in the manifest is wrong', () => tamper(first, (d) => editManifest(d, (m) => { m.members.find((x) => x.path === 'site/files/a.txt')!.sha256 = 'b'.repeat(64); }))],
        ['a member whose content changed', () => tamper(first, (d) => writeFileSync(join(d, 'site', 'files', 'a.txt'), 'alphA\n'))],
        ['a missing member', () => tamper(first, (d) => rmSync(join(d, 'site', 'files', 'a.txt')))],
        ['a missing dump', () => tamper(first, (d) => rmSync(join(d, 'database.sql')))],
        ['a member the manifest does not list', () => tamper(first, (d) => writeFileSync(join(d, 'site', 'files', 'extra.php'), '<?php'))],
        ['a manifest of another site', () => tamper(first, (d) => editManifest(d, (m) => { m.site = 'other.test'; }))],
        ['a dump for the other database kind', () => tamper(first, (d) => editManifest(d, (m) => { m.db = driver === 'sqlite' ? 'mysql' : 'sqlite'; }))],
        ['a file that does not exist', async () => join(tmpdir(), 'no-such-backup.tar.gz')],
      ];
      for (const [name, make] of cases) {
        it(name, async () => {
          const before = await snapshot(h);
          const listed = backupsOf(h);
          const file = await make();
          await expectCode(h.invoke('restore', { file }), 'ERR_BACKUP_INVALID');
          await unchanged(before);
          expect(backupsOf(h), 'no fresh backup was taken').to.deep.equal(listed);
        });
      }
    });

    describe('a restore that fails at any step leaves the site exactly as it was', () => {
      for (let step = 1; step <= 6; step++) {
        it(`AEGIR_FAULT=restore:${step}:fail`, async () => {
          await changeSite(h, `fault${step}`);
          const before = await snapshot(h);
          const r = await h.run([`@${h.site}`, 'provision-restore', `--file=${first}`, '--backend'], { AEGIR_FAULT: `restore:${step}:fail` });
          expect(r.code, show(r)).to.equal(1);
          expect((r.lines.at(-1) as { error?: { code?: string } }).error?.code).to.equal('ERR_TASK_FAILED');
          await unchanged(before);
        });
      }

      it('a restore killed after replacing the files is undone by the next task on the site', async () => {
        await changeSite(h, 'killed');
        const before = await snapshot(h);
        const child = spawn(process.execPath, [join(REPO, 'bin', 'aegir'), `@${h.site}`, 'provision-restore', `--file=${first}`], {
          cwd: h.tc.root, env: { ...process.env, AEGIR_HOME: h.home, AEGIR_FAULT: 'restore:3:kill', NODE_OPTIONS: '' }, stdio: 'ignore',
        });
        const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
        expect(signal).to.equal('SIGKILL');
        expect(existsSync(Journal.pathFor(h.home, h.site)), 'the journal of the killed task').to.equal(true);
        expect(files(h), 'the files were replaced when it died').to.not.deep.equal(before.files);
        const r = await h.run([`@${h.site}`, 'provision-backup']);
        expect(r.code, show(r)).to.equal(0);
        await unchanged(before);
      });
    });

    describe('a backup that fails leaves no archive behind', () => {
      for (let step = 1; step <= 5; step++) {
        it(`AEGIR_FAULT=backup:${step}:fail`, async () => {
          const before = await snapshot(h);
          const listed = backupsOf(h);
          const r = await h.run([`@${h.site}`, 'provision-backup', '--backend'], { AEGIR_FAULT: `backup:${step}:fail` });
          expect(r.code, show(r)).to.equal(1);
          expect(backupsOf(h)).to.deep.equal(listed);
          await unchanged(before);
        });
      }

      it('a full disk is refused with ERR_DISK_FULL before anything is written', async () => {
        const before = await snapshot(h);
        const listed = backupsOf(h);
        await expectCode(h.invoke('backup', {}, (s) => new FreeSpaceLie(s.name, 1000)), 'ERR_DISK_FULL');
        expect(backupsOf(h)).to.deep.equal(listed);
        await expectCode(h.invoke('restore', { file: first }, (s) => new FreeSpaceLie(s.name, 1000)), 'ERR_DISK_FULL');
        expect(backupsOf(h)).to.deep.equal(listed);
        await unchanged(before);
      });
    });

    describe('provision-backup-delete', () => {
      it('removes one of the site\'s backups', async () => {
        const r = await h.run([`@${h.site}`, 'provision-backup']);
        expect(r.code, show(r)).to.equal(0);
        const listed = backupsOf(h);
        const victim = join(backupDirOf(h.home, h.site), listed.at(-1)!);
        const d = await h.run([`@${h.site}`, 'provision-backup-delete', `--file=${victim}`]);
        expect(d.code, show(d)).to.equal(0);
        expect(backupsOf(h)).to.deep.equal(listed.slice(0, -1));
      });

      it('a delete that fails after setting the file aside puts it back', async () => {
        const listed = backupsOf(h);
        const d = await h.run([`@${h.site}`, 'provision-backup-delete', `--file=${first}`, '--backend'], { AEGIR_FAULT: 'backup-delete:2:fail' });
        expect(d.code, show(d)).to.equal(1);
        expect(backupsOf(h)).to.deep.equal(listed);
      });

      it('path-traversal: refuses files outside <home>/backups/<site>/ and changes nothing', async () => {
        const outside = join(h.home, 'contexts', `${h.site}.json`);
        const before = readFileSync(outside, 'utf8');
        const listed = backupsOf(h);
        for (const p of [`${backupDirOf(h.home, h.site)}/../../contexts/${h.site}.json`, outside, 'relative.tar.gz', `${backupDirOf(h.home, h.site)}/../${h.site}/${first.split('/').at(-1)}`]) {
          await expectCode(h.invoke('backup-delete', { file: p }), 'ERR_PATH_INVALID');
        }
        expect(readFileSync(outside, 'utf8')).to.equal(before);
        expect(backupsOf(h)).to.deep.equal(listed);
        expect(existsSync(first)).to.equal(true);
        expect(await rows(h)).to.be.an('object');
      });
    });
  });
}
