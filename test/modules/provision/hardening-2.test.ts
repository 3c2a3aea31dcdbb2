/**
 * Regression tests for defects found when the back end was tried from
 * outside (part 2): links out of a site's folder, app sockets, the
 * processes of killed and cancelled tasks, recoveries that must tell the
 * truth, restores that must not pile up backups, contrib tasks.
 */
import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { sha256Text } from '../../../modules/provision/backup/tree.js';
import { taskRegistry } from '../../../modules/provision/runner/registry.js';
import { show } from '../../cli/run-helper.js';
import { backendKernel } from './backup/hosting.js';
import { provisionEnv, type ProvisionEnv } from './env.js';
import { codebaseRepo } from './git-codebase.js';
import { leftovers } from './leftovers.js';

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Wait until `check` holds (polling every 5 ms), for at most `ms`. */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('provision hardening: links, sockets, processes, recovery, contrib tasks', function () {
  this.timeout(180_000);
  let pe: ProvisionEnv;
  let scratch: string;
  const site = 's1.test';
  const siteDir = (): string => join(pe.platform.root, 'sites', site);
  const save = (domain: string) => pe.aegir(['provision-save', `@${domain}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal']);
  const errorOf = (r: { lines: Record<string, unknown>[] }): string | undefined => (r.lines.at(-1) as { error?: { code?: string } }).error?.code;

  before(async () => {
    pe = await provisionEnv('sqlite', { modules: ['task_probe'] });
    scratch = mkdtempSync(join(tmpdir(), 'aegir-scratch-'));
    expect((await save(site)).code).to.equal(0);
    const r = await pe.aegir([`@${site}`, 'provision-install']);
    expect(r.code, show(r)).to.equal(0);
  });
  after(async () => {
    await pe.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('symlink-escape: a site folder with a link out of it is refused by backup, migrate and clone (ERR_PATH_INVALID), and nothing changes', async () => {
    for (const target of ['/etc/passwd', '../../../../../etc/passwd']) {
      const link = join(siteDir(), 'files', 'evil');
      symlinkSync(target, link);
      try {
        const before = await leftovers(pe);
        for (const argv of [['provision-backup'], ['provision-clone', '--new-name=evilcopy.test'], ['provision-migrate', '--new-name=evilmoved.test']]) {
          const r = await pe.aegir([`@${site}`, ...argv, '--backend']);
          expect(r.code, show(r)).to.equal(1);
          expect(errorOf(r), argv[0]).to.equal('ERR_PATH_INVALID');
          expect(r.stdout).to.include('files/evil');
          expect(await leftovers(pe), argv[0]).to.deep.equal(before);
        }
      } finally {
        unlinkSync(link);
      }
    }
  });

  it('symlink-escape: restore refuses a self-consistent backup that holds a link to /etc/passwd (ERR_BACKUP_INVALID), before any change', async () => {
    const b = await pe.aegir([`@${site}`, 'provision-backup', '--format=json']);
    expect(b.code, show(b)).to.equal(0);
    const file = (JSON.parse(b.stdout) as { file: string }).file;
    for (const target of ['/etc/passwd', '../../../etc/passwd']) {
      // Unpack, add the link with a manifest entry that matches it, pack again: integrity holds, origin does not.
      const work = mkdtempSync(join(scratch, 'craft-'));
      execFileSync('tar', ['-xzf', file, '-C', work]);
      symlinkSync(target, join(work, 'site', 'files', 'evil'));
      const manifest = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as { members: unknown[] };
      manifest.members.push({ path: 'site/files/evil', size: 0, sha256: sha256Text(target), link: target });
      writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest));
      const crafted = join(scratch, `crafted-${readdirSync(scratch).length}.tar.gz`);
      execFileSync('tar', ['-czf', crafted, '-C', work, 'manifest.json', 'database.sql', 'site']);
      const before = await leftovers(pe);
      const r = await pe.aegir([`@${site}`, 'provision-restore', `--file=${crafted}`, '--backend']);
      expect(r.code, show(r)).to.equal(1);
      expect(errorOf(r)).to.equal('ERR_BACKUP_INVALID');
      expect(r.stdout).to.include('site/files/evil');
      expect(await leftovers(pe)).to.deep.equal(before);
      expect(existsSync(join(siteDir(), 'files', 'evil'))).to.equal(false);
    }
    expect((await pe.aegir([`@${site}`, 'provision-backup-delete', `--file=${file}`])).code).to.equal(0);
  });

  it('socket-bypass: the app socket is the back end\'s alone (0600): another local user cannot reach a disabled site through it', async () => {
    const socket = join(pe.home, 'run', 'platform_test.sock');
    expect(statSync(socket).mode & 0o777).to.equal(0o600);
    expect((await pe.aegir([`@${site}`, 'provision-disable'])).code).to.equal(0);
    expect(await pe.status(site)).to.equal(503);
    // Open the way to the socket, so that only its own mode stands between the user and the site.
    chmodSync(pe.home, 0o755);
    try {
      const probe = `const c=require('net').connect(${JSON.stringify(socket)});c.on('connect',()=>{c.write('GET / HTTP/1.0\\r\\nHost: ${site}\\r\\n\\r\\n');c.on('data',(d)=>{process.stdout.write(String(d).split('\\r\\n')[0]);process.exit(0)})});c.on('error',(e)=>{process.stdout.write(e.code);process.exit(0)})`;
      const out = execFileSync(process.execPath, ['-e', probe], { uid: 12345, gid: 12345, env: {} }).toString();
      expect(out).to.equal('EACCES');
      // The back end's own user still gets in (the proxy does, as the same user).
      const mine = execFileSync(process.execPath, ['-e', probe], { env: {} }).toString();
      expect(mine).to.match(/^HTTP\/1\.[01] 200/);
    } finally {
      chmodSync(pe.home, 0o700);
      expect((await pe.aegir([`@${site}`, 'provision-enable'])).code).to.equal(0);
    }
  });

  /** Start an install of `domain` in its own process; resolves once its first command runs, with that command's pid. */
  const installUntilCommand = async (domain: string) => {
    const run = pe.spawn([`@${domain}`, 'provision-install', '--backend']);
    const journal = join(pe.home, 'tasks', `${domain}.json`);
    let pid = 0;
    await until(() => {
      try {
        pid = (JSON.parse(readFileSync(journal, 'utf8')) as { processes: { pid: number }[] }).processes[0]?.pid ?? 0;
      } catch { /* not yet, or being rewritten */ }
      return pid > 0;
    });
    return { run, pid };
  };

  it('orphan-commands: a task killed while its command runs leaves the command running; the next task ends it before undoing anything', async () => {
    expect((await save('orphan.test')).code).to.equal(0);
    const before = await leftovers(pe);
    const { run, pid } = await installUntilCommand('orphan.test');
    run.child.kill('SIGKILL');
    await run.done;
    expect(alive(pid), 'the command outlived its task').to.equal(true);
    const v = await pe.aegir(['@orphan.test', 'provision-verify']);
    expect(v.stderr).to.include('Ended 1 command(s)');
    expect(v.stderr).to.include('was interrupted');
    expect(alive(pid), 'the recovery ended it').to.equal(false);
    expect(await leftovers(pe)).to.deep.equal(before);
  });

  it('cancel: SIGTERM to a running install ends its command, undoes what it did and says so (ERR_TASK_CANCELLED)', async () => {
    expect((await save('cancel.test')).code).to.equal(0);
    const before = await leftovers(pe);
    const { run, pid } = await installUntilCommand('cancel.test');
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code, r.stderr).to.equal(1);
    expect(r.error).to.equal('ERR_TASK_CANCELLED');
    expect(r.stdout).to.include('SIGTERM received');
    expect(alive(pid)).to.equal(false);
    expect(await leftovers(pe)).to.deep.equal(before);
  });

  it('recovery-truth: a delete killed after removing the alias is undone with the alias back and the site served', async () => {
    expect((await save('del.test')).code).to.equal(0);
    expect((await pe.aegir(['@del.test', 'provision-install'])).code).to.equal(0);
    const before = await leftovers(pe);
    const killed = await pe.spawn(['@del.test', 'provision-delete'], { AEGIR_FAULT: 'delete:3:kill' }).done;
    expect(killed.signal).to.equal('SIGKILL');
    expect(existsSync(join(pe.home, 'aliases', 'del.test.json'))).to.equal(false);
    const v = await pe.aegir(['@del.test', 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
    expect(v.stderr).to.include('Undone: Remove the site\'s command-line alias');
    expect(await leftovers(pe)).to.deep.equal(before);
    expect(await pe.status('del.test')).to.equal(200);
  });

  it('recovery-truth: a platform verify killed after fetching takes the code back and says so; one that fetched nothing undoes nothing', async () => {
    const repo = codebaseRepo();
    try {
      const root = join(scratch, 'gitplat');
      const saveGit = () => pe.aegir(['provision-save', '@platform_git', '--context-type=platform', '--server=@server_master', `--platform-root=${root}`, `--git-url=${repo}`, '--git-ref=main']);
      for (const step of [1, 4]) {
        expect((await saveGit()).code).to.equal(0);
        const killed = await pe.spawn(['@platform_git', 'provision-verify'], { AEGIR_FAULT: `platform-verify:${step}:kill` }).done;
        expect(killed.signal).to.equal('SIGKILL');
        expect(existsSync(join(root, 'bin', 'aegir'))).to.equal(true);
        const again = await pe.aegir(['@platform_git', 'provision-verify']);
        expect(again.code, show(again)).to.equal(0);
        expect(again.stderr, again.stderr).to.include('Undone: Fetch the platform\'s code');
        if (step === 4) expect(again.stderr).to.include('Undone: Make sure the platform\'s app process runs');
        // Code fetched by an earlier verify is not this one's to take back: a delete starts the next round afresh.
        expect((await pe.aegir(['@platform_git', 'provision-delete'])).code).to.equal(0);
        expect(existsSync(root)).to.equal(false);
      }
      // The test platform's code was there before: a verify killed after its first step undid nothing.
      const killed = await pe.spawn(['@platform_test', 'provision-verify'], { AEGIR_FAULT: 'platform-verify:1:kill' }).done;
      expect(killed.signal).to.equal('SIGKILL');
      const v = await pe.aegir(['@platform_test', 'provision-verify']);
      expect(v.code, show(v)).to.equal(0);
      expect(v.stderr).to.include('was interrupted').and.not.include('Undone');
      expect(existsSync(join(pe.platform.root, 'bin', 'aegir'))).to.equal(true);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('restore-pileup: restores that fail at every step leave the site\'s backups as they were', async () => {
    const b = await pe.aegir([`@${site}`, 'provision-backup', '--format=json']);
    const file = (JSON.parse(b.stdout) as { file: string }).file;
    const backups = (): string[] => readdirSync(join(pe.home, 'backups', site)).sort();
    const kept = backups();
    const reg = taskRegistry(await backendKernel(pe.backend));
    const count = reg.steps(reg.get('restore')).length;
    for (let step = 1; step <= count; step++) {
      const r = await pe.aegir([`@${site}`, 'provision-restore', `--file=${file}`], { AEGIR_FAULT: `restore:${step}:fail` });
      expect(r.code, show(r)).to.equal(1);
      expect(backups(), `after a failure at step ${step}`).to.deep.equal(kept);
    }
    expect(await pe.status(site)).to.equal(200);
  });

  it('contrib-task: a module\'s own task runs from the command line; one killed mid-way is undone by the next task on the site', async () => {
    const mark = join(siteDir(), 'probe-mark.txt');
    const r = await pe.aegir([`@${site}`, 'provision-probe-mark', '--text=hello']);
    expect(r.code, show(r)).to.equal(0);
    expect(readFileSync(mark, 'utf8')).to.equal('hello');
    unlinkSync(mark);
    const killed = await pe.spawn([`@${site}`, 'provision-probe-mark'], { AEGIR_FAULT: 'probe-mark:1:kill' }).done;
    expect(killed.signal).to.equal('SIGKILL');
    expect(existsSync(mark)).to.equal(true);
    const v = await pe.aegir([`@${site}`, 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
    expect(v.stderr).to.include('Undone: Mark the site\'s folder');
    expect(existsSync(mark)).to.equal(false);
  });

  it('contrib-step: a step a module adds to install is undone when the install fails after it (its place counted from the step list)', async () => {
    const reg = taskRegistry(await backendKernel(pe.backend));
    const steps = reg.steps(reg.get('install'));
    const at = steps.findIndex((s) => s.name === 'probe-install-mark') + 1;
    expect(at, 'the contributed step is in the install').to.be.greaterThan(0);
    expect((await save('contrib.test')).code).to.equal(0);
    const before = await leftovers(pe);
    for (const s of [at, steps.length]) {
      const r = await pe.aegir(['@contrib.test', 'provision-install'], { AEGIR_FAULT: `install:${s}:fail` });
      expect(r.code, show(r)).to.equal(1);
      expect(r.stderr).to.include('Undone: Fixture: note the install in the Aegir home');
      expect(existsSync(join(pe.home, 'probe-contrib.test.txt'))).to.equal(false);
      expect(await leftovers(pe)).to.deep.equal(before);
    }
  });

  it('contrib-task-unknown: an interrupted task no enabled module provides is reported (ERR_TASK_UNKNOWN), never "recovered" by doing nothing', async () => {
    const journal = join(pe.home, 'tasks', `${site}.json`);
    writeFileSync(journal, JSON.stringify({ task: 'gone-task', context: site, owner: { pid: 999_999_9 }, started: 1, claims: [], options: {}, done: ['x'], current: null, notes: {}, processes: [] }));
    try {
      const r = await pe.aegir([`@${site}`, 'provision-verify', '--backend']);
      expect(r.code).to.equal(1);
      expect(errorOf(r)).to.equal('ERR_TASK_UNKNOWN');
      expect(existsSync(journal), 'the journal stays for when the module is back').to.equal(true);
    } finally {
      rmSync(journal, { force: true });
    }
  });
});
