import { expect } from 'chai';
import semver from 'semver';
import { compareVersions, type VersionChange } from '../../../modules/vcs-deploy/compare.js';
import { parseDescribe, vcsBuild, vcsVersion } from '../../../modules/vcs-deploy/describe.js';

describe('vcs_deploy: versions from git describe, and how they compare', () => {
  const cases: [string, string | undefined][] = [
    ['v1.1.0-0-g0123456789', '1.1.0'],
    ['1.1.0-0-g0123456789', '1.1.0'],
    ['v1.1.0-3-gabc1234567', '1.1.0+3.gabc1234567'],
    ['v1.1.0-0-g0123456789-dirty', '1.1.0+dirty'],
    ['v1.1.0-3-gabc1234567-dirty', '1.1.0+3.gabc1234567.dirty'],
    ['v2.0.0-beta.1-2-gabcdef0123', '2.0.0-beta.1+2.gabcdef0123'],
    // A tag with build metadata of its own: dropped (semver ignores it), the distance comes first.
    ['v1.0.0+build.7-1-gabcdef0123', '1.0.0+1.gabcdef0123'],
    // A tag that itself holds "-N-g...": the long form is read from the right.
    ['v1.0.0-rc-1-gdeadbeef00-4-gabcdef0123', '1.0.0-rc-1-gdeadbeef00+4.gabcdef0123'],
    // No version tag: git printed only the commit, or a tag that is no semantic version.
    ['abcdef0123', undefined],
    ['abcdef0123-dirty', undefined],
    ['v2024-01-5-gabcdef0123', undefined],
  ];
  for (const [out, want] of cases) {
    it(`"${out}" gives ${want ?? 'no version'}`, () => {
      const d = parseDescribe(`${out}\n`);
      expect(d, 'parsed').to.not.equal(undefined);
      expect(vcsVersion(d!)).to.equal(want);
      if (want) expect(semver.valid(want), 'semver reads it').to.not.equal(null);
    });
  }

  it('output of neither form is no description', () => {
    for (const bad of ['', 'fatal: not a git repository', 'v1.0.0', 'xyz-1-gnothex']) expect(parseDescribe(bad)).to.equal(undefined);
  });

  it('reads back the commits past the tag, the commit and dirtiness from a version it wrote', () => {
    expect(vcsBuild('1.1.0+3.gabc1234567.dirty')).to.deep.equal({ distance: 3, commit: 'abc1234567', dirty: true });
    expect(vcsBuild('1.1.0+dirty')).to.deep.equal({ distance: 0, commit: undefined, dirty: true });
    expect(vcsBuild('1.1.0')).to.deep.equal({ distance: 0, commit: undefined, dirty: false });
    expect(vcsBuild('1.1.0+build.5')).to.deep.equal({ distance: 0, commit: undefined, dirty: false });
  });

  const table: [string | null, string | null, VersionChange][] = [
    ['1.0.0', '1.1.0', 'upgrade'],
    ['1.1.0', '1.0.0', 'downgrade'],
    ['1.1.0', '1.1.0', 'same'],
    ['1.2.0-beta.1', '1.2.0', 'upgrade'],
    // Past the same tag: more commits is newer, though semver alone calls them equal.
    ['1.1.0', '1.1.0+3.gabc1234567', 'upgrade'],
    ['1.1.0+3.gabc1234567', '1.1.0', 'downgrade'],
    ['1.1.0+3.gabc1234567', '1.1.0+5.gdef1234567', 'upgrade'],
    ['1.1.0+3.gabc1234567', '1.2.0', 'upgrade'],
    ['1.1.0+3.gabc1234567', '1.0.0+9.gdef1234567', 'downgrade'],
    // A dirty tree changes nothing in the order.
    ['1.1.0+dirty', '1.1.0', 'same'],
    ['1.1.0+3.gabc1234567', '1.1.0+3.gabc1234567.dirty', 'same'],
    // As far past the same tag on another commit: the trees diverged.
    ['1.1.0+3.gabc1234567', '1.1.0+3.gdef1234567', 'unknown'],
    [null, '1.0.0', 'unknown'],
    ['1.0.0', null, 'unknown'],
    ['1.0', '1.0.0', 'unknown'],
  ];
  for (const [from, to, want] of table) {
    it(`${from ?? 'unknown'} → ${to ?? 'unknown'} is ${want}`, () => expect(compareVersions(from, to)).to.equal(want));
  }
});
