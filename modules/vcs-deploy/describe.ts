import semver from 'semver';

/**
 * What `git describe --tags --long --always --dirty` says about a work
 * tree: the nearest tag that looks like a version, how many commits HEAD is
 * past it, HEAD's abbreviated commit, and whether tracked files changed.
 */
export interface Described {
  /** The tag as git names it (`v1.2.0`), or undefined when no tag matched (git printed only the commit). */
  readonly tag: string | undefined;
  /** Commits from the tag to HEAD (0: HEAD is the tagged commit). */
  readonly distance: number;
  /** HEAD's abbreviated commit id. */
  readonly commit: string;
  /** Tracked files differ from HEAD. */
  readonly dirty: boolean;
}

/**
 * The arguments of `git describe` for a work tree: tags only if they look
 * like versions (`v1.2.0`, `1.2.0`, ...: git's own --match globs, checked
 * again as semver after), always the long form (so that a tag that itself
 * contains "-3-gabc" cannot be misread), the commit alone when no tag
 * matches, and `-dirty` when tracked files changed.
 */
export function describeArgs(top: string): string[] {
  return ['-C', top, 'describe', '--tags', '--long', '--always', '--dirty', '--abbrev=10', '--match', 'v[0-9]*', '--match', '[0-9]*'];
}

const LONG = /^(.+)-(\d+)-g([0-9a-f]{4,64})(-dirty)?$/;
const BARE = /^([0-9a-f]{4,64})(-dirty)?$/;

/** Read what `git describe` printed (see describeArgs); undefined when it is neither form. */
export function parseDescribe(output: string): Described | undefined {
  const line = output.trim();
  const long = LONG.exec(line);
  if (long) return { tag: long[1]!, distance: Number(long[2]), commit: long[3]!, dirty: !!long[4] };
  const bare = BARE.exec(line);
  if (bare) return { tag: undefined, distance: 0, commit: bare[1]!, dirty: !!bare[2] };
  return undefined;
}

/**
 * The version a description gives, or undefined when its tag is no
 * semantic version (after a leading "v" is dropped) or there is no tag.
 *
 * The format, chosen so that the `semver` package reads it and an upgrade
 * check can still order it:
 * - HEAD on the tag: the tag's version (`v1.2.0` → `1.2.0`);
 * - N commits past it: `1.2.0+N.g<commit>` (`1.2.0+3.gabc1234567`);
 * - tracked files changed: `.dirty` at the end of the build metadata
 *   (`1.2.0+dirty`, `1.2.0+3.gabc1234567.dirty`).
 *
 * The tag's own build metadata is dropped (semver ignores it, and the
 * distance must come first). Build metadata does not count in semver
 * precedence (1.2.0+3 and 1.2.0 are equal to `semver.compare`), so
 * `compareVersions` (compare.ts) orders equal versions by this distance.
 */
export function vcsVersion(d: Described): string | undefined {
  if (d.tag === undefined) return undefined;
  const parsed = semver.parse(d.tag.replace(/^v/, ''));
  if (!parsed) return undefined;
  const base = `${parsed.major}.${parsed.minor}.${parsed.patch}${parsed.prerelease.length ? `-${parsed.prerelease.join('.')}` : ''}`;
  const build = d.distance > 0 ? [String(d.distance), `g${d.commit}`] : [];
  if (d.dirty) build.push('dirty');
  return build.length ? `${base}+${build.join('.')}` : base;
}

/** The parts of a version's build metadata that vcsVersion wrote: commits past the tag, the commit, dirty. */
export function vcsBuild(version: string): { distance: number; commit: string | undefined; dirty: boolean } {
  const parsed = semver.parse(version);
  const build = parsed?.build ?? [];
  const distance = build.length >= 2 && /^\d+$/.test(build[0]!) && /^g[0-9a-f]+$/.test(build[1]!) ? Number(build[0]) : 0;
  return { distance, commit: distance > 0 ? build[1]!.slice(1) : undefined, dirty: build.includes('dirty') };
}
