import semver from 'semver';
import type { VersionSubject, VersionsEvent } from '../system/hooks.js';
import { describeArgs, parseDescribe, vcsVersion } from './describe.js';
import { runGit } from './git.js';
import { gitPath, realDir, workTreeOf } from './tree.js';

/** Work trees asked at once: a codebase of many modules with a .git each must not start a process per module at once. */
const PARALLEL = 4;

/** Whether git may tell a subject's version: the platform always; a module or profile whose module.json gives none, or a prerelease (1.2.0-dev), that no module changed before. */
export function wantsVcs(s: VersionSubject): boolean {
  if (s.versionOrigin !== undefined && s.versionOrigin !== 'manifest') return false;
  return s.type === 'platform' || s.manifestVersion === undefined || semver.prerelease(s.manifestVersion) !== null;
}

interface Member {
  readonly subject: VersionSubject;
  /** Its module.json as git names it from the top level (none for the platform). */
  readonly manifest: string | undefined;
}

/**
 * `system.versions` of vcs_deploy: for the subjects module.json leaves
 * open, the version git describes (see vcsVersion for the format), asked
 * once per work tree. A module inside a larger tree counts only where git
 * tracks its module.json (a module copied untracked into a platform's
 * tree is not the platform's version); a module at the top of its own
 * tree, and the platform, are their tree's version. No git, no
 * work tree, no version tag, a git that fails or times out: the subject
 * stays as module.json says (said at debug level, never an error).
 */
export async function vcsVersions(e: VersionsEvent): Promise<void> {
  const trees = new Map<string, Member[]>();
  for (const subject of e.subjects.filter(wantsVcs)) {
    const real = realDir(subject.dir);
    const top = real && workTreeOf(real);
    if (!real || !top) continue;
    const list = trees.get(top) ?? [];
    list.push({ subject, manifest: subject.type === 'platform' ? undefined : gitPath(top, `${real}/module.json`) });
    trees.set(top, list);
  }
  const queue = [...trees];
  let gitMissing = false;
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next && !gitMissing; next = queue.shift()) {
      const [top, members] = next;
      // A module at the top of a tree of its own (a contrib module cloned with its .git) is that tree: no ls-files for it.
      const manifests = members.flatMap((m) => (m.manifest !== undefined && m.manifest !== 'module.json' ? [m.manifest] : []));
      const [described, listed] = await Promise.all([
        runGit(describeArgs(top)),
        manifests.length ? runGit(['-C', top, '--literal-pathspecs', 'ls-files', '-z', '--', ...manifests]) : Promise.resolve(undefined),
      ]);
      if (!described.ok) {
        gitMissing ||= described.missing;
        e.logger.debug(`vcs_deploy: no version from git for ${top}: ${described.problem}.`);
        continue;
      }
      const version = vcsVersion(parseDescribe(described.stdout) ?? { tag: undefined, distance: 0, commit: '', dirty: false });
      if (!version) {
        e.logger.debug(`vcs_deploy: ${top} has no version tag (git describe: ${described.stdout.trim()}); module.json's versions stay.`);
        continue;
      }
      const tracked = new Set(listed?.ok ? listed.stdout.split('\0').filter(Boolean) : []);
      for (const m of members) {
        if (m.manifest !== undefined && m.manifest !== 'module.json' && !tracked.has(m.manifest)) continue;
        m.subject.version = version;
        m.subject.versionOrigin = 'vcs';
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
}
