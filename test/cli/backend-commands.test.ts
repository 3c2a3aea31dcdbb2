import { expect } from 'chai';
import { installTestSite, makeCodebase, type TestCodebase } from '../harness/codebase.js';
import { cli, json, show } from './run-helper.js';

describe('global modules and backend commands', () => {
  let tc: TestCodebase;
  beforeEach(() => { tc = makeCodebase(); });
  afterEach(() => tc.cleanup());

  it('runs a backend command on an @context name that is no site address, without any site', async () => {
    const r = await cli(tc.root, ['@server_master', 'probe-backend', '--note=hi', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    expect(json(r)).to.deep.equal({ alias: 'server_master', site: null, note: 'hi' });
  });

  it('checks a backend command\'s options like any other', async () => {
    const r = await cli(tc.root, ['@server_master', 'probe-backend', '--nope']);
    expect(r.code, show(r)).to.equal(2);
    expect(r.stderr).to.include('ERR_CLI_OPTION_UNKNOWN');
  });

  it('offers a global module\'s commands on a site that has not enabled it', async () => {
    const site = await installTestSite(tc, 'sqlite');
    await site.close();
    const r = await cli(tc.root, ['--uri=site.test', 'probe-anywhere', '--format=json']);
    expect(r.code, show(r)).to.equal(0);
    expect(json(r)).to.deep.equal({ site: 'site.test' });
    const listed = await cli(tc.root, ['--uri=site.test', 'help', '--format=json']);
    expect(json<string[]>(listed)).to.include.members(['probe-backend', 'probe-anywhere', 'pm-list']);
  });
});
