import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../harness/codebase.js';

/** A git repository holding a codebase (its folders as symlinks into this repository, node_modules included), tagged v1; the caller removes it. */
export function codebaseRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'aegir-git-'));
  for (const d of ['core', 'modules', 'profiles', 'themes', 'bin', 'node_modules']) symlinkSync(join(REPO, d), join(repo, d));
  mkdirSync(join(repo, 'sites'));
  writeFileSync(join(repo, 'sites', '.gitkeep'), '');
  const git = (...args: string[]): void => { execFileSync('git', ['-c', 'user.email=test@example.test', '-c', 'user.name=Test', ...args], { cwd: repo, stdio: 'ignore' }); };
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'codebase');
  git('tag', 'v1');
  return repo;
}
