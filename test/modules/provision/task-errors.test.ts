/**
 * The coded errors of provision's task machinery, each raised for real:
 * a task asked of the wrong kind of context, a service no module provides,
 * a journal that cannot be read, two modules declaring one task, and an
 * undo that fails (its journal stays, and the next task undoes again).
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { show, type CliRun } from '../../cli/run-helper.js';
import { REPO } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { taskRegistry } from '../../../modules/provision/runner/registry.js';
import { backendKernel } from './backup/hosting.js';
import { provisionEnv, type ProvisionEnv } from './env.js';

const errorOf = (r: CliRun): string | undefined => (r.lines.at(-1) as { error?: { code?: string } }).error?.code;

describe('provision task errors', function () {
  this.timeout(120_000);
  let pe: ProvisionEnv;
  const site = 'e.test';
  before(async () => {
    pe = await provisionEnv('sqlite', { modules: ['task_probe'] });
    expect((await pe.aegir(['provision-save', `@${site}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal'])).code).to.equal(0);
    const r = await pe.aegir([`@${site}`, 'provision-install']);
    expect(r.code, show(r)).to.equal(0);
  });
  after(async () => { await pe?.stop(); });

  it('a site task asked of a platform is ERR_CONTEXT_TYPE, naming what it needs', async () => {
    const r = await pe.aegir(['@platform_test', 'provision-install', '--backend']);
    expect(r.code).to.equal(1);
    expect(errorOf(r)).to.equal('ERR_CONTEXT_TYPE');
    expect(r.stdout).to.include('needs a site');
  });

  it('a server whose http service no module provides fails its verify with ERR_SERVICE_UNKNOWN, listing what there is', async () => {
    expect((await pe.aegir(['provision-save', '@server_odd', '--context-type=server', '--host=localhost', '--http=caddy', '--db=sqlite'])).code).to.equal(0);
    const r = await pe.aegir(['@server_odd', 'provision-verify', '--backend']);
    expect(r.code).to.equal(1);
    expect(errorOf(r)).to.equal('ERR_SERVICE_UNKNOWN');
    expect(r.stdout).to.include('caddy').and.include('nginx');
  });

  it('a journal that is not JSON stops tasks on its site with ERR_JOURNAL_INVALID, naming the file', async () => {
    const journal = join(pe.home, 'tasks', `${site}.json`);
    writeFileSync(journal, '{ half a journal');
    try {
      const r = await pe.aegir([`@${site}`, 'provision-verify', '--backend']);
      expect(r.code).to.equal(1);
      expect(errorOf(r)).to.equal('ERR_JOURNAL_INVALID');
      expect(r.stdout).to.include(journal);
    } finally {
      rmSync(journal, { force: true });
    }
  });

  it('an undo that fails keeps the journal (ERR_TASK_UNDO_FAILED); the next task on the site undoes the task again', async () => {
    const mark = join(pe.platform.root, 'sites', site, 'probe-mark.txt');
    const r = await pe.aegir([`@${site}`, 'provision-probe-mark', '--text=stuck', '--backend'], { AEGIR_FAULT: 'probe-mark:2:fail' });
    expect(r.code).to.equal(1);
    expect(errorOf(r)).to.equal('ERR_TASK_UNDO_FAILED');
    expect(existsSync(join(pe.home, 'tasks', `${site}.json`)), 'the journal stays').to.equal(true);
    expect(readFileSync(mark, 'utf8')).to.equal('stuck');
    // Once the cause is gone, the next task undoes it first.
    writeFileSync(mark, 'unstuck');
    const v = await pe.aegir([`@${site}`, 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
    expect(v.stderr).to.include('Undone: Mark the site\'s folder');
    expect(existsSync(mark)).to.equal(false);
    expect(existsSync(join(pe.home, 'tasks', `${site}.json`))).to.equal(false);
  });

  it('a backup of a site whose folder is gone is ERR_SITE_NOT_FOUND, and writes nothing', async () => {
    const dir = join(pe.platform.root, 'sites', site);
    renameSync(dir, `${dir}.away`);
    try {
      const r = await pe.aegir([`@${site}`, 'provision-backup', '--backend']);
      expect(r.code).to.equal(1);
      expect(errorOf(r)).to.equal('ERR_SITE_NOT_FOUND');
      expect(existsSync(join(pe.home, 'backups', site)) ? readdirSync(join(pe.home, 'backups', site)) : []).to.deep.equal([]);
    } finally {
      renameSync(`${dir}.away`, dir);
    }
  });

  it('two modules declaring one task name: ERR_TASK_DUPLICATE naming both', async () => {
    symlinkSync(join(REPO, 'test', 'fixtures', 'provision-modules', 'task_twin'), join(pe.backend.root, 'modules', 'task_twin'));
    try {
      const e = await expectCode(async () => taskRegistry(await backendKernel(pe.backend)), 'ERR_TASK_DUPLICATE');
      expect(e.message).to.include('task_probe').and.include('task_twin');
      // The command line, which makes its commands from the tasks, says the same (through the hook that failed).
      const r = await pe.aegir([`@${site}`, 'provision-verify', '--backend']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.include('declared by both task_probe and task_twin');
    } finally {
      rmSync(join(pe.backend.root, 'modules', 'task_twin'));
    }
  });
});
