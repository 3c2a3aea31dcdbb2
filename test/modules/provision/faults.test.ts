/**
 * Every step of every site task made to fail, to fail half-way and to be
 * killed, with the steps counted from the task's own step list (its
 * registry entry, contributions included), on the built-in proxy with
 * SQLite and on nginx with MariaDB. After each, one shared leftover check
 * (leftovers.ts) must find the servers exactly as before: databases, users,
 * secrets, journals, aliases, routes, vhosts, site and work folders,
 * backups. A killed task is undone by the next task on its site. Steps at
 * and after a point of no return (the purges of delete and migrate) go
 * forward, not back: tasks.test.ts and migrate.test.ts cover them.
 */
import { expect } from 'chai';
import type { ErrorCode } from '../../../core/errors/catalogue.js';
import { join } from 'node:path';
import { taskRegistry } from '../../../modules/provision/runner/registry.js';
import { show } from '../../cli/run-helper.js';
import { DRIVERS, makeCodebase, REPO, type Driver, type TestCodebase } from '../../harness/codebase.js';
import { nginxServer, type TestWebServer } from '../../harness/nginx.js';
import { symlinkSync } from 'node:fs';
import { backendKernel } from './backup/hosting.js';
import { provisionEnv, type ProvisionEnv } from './env.js';
import { leftovers } from './leftovers.js';

/** The cause every injected failure names. */
const INJECTED: ErrorCode = 'ERR_FAULT_INJECTED';

/** One task to fault: how to get a site ready for it, and the command line that runs it. */
interface Scenario {
  readonly task: string;
  /** Make the site (and whatever else) ready; returns the command's arguments after `@site <command>`. */
  setup(site: string): Promise<string[]>;
}

const SETUPS: readonly { web: 'builtin' | 'nginx'; driver: Driver; modes: readonly string[] }[] = [
  { web: 'builtin', driver: DRIVERS[0], modes: ['fail', 'fail-mid', 'kill'] },
  { web: 'nginx', driver: DRIVERS[1], modes: ['fail', 'kill-mid'] },
];

for (const setup of SETUPS) {
  describe(`every step of every site task failed and killed (${setup.web}, ${setup.driver})`, function () {
    this.timeout(600_000);
    let pe: ProvisionEnv;
    let web: TestWebServer | undefined;
    let two: TestCodebase;
    let counts: Map<string, { steps: number; beforeCommit: number; command: string }>;
    before(async () => {
      web = setup.web === 'nginx' ? await nginxServer() : undefined;
      pe = await provisionEnv(setup.driver, web ? { http: { type: 'nginx', settings: web.config, port: web.port, runDir: join(web.dir, 'run') } } : {});
      await web?.start();
      two = makeCodebase({ fixtures: false });
      symlinkSync(join(REPO, 'bin'), join(two.root, 'bin'));
      const r = await pe.aegir(['provision-save', '@platform_two', '--context-type=platform', '--server=@server_master', `--platform-root=${two.root}`]);
      expect(r.code, show(r)).to.equal(0);
      const reg = taskRegistry(await backendKernel(pe.backend));
      counts = new Map([...reg.tasks.values()].filter((t) => t.definition.on === 'site').map(({ definition: d }) => {
        const steps = reg.steps(d);
        const commit = steps.findIndex((s) => s.commit);
        return [d.name, { steps: steps.length, beforeCommit: commit < 0 ? steps.length : commit, command: d.command }];
      }));
    });
    after(async () => {
      await pe.stop();
      await web?.stop();
      two.cleanup();
    });

    const must = async (argv: string[]): Promise<void> => {
      const r = await pe.aegir(argv);
      expect(r.code, `${argv.join(' ')}\n${show(r)}`).to.equal(0);
    };
    const save = (site: string) => must(['provision-save', `@${site}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal']);
    const installed = async (site: string): Promise<void> => {
      await save(site);
      await must([`@${site}`, 'provision-install']);
    };
    const backupOf = async (site: string): Promise<string> => {
      const r = await pe.aegir([`@${site}`, 'provision-backup', '--format=json']);
      expect(r.code, show(r)).to.equal(0);
      return (JSON.parse(r.stdout) as { file: string }).file;
    };

    const scenarios: readonly Scenario[] = [
      { task: 'install', setup: async (s) => { await save(s); return []; } },
      { task: 'verify', setup: async (s) => { await installed(s); return []; } },
      { task: 'backup', setup: async (s) => { await installed(s); return []; } },
      { task: 'restore', setup: async (s) => { await installed(s); return [`--file=${await backupOf(s)}`]; } },
      { task: 'backup-delete', setup: async (s) => { await installed(s); return [`--file=${await backupOf(s)}`]; } },
      { task: 'disable', setup: async (s) => { await installed(s); return []; } },
      { task: 'enable', setup: async (s) => { await installed(s); await must([`@${s}`, 'provision-disable']); return []; } },
      { task: 'delete', setup: async (s) => { await installed(s); return []; } },
      { task: 'migrate', setup: async (s) => { await installed(s); return ['--platform=@platform_two']; } },
      { task: 'clone', setup: async (s) => { await installed(s); return [`--new-name=copy-${s}`]; } },
      { task: 'login-reset', setup: async (s) => { await installed(s); return []; } },
      { task: 'cron', setup: async (s) => { await installed(s); return []; } },
    ];

    it('covers every site task of the registry', () => {
      expect(scenarios.map((s) => s.task).sort()).to.deep.equal([...counts.keys()].sort());
    });

    for (const sc of scenarios) {
      it(`${sc.task}: a failure, a failure half-way and a kill at each step before its point of no return leave nothing behind`, async function () {
        const { beforeCommit, command } = counts.get(sc.task)!;
        const site = `${sc.task}.test`;
        const args = await sc.setup(site);
        const places = { platforms: [two.root], ...(web ? { vhostDir: join(web.confDir, 'vhost.d') } : {}) };
        const clean = await leftovers(pe, places);
        const status = await pe.status(site);
        for (let step = 1; step <= beforeCommit; step++) {
          for (const mode of setup.modes) {
            const label = `${sc.task}:${step}:${mode}`;
            const run = await pe.spawn([`@${site}`, command, ...args, '--backend'], { AEGIR_FAULT: label }).done;
            if (mode.startsWith('kill')) {
              expect(run.signal, `${label}: ${run.stderr}`).to.equal('SIGKILL');
              const next = await pe.aegir([`@${site}`, 'provision-verify']);
              expect(next.stderr, `${label}: ${show(next)}`).to.include('was interrupted');
            } else {
              expect(run.code, `${label}: ${run.stdout}`).to.equal(1);
              // Half-way, the injected error meets the step's own handling (a check may report it as a bad backup): any coded failure will do.
              if (mode === 'fail') {
                expect(run.error, label).to.equal('ERR_TASK_FAILED');
                expect(run.stdout, label).to.include(`[${INJECTED}]`);
              }
              else expect(run.error, label).to.match(/^ERR_/);
            }
            expect(await leftovers(pe, places), label).to.deep.equal(clean);
            expect(await pe.status(site), label).to.equal(status);
          }
        }
      });
    }
  });
}
