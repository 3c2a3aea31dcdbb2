import { expect } from 'chai';
import { platformRootProblem, type RootChecks } from '../../../modules/provision/context/platform-root.js';

const checks: RootChecks = {
  server: 'server_master', local: true, home: '/var/aegir', codebase: '/var/aegir/hostmaster',
  platforms: [{ name: 'platform_a', root: '/var/aegir/platforms/a', server: 'server_master' }, { name: 'platform_far', root: '/srv/far', server: 'server_other' }],
};

describe('platform roots (platformRootProblem)', () => {
  const refused: [string, RegExp][] = [
    ['/', /root folder/], ['/etc', /system folder \/etc/], ['/usr', /system folder/], ['/usr/local/', /system folder \/usr\/local$/],
    ['/var/lib', /system folder/], ['/tmp', /system folder/], ['/home/bob', /home folder of a user/], ['/root', /system folder/],
    ['/var/aegir', /is the Aegir home/], ['/var', /system folder/], ['/var/aegir/secrets', /secrets\/ folder/], ['/var/aegir/backups/x', /backups\/ folder/],
    ['/var/aegir/platforms/a', /already the root of @platform_a/], ['/var/aegir/platforms', /holds the platform @platform_a/],
    ['/var/aegir/platforms/a/sites', /inside the platform @platform_a/],
  ];
  for (const [root, why] of refused) {
    it(`refuses ${root}`, () => {
      expect(platformRootProblem(root, checks)).to.match(why);
    });
  }

  it('refuses a folder that holds the hostmaster\'s codebase and the Aegir home', () => {
    expect(platformRootProblem('/data/hosting', { ...checks, home: '/data/hosting/aegir', codebase: '/data/hosting/aegir/hostmaster' })).to.match(/holds the Aegir home/);
    expect(platformRootProblem('/opt/code', { ...checks, codebase: '/opt/code/hostmaster' })).to.match(/holds the hostmaster's codebase/);
  });

  it('accepts a folder of its own, the hostmaster\'s codebase itself, and roots that only look alike', () => {
    for (const root of ['/var/aegir/platforms/b', '/var/aegir/hostmaster', '/var/aegir/platforms/ab', '/srv/far', '/home/bob/platforms/x', '/var/www/site1']) {
      expect(platformRootProblem(root, checks), root).to.equal(undefined);
    }
  });

  it('checks the Aegir home and the codebase only for this machine: on another server only its platforms count', () => {
    const remote: RootChecks = { ...checks, server: 'server_other', local: false };
    expect(platformRootProblem('/var/aegir', remote)).to.equal(undefined);
    expect(platformRootProblem('/srv/far/x', remote)).to.match(/inside the platform @platform_far/);
    expect(platformRootProblem('/etc', remote)).to.match(/system folder/);
  });
});
