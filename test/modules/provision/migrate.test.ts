import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cli, json, show } from '../../cli/run-helper.js';
import { DRIVERS, makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { provisionEnv, type ProvisionEnv } from './env.js';
import { moveSteps } from '../../../modules/provision/tasks/site-migrate.js';

/** Steps of a migrate before its purge (the last step, its point of no return). */
const BEFORE_PURGE = moveSteps(false).length - 1;
/** The number of the step that makes the working folder. */
const DUMP_AT = [...moveSteps(false)].sort((a, b) => a.weight - b.weight).findIndex((s) => s.step.name === 'dump') + 1;

for (const driver of DRIVERS) {
  describe(`provision migrate and clone on ${driver}`, function () {
    this.timeout(240_000);
    let pe: ProvisionEnv;
    let two: TestCodebase;
    before(async () => {
      pe = await provisionEnv(driver);
      two = makeCodebase({ fixtures: false });
      symlinkSync(join(REPO, 'bin'), join(two.root, 'bin'));
      const r = await pe.aegir(['provision-save', '@platform_two', '--context-type=platform', '--server=@server_master', `--platform-root=${two.root}`]);
      expect(r.code, show(r)).to.equal(0);
    });
    after(async () => {
      await pe.stop();
      two.cleanup();
    });

    /** Run the site's own command line (on whichever platform it is now). */
    const site = async (root: string, domain: string, ...args: string[]) => cli(root, [`--uri=${domain}`, ...args], { env: { ...process.env, AEGIR_HOME: pe.home } });
    const install = async (domain: string): Promise<void> => {
      expect((await pe.aegir(['provision-save', `@${domain}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=standard'])).code).to.equal(0);
      const r = await pe.aegir([`@${domain}`, 'provision-install']);
      expect(r.code, show(r)).to.equal(0);
      expect((await site(pe.platform.root, domain, 'config-set', 'system.slogan', `data of ${domain}`)).code).to.equal(0);
    };
    const slogan = async (root: string, domain: string): Promise<string> => json<string>(await site(root, domain, 'config-get', 'system.slogan', '--format=json'));

    it('clones a site under a new name with its data; both are served and independent', async () => {
      await install('orig.test');
      const r = await pe.aegir(['@orig.test', 'provision-clone', '--new-name=copy.test']);
      expect(r.code, show(r)).to.equal(0);
      expect(await pe.status('orig.test')).to.equal(200);
      expect(await pe.status('copy.test')).to.equal(200);
      expect(await slogan(pe.platform.root, 'copy.test')).to.equal('data of orig.test');
      expect((await site(pe.platform.root, 'copy.test', 'config-set', 'system.slogan', 'changed')).code).to.equal(0);
      expect(await slogan(pe.platform.root, 'orig.test')).to.equal('data of orig.test');
      const a = JSON.parse(readFileSync(join(pe.platform.root, 'sites', 'orig.test', 'settings.json'), 'utf8'));
      const b = JSON.parse(readFileSync(join(pe.platform.root, 'sites', 'copy.test', 'settings.json'), 'utf8'));
      expect(b.hashSalt).to.not.equal(a.hashSalt);
      if (driver === 'mysql') expect(b.database.database).to.not.equal(a.database.database);
    });

    it('migrates a site to another platform with its data, reporting how long it was unavailable', async () => {
      await install('mover.test');
      const r = await pe.aegir(['@mover.test', 'provision-migrate', '--platform=@platform_two', '--format=json']);
      expect(r.code, show(r)).to.equal(0);
      const out = json<{ unavailableMs: number }>(r);
      expect(out.unavailableMs).to.be.a('number').and.greaterThan(0);
      expect(await pe.status('mover.test')).to.equal(200);
      expect(existsSync(join(pe.platform.root, 'sites', 'mover.test'))).to.equal(false);
      expect(await slogan(two.root, 'mover.test')).to.equal('data of mover.test');
      expect(JSON.parse(readFileSync(join(pe.home, 'contexts', 'mover.test.json'), 'utf8')).platform).to.equal('platform_two');
    });

    it('migrates a site to a new name: the old name stops answering', async () => {
      await install('oldname.test');
      const r = await pe.aegir(['@oldname.test', 'provision-migrate', '--new-name=newname.test']);
      expect(r.code, show(r)).to.equal(0);
      expect(await pe.status('newname.test')).to.equal(200);
      expect(await pe.status('oldname.test')).to.equal(404);
      expect(existsSync(join(pe.home, 'contexts', 'oldname.test.json'))).to.equal(false);
      expect(await slogan(pe.platform.root, 'newname.test')).to.equal('data of oldname.test');
    });

    for (let step = 1; step <= BEFORE_PURGE; step++) {
      it(`a failure at migrate step ${step} leaves the site where it was, with its data, served`, async () => {
        const domain = `stay${step}.test`;
        await install(domain);
        const r = await pe.aegir([`@${domain}`, 'provision-migrate', '--platform=@platform_two'], { AEGIR_FAULT: `migrate:${step}:fail` });
        expect(r.code, show(r)).to.equal(1);
        expect(await pe.status(domain)).to.equal(200);
        expect(existsSync(join(two.root, 'sites', domain))).to.equal(false);
        expect(await slogan(pe.platform.root, domain)).to.equal(`data of ${domain}`);
        expect(JSON.parse(readFileSync(join(pe.home, 'contexts', `${domain}.json`), 'utf8')).platform).to.equal('platform_test');
      });
    }

    for (let step = 1; step <= BEFORE_PURGE; step++) {
      it(`a migrate killed at step ${step} is undone by the next task on the site, working folders included`, async () => {
        const domain = `kill${step}.test`;
        await install(domain);
        const killed = await new Promise<NodeJS.Signals | null>((resolve) => {
          const child = spawn(process.execPath, [join(pe.backend.root, 'bin', 'aegir'), `@${domain}`, 'provision-migrate', '--platform=@platform_two'], {
            cwd: pe.backend.root, env: { ...process.env, AEGIR_HOME: pe.home, AEGIR_FAULT: `migrate:${step}:kill` }, stdio: 'ignore',
          });
          child.on('exit', (_code, signal) => resolve(signal));
        });
        expect(killed).to.equal('SIGKILL');
        const journal = JSON.parse(readFileSync(join(pe.home, 'tasks', `${domain}.json`), 'utf8')) as { notes?: { move?: { workDir?: string } } };
        expect(journal.notes?.move, 'the journal notes where the move went').to.deep.include({ platform: 'platform_two', name: domain });
        const workDir = journal.notes?.move?.workDir;
        if (step >= DUMP_AT) expect(workDir, 'the dump folder is noted once made').to.be.a('string');
        const r = await pe.aegir([`@${domain}`, 'provision-verify']);
        expect(r.code, show(r)).to.equal(0);
        expect(r.stderr).to.include('was interrupted');
        expect(await pe.status(domain)).to.equal(200);
        expect(existsSync(join(two.root, 'sites', domain))).to.equal(false);
        if (workDir) expect(existsSync(workDir), `${workDir} is removed`).to.equal(false);
        expect(await slogan(pe.platform.root, domain)).to.equal(`data of ${domain}`);
        expect(JSON.parse(readFileSync(join(pe.home, 'contexts', `${domain}.json`), 'utf8')).platform).to.equal('platform_test');
      });
    }

    it('a migrate killed in its purge (past the point of no return) is finished by the next task, not undone', async () => {
      const domain = 'killpurge.test';
      await install(domain);
      const killed = await new Promise<NodeJS.Signals | null>((resolve) => {
        const child = spawn(process.execPath, [join(pe.backend.root, 'bin', 'aegir'), `@${domain}`, 'provision-migrate', '--platform=@platform_two'], {
          cwd: pe.backend.root, env: { ...process.env, AEGIR_HOME: pe.home, AEGIR_FAULT: `migrate:${BEFORE_PURGE + 1}:kill` }, stdio: 'ignore',
        });
        child.on('exit', (_code, signal) => resolve(signal));
      });
      expect(killed).to.equal('SIGKILL');
      const r = await pe.aegir([`@${domain}`, 'provision-verify']);
      expect(r.code, show(r)).to.equal(0);
      expect(r.stderr).to.include('past its point of no return');
      expect(await pe.status(domain)).to.equal(200);
      expect(existsSync(join(pe.platform.root, 'sites', domain))).to.equal(false);
      expect(await slogan(two.root, domain)).to.equal(`data of ${domain}`);
      expect(JSON.parse(readFileSync(join(pe.home, 'contexts', `${domain}.json`), 'utf8')).platform).to.equal('platform_two');
      expect(existsSync(join(pe.home, 'tasks', `${domain}.json`))).to.equal(false);
    });

    for (let step = 1; step <= 7; step++) {
      it(`a failure at clone step ${step} leaves no clone and the original untouched`, async () => {
        const domain = `src${step}.test`;
        await install(domain);
        const r = await pe.aegir([`@${domain}`, 'provision-clone', `--new-name=dst${step}.test`], { AEGIR_FAULT: `clone:${step}:fail` });
        expect(r.code, show(r)).to.equal(1);
        expect(await pe.status(domain)).to.equal(200);
        expect(await pe.status(`dst${step}.test`)).to.equal(404);
        expect(existsSync(join(pe.platform.root, 'sites', `dst${step}.test`))).to.equal(false);
        expect(existsSync(join(pe.home, 'contexts', `dst${step}.test.json`))).to.equal(false);
        expect(await slogan(pe.platform.root, domain)).to.equal(`data of ${domain}`);
      });
    }
  });
}
