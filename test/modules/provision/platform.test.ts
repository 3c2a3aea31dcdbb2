import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { json, show } from '../../cli/run-helper.js';
import { codebaseRepo } from './git-codebase.js';
import { provisionEnv, type ProvisionEnv } from './env.js';


describe('provision platform tasks', function () {
  this.timeout(120_000);
  let pe: ProvisionEnv;
  let repo: string;
  let root: string;
  before(async () => {
    pe = await provisionEnv('sqlite');
    repo = codebaseRepo();
  });
  after(async () => {
    await pe.stop();
    rmSync(repo, { recursive: true, force: true });
  });
  beforeEach(() => { root = join(mkdtempSync(join(tmpdir(), 'aegir-plat-')), 'code'); });
  afterEach(() => { rmSync(dirname(root), { recursive: true, force: true }); });

  const save = (name: string, extra: string[]) => pe.aegir(['provision-save', `@${name}`, '--context-type=platform', '--server=@server_master', `--platform-root=${root}`, ...extra]);

  it('builds a platform from git at a tag, lists its profiles and modules, and starts its app process', async () => {
    expect((await save('platform_git', [`--git-url=${repo}`, '--git-ref=v1'])).code).to.equal(0);
    const r = await pe.aegir(['@platform_git', 'provision-verify', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    const report = json<{ profiles: string[]; modules: { name: string; version: string }[]; app: string }>(r);
    expect(report.profiles).to.include.members(['minimal', 'standard']);
    expect(report.modules.find((m) => m.name === 'system')?.version).to.equal('0.1.0');
    expect(report.app).to.match(/platform_git\.sock$/);
    expect(existsSync(join(root, '.git'))).to.equal(true);
    // A second verify finds it there and changes nothing.
    expect((await pe.aegir(['@platform_git', 'provision-verify'])).code).to.equal(0);
    const del = await pe.aegir(['@platform_git', 'provision-delete']);
    expect(del.code, show(del)).to.equal(0);
    expect(existsSync(root)).to.equal(false);
  });

  for (let step = 1; step <= 4; step++) {
    it(`a failure at platform verify step ${step} removes what it fetched`, async () => {
      const name = `platform_fail${step}`;
      expect((await save(name, [`--git-url=${repo}`, '--git-ref=main'])).code).to.equal(0);
      const r = await pe.aegir([`@${name}`, 'provision-verify'], { AEGIR_FAULT: `platform-verify:${step}:fail` });
      expect(r.code, show(r)).to.equal(1);
      expect(existsSync(root)).to.equal(false);
      expect(existsSync(join(pe.home, 'run', `${name}.pid`)), 'no app process left for it').to.equal(false);
    });
  }

  it('refuses to delete a platform a site uses, and leaves it working', async () => {
    expect((await save('platform_used', [`--git-url=${repo}`, '--git-ref=main'])).code).to.equal(0);
    expect((await pe.aegir(['@platform_used', 'provision-verify'])).code).to.equal(0);
    expect((await pe.aegir(['provision-save', '@user.test', '--context-type=site', '--platform=@platform_used', '--db-server=@server_master', '--profile=minimal'])).code).to.equal(0);
    const r = await pe.aegir(['@platform_used', 'provision-delete']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ERR_CONTEXT_IN_USE');
    expect(existsSync(join(root, 'bin'))).to.equal(true);
  });

  it('a platform without code and without a git source is refused clearly', async () => {
    expect((await save('platform_nothing', [])).code).to.equal(0);
    const r = await pe.aegir(['@platform_nothing', 'provision-verify']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ERR_CONTEXT_INVALID');
  });

  it('shell-injection: a git ref or URL that looks like an option is refused before git runs', async () => {
    for (const extra of [['--git-url=--upload-pack=touch /tmp/pwned', '--git-ref=main'], [`--git-url=${repo}`, '--git-ref=--orphan=x']]) {
      const r = await save('platform_evil', extra);
      expect(r.code, extra.join(' ')).to.equal(1);
    }
    expect(existsSync('/tmp/pwned')).to.equal(false);
  });
});
