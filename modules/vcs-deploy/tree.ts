import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** A folder's real path (symlinks resolved), or undefined when it is gone. */
export function realDir(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch {
    return undefined;
  }
}

/**
 * The top level of the git work tree that holds a folder (given as a real
 * path): the nearest folder, from it upwards, with a `.git` (a folder, or
 * a file as in submodules and linked worktrees); undefined outside any.
 * This is where git itself starts (what `git rev-parse --show-toplevel`
 * would print), found without a process per module; git then runs once per
 * top level. A module with a `.git` of its own is its own work tree, even
 * inside a platform's.
 */
export function workTreeOf(real: string): string | undefined {
  for (let d = real; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** A path inside a work tree as git names it: relative to the top level, with "/". */
export function gitPath(top: string, path: string): string {
  return relative(top, path).split(sep).join('/');
}
