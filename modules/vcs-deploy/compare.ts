import semver from 'semver';
import { vcsBuild } from './describe.js';

/** How a module's version on a target compares with its version now. */
export type VersionChange = 'upgrade' | 'same' | 'downgrade' | 'unknown';

/**
 * Compare a module's version now (`from`) with its version on a target
 * (`to`): semver precedence first (1.1.0 → 1.2.0 is an upgrade,
 * 1.2.0-beta.1 → 1.2.0 too); where that is equal, the commits past the tag
 * that vcs_deploy writes in the build metadata (`1.2.0+3.gabc…`, see
 * vcsVersion): more commits past the same tag is an upgrade, fewer a
 * downgrade (1.2.0 → 1.2.0+3.gabc is an upgrade). As many commits past the
 * same tag but another commit is 'unknown' (the trees diverged, git cannot
 * order them), as is a missing or invalid version on either side. A dirty
 * tree changes nothing in the order.
 */
export function compareVersions(from: string | null | undefined, to: string | null | undefined): VersionChange {
  if (!from || !to || !semver.valid(from) || !semver.valid(to)) return 'unknown';
  const c = semver.compare(to, from);
  if (c > 0) return 'upgrade';
  if (c < 0) return 'downgrade';
  const a = vcsBuild(from);
  const b = vcsBuild(to);
  if (b.distance > a.distance) return 'upgrade';
  if (b.distance < a.distance) return 'downgrade';
  return a.commit !== b.commit ? 'unknown' : 'same';
}
