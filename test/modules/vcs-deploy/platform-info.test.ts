import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli, json, show } from '../../cli/run-helper.js';
import { codebaseRepo, type TestRepo } from './repo.js';

const run = promisify(execFile);

interface Info {
  version: string | null;
  versionOrigin: string | null;
  modules: { name: string; version: string | null; versionOrigin: string | null }[];
}

/** The real command line's `platform-info --format=json` in a codebase. */
async function platformInfo(root: string): Promise<Info> {
  const { stdout } = await run(process.execPath, [join(root, 'bin', 'aegir'), 'platform-info', '--format=json'], { cwd: root, env: { ...process.env, AEGIR_HOME: join(root, '.home') } });
  return JSON.parse(stdout) as Info;
}

const versionOf = (info: Info, name: string): [string | null, string | null] | undefined => {
  const m = info.modules.find((x) => x.name === name);
  return m && [m.version, m.versionOrigin];
};

describe('vcs_deploy through platform-info and pm-list', function () {
  this.timeout(120_000);
  let r: TestRepo;
  before(() => {
    r = codebaseRepo({ vcs_demo: undefined, vcs_dev: '2.0.0-dev', vcs_exact: '3.0.0' });
    r.git(['tag', 'v1.0.0']);
    r.write('modules/vcs_demo/README', 'a change\n');
    r.commit('second');
    r.git(['tag', 'v1.1.0']);
  });
  after(() => r.cleanup());

  it('bin/aegir platform-info reports the platform\'s version and its modules\' from git, where module.json says nothing exact', async () => {
    const info = await platformInfo(r.root);
    expect([info.version, info.versionOrigin]).to.deep.equal(['1.1.0', 'vcs']);
    expect(versionOf(info, 'vcs_demo')).to.deep.equal(['1.1.0', 'vcs']);
    expect(versionOf(info, 'vcs_dev')).to.deep.equal(['1.1.0', 'vcs']);
    expect(versionOf(info, 'vcs_exact')).to.deep.equal(['3.0.0', 'manifest']);
    // A module of the codebase's own repository, through a symlink: its exact version stays.
    expect(versionOf(info, 'system')).to.deep.equal(['0.1.0', 'manifest']);
  });

  it('pm-list of a site reports the same versions (the command line\'s vcs_deploy, though the site did not enable it)', async () => {
    const env = { HOME: r.root, AEGIR_HOME: join(r.root, '.home') };
    const install = await cli(r.root, ['site-install', 'minimal', '--uri=vcs.test', '--sites-subdir=vcs.test', '-q'], { env });
    expect(install.code, show(install)).to.equal(0);
    expect((await cli(r.root, ['--uri=vcs.test', 'pm-enable', 'vcs_demo', '-y', '-q'], { env })).code).to.equal(0);
    const list = await cli(r.root, ['--uri=vcs.test', 'pm-list', '--status=enabled', '--format=json'], { env });
    expect(list.code, show(list)).to.equal(0);
    const rows = json<{ name: string; version: string; versionOrigin: string | null }[]>(list);
    expect(rows.find((m) => m.name === 'vcs_demo')).to.include({ version: '1.1.0', versionOrigin: 'vcs' });
    expect(rows.find((m) => m.name === 'system')).to.include({ version: '0.1.0', versionOrigin: 'manifest' });
    expect(rows.some((m) => m.name === 'vcs_deploy'), 'the site did not enable it').to.equal(false);
  });

  it('without vcs_deploy in the codebase, module.json\'s versions stay (unknown where it gives none)', async () => {
    rmSync(join(r.root, 'modules', 'vcs-deploy'));
    const info = await platformInfo(r.root);
    expect([info.version, info.versionOrigin]).to.deep.equal([null, null]);
    expect(versionOf(info, 'vcs_demo')).to.deep.equal([null, null]);
    expect(versionOf(info, 'vcs_dev')).to.deep.equal(['2.0.0-dev', 'manifest']);
  });
});
