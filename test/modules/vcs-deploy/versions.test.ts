import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, memorySink, type LogEntry } from '../../../core/logger/logger.js';
import type { VersionSubject } from '../../../modules/system/hooks.js';
import { runGit } from '../../../modules/vcs-deploy/git.js';
import { vcsVersions } from '../../../modules/vcs-deploy/versions.js';
import { manifest, testRepo, type TestRepo } from './repo.js';

/** Subjects as platform-info makes them: the platform, then modules with their manifest's version. */
function subjects(root: string, modules: Readonly<Record<string, [string, string | undefined]>>): VersionSubject[] {
  return [
    { name: '', type: 'platform', dir: root, manifestVersion: undefined, version: undefined, versionOrigin: undefined },
    ...Object.entries(modules).map(([name, [dir, v]]): VersionSubject => ({ name, type: 'module', dir, manifestVersion: v, version: v, versionOrigin: v ? 'manifest' : undefined })),
  ];
}

const versionsOf = async (list: VersionSubject[], logs: LogEntry[] = []): Promise<Record<string, [string | undefined, string | undefined]>> => {
  await vcsVersions({ root: list[0]!.dir, subjects: list, logger: new Logger(memorySink(logs), 'debug') });
  return Object.fromEntries(list.map((s) => [s.name || '(platform)', [s.version, s.versionOrigin]]));
};

/** A folder whose `git` logs each call to a file, then runs the real git (or sleeps, to test the timeout). */
function gitShim(mode: 'log' | 'hang'): { dir: string; calls(): string[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-gitshim-'));
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const log = join(dir, 'calls.log');
  writeFileSync(join(dir, 'git'), mode === 'log' ? `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n` : '#!/bin/sh\nexec sleep 5\n');
  chmodSync(join(dir, 'git'), 0o755);
  return { dir, calls: () => { try { return readFileSync(log, 'utf8').trim().split('\n'); } catch { return []; } }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function withPath<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = `${dir}:${saved ?? ''}`;
  try { return await fn(); } finally { process.env.PATH = saved; }
}

describe('vcs_deploy: versions of a platform and its modules from a real git repository', function () {
  this.timeout(60_000);
  let p: TestRepo;
  let own: TestRepo;
  let plain: string;
  const mods = (): Record<string, [string, string | undefined]> => ({
    none: [join(p.root, 'modules', 'none'), undefined],
    dev: [join(p.root, 'modules', 'dev'), '2.0.0-dev'],
    exact: [join(p.root, 'modules', 'exact'), '3.0.0'],
    untracked: [join(p.root, 'modules', 'untracked'), undefined],
    own: [join(p.root, 'sites', 'all', 'modules', 'own'), undefined],
  });

  before(() => {
    // A platform with tags v1.0.0 and v1.1.0; a contrib module cloned into it with a .git of its own (ignored by the platform's).
    p = testRepo();
    for (const [name, v] of [['none', undefined], ['dev', '2.0.0-dev'], ['exact', '3.0.0']] as const) p.write(`modules/${name}/module.json`, manifest(name, v));
    p.write('.gitignore', '/sites/all/modules/own/\n/modules/untracked/\n');
    p.commit('first');
    p.git(['tag', 'v1.0.0']);
    p.write('modules/none/README', 'changed\n');
    p.commit('second');
    p.git(['tag', 'v1.1.0']);
    p.write('modules/untracked/module.json', manifest('untracked'));
    own = testRepo();
    own.write('module.json', manifest('own'));
    own.commit('own');
    own.git(['tag', 'v5.0.0']);
    mkdirSync(join(p.root, 'sites', 'all', 'modules'), { recursive: true });
    execFileSync('mv', [own.root, join(p.root, 'sites', 'all', 'modules', 'own')]);
    plain = mkdtempSync(join(tmpdir(), 'aegir-plain-'));
    writeFileSync(join(plain, 'module.json'), manifest('plain'));
  });
  after(() => {
    p.cleanup();
    rmSync(plain, { recursive: true, force: true });
  });

  it('a tag on HEAD gives its version (without the v) to the platform and to modules module.json leaves open; exact versions and untracked modules stay', async () => {
    expect(await versionsOf(subjects(p.root, mods()))).to.deep.equal({
      '(platform)': ['1.1.0', 'vcs'],
      none: ['1.1.0', 'vcs'],
      dev: ['1.1.0', 'vcs'],
      exact: ['3.0.0', 'manifest'],
      untracked: [undefined, undefined],
      own: ['5.0.0', 'vcs'],
    });
  });

  it('asks git once per work tree, however many modules it holds', async () => {
    const shim = gitShim('log');
    try {
      await withPath(shim.dir, () => versionsOf(subjects(p.root, mods())));
      const describes = shim.calls().filter((c) => c.includes(' describe '));
      expect(describes).to.have.length(2);
      expect(shim.calls(), 'describe and ls-files in the platform, describe alone in the module with its own .git').to.have.length(3);
    } finally {
      shim.cleanup();
    }
  });

  it('commits after the tag give 1.1.0+N.g<commit>; a changed tracked file adds .dirty', async () => {
    p.write('modules/none/README', 'third\n');
    p.commit('third');
    const head = p.git(['rev-parse', 'HEAD']).trim();
    const after = await versionsOf(subjects(p.root, mods()));
    expect(after['(platform)']![0]).to.match(/^1\.1\.0\+1\.g[0-9a-f]{10,}$/);
    expect(head.startsWith(after['(platform)']![0]!.split('.g')[1]!)).to.equal(true);
    expect(after.none).to.deep.equal(after['(platform)']);
    p.write('modules/dev/module.json', manifest('dev', '2.0.1-dev'));
    const dirty = await versionsOf(subjects(p.root, mods()));
    expect(dirty.none![0]).to.equal(`${after.none![0]}.dirty`);
    expect(dirty.own, 'another work tree is not dirty').to.deep.equal(['5.0.0', 'vcs']);
    p.git(['checkout', '--', 'modules/dev/module.json']);
  });

  it('outside any work tree, without git, or when git hangs: module.json\'s versions stay', async () => {
    const outside = subjects(plain, { plain: [plain, undefined], exact: [plain, '1.0.0'] });
    expect(await versionsOf(outside)).to.deep.equal({ '(platform)': [undefined, undefined], plain: [undefined, undefined], exact: ['1.0.0', 'manifest'] });
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    const logs: LogEntry[] = [];
    try {
      expect((await versionsOf(subjects(p.root, mods()), logs)).dev).to.deep.equal(['2.0.0-dev', 'manifest']);
      expect(logs.some((l) => /git is not installed/.test(l.message))).to.equal(true);
    } finally {
      process.env.PATH = saved;
    }
    const hang = gitShim('hang');
    try {
      const r = await withPath(hang.dir, () => runGit(['-C', p.root, 'describe'], 300));
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.problem).to.match(/did not finish within 0\.3 s/);
    } finally {
      hang.cleanup();
    }
  });
});
