import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../../harness/codebase.js';

/** A git repository made by a test, with helpers to change it. */
export interface TestRepo {
  readonly root: string;
  /** Run git in a folder of it (default: its root); its output. */
  git(args: readonly string[], cwd?: string): string;
  /** Write a file (folders made as needed). */
  write(path: string, text: string): void;
  /** Commit everything with a message. */
  commit(message: string, cwd?: string): void;
  cleanup(): void;
}

/** A module folder's manifest, without a version unless one is given. */
export function manifest(name: string, version?: string): string {
  return JSON.stringify({ name, description: `The ${name} test module.`, ...(version ? { version } : {}), dependencies: { system: '*' } }, null, 2) + '\n';
}

/** An empty git repository in a temporary folder. */
export function testRepo(prefix = 'aegir-vcs-'): TestRepo {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const git = (args: readonly string[], cwd = root): string =>
    execFileSync('git', ['-c', 'user.email=test@example.test', '-c', 'user.name=Test', '-c', 'init.defaultBranch=main', '-c', 'tag.gpgSign=false', '-c', 'commit.gpgSign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git(['init', '--quiet']);
  return {
    root,
    git,
    write(path, text) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    commit(message, cwd = root) {
      git(['add', '-A'], cwd);
      git(['commit', '--quiet', '-m', message], cwd);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A codebase of this framework in a git repository: core, themes, bin,
 * profiles and node_modules as symlinks into this repository, modules/ a
 * real folder of symlinks to each real module, and `extra` modules of
 * its own (real folders, module.json without a version unless given).
 */
export function codebaseRepo(extra: Readonly<Record<string, string | undefined>>): TestRepo {
  const r = testRepo('aegir-vcs-cb-');
  for (const d of ['core', 'themes', 'bin', 'profiles', 'node_modules']) symlinkSync(join(REPO, d), join(r.root, d));
  mkdirSync(join(r.root, 'modules'));
  for (const m of readdirSync(join(REPO, 'modules'))) symlinkSync(join(REPO, 'modules', m), join(r.root, 'modules', m));
  for (const [name, version] of Object.entries(extra)) {
    r.write(`modules/${name}/module.json`, manifest(name, version));
    r.write(`modules/${name}/index.ts`, 'export default {};\n');
  }
  // As in this repository: module entries are ES modules.
  r.write('package.json', '{ "private": true, "type": "module" }\n');
  r.write('sites/.gitkeep', '');
  r.write('.gitignore', '/sites/*/\n');
  r.commit('codebase');
  return r;
}
