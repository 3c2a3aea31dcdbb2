import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { show } from '../../cli/run-helper.js';
import { provisionEnv, type ProvisionEnv } from './env.js';

describe('provision app service supervisord', function () {
  this.timeout(120_000);
  let pe: ProvisionEnv;
  before(async () => { pe = await provisionEnv('sqlite', { app: 'supervisord' }); });
  after(async () => { await pe?.stop(); });

  const ctl = (...args: string[]): string => {
    try {
      return execFileSync('supervisorctl', ['-c', join(pe.home, 'run', 'supervisord.conf'), ...args], { encoding: 'utf8' });
    } catch (e) {
      return String((e as { stdout?: string }).stdout ?? '');
    }
  };

  it('runs the platform\'s app under supervisord and restarts it when it dies', async () => {
    const save = await pe.aegir(['provision-save', '@sup.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal']);
    expect(save.code, show(save)).to.equal(0);
    const r = await pe.aegir(['@sup.test', 'provision-install']);
    expect(r.code, show(r)).to.equal(0);
    expect(await pe.status('sup.test')).to.equal(200);
    expect(ctl('status', 'platform_test')).to.match(/RUNNING/);
    const pid = Number(ctl('pid', 'platform_test').trim());
    expect(pid).to.be.greaterThan(0);
    process.kill(pid, 'SIGKILL');
    const until = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < until) {
      status = await pe.status('sup.test');
      const now = Number(ctl('pid', 'platform_test').trim());
      if (status === 200 && now > 0 && now !== pid) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(status).to.equal(200);
    expect(Number(ctl('pid', 'platform_test').trim())).to.not.equal(pid);
  });

  it('config-injection: a platform whose root is not a safe path never reaches the program file', async () => {
    const r = await pe.aegir(['provision-save', '@platform_evil', '--context-type=platform', '--server=@server_master', '--platform-root=/tmp/x\ncommand=rm']);
    // Refused by the option check (a line break) or by the context validation: never 0.
    expect(r.code).to.not.equal(0);
    for (const root of ['/tmp/x;command=rm', '/tmp/x y', '/tmp/$(id)']) {
      const bad = await pe.aegir(['provision-save', '@platform_evil', '--context-type=platform', '--server=@server_master', `--platform-root=${root}`]);
      expect(bad.code, root).to.equal(1);
      expect(bad.stderr).to.include('ERR_CONTEXT_INVALID');
    }
  });
});
