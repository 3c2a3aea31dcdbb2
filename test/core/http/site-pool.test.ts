import { expect } from 'chai';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../../../core/site/site.js';
import { makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { serve, webSite, type Served } from './client.js';

describe('a serving process notices a replaced settings file (sqlite)', () => {
  let tc: TestCodebase;
  const sites: Site[] = [];
  let served: Served;

  before(async () => {
    tc = makeCodebase();
    for (const [dir, name] of [['swap.test', 'First'], ['spare.test', 'Second']] as const) {
      const { site } = await webSite('sqlite', { tc, siteDir: dir });
      await site.config.set('system.site_name', name);
      sites.push(site);
    }
    served = await serve(tc);
  });
  after(async () => {
    await served.stop();
    for (const s of sites) await s.close();
    tc.cleanup();
  });

  const home = async (host: string): Promise<{ status: number; name: string }> => {
    const r = await served.client(host).get('/webtest');
    return { status: r.status, name: /<p class="webtest-home">Site (.*) says hello\.<\/p>/.exec(r.body)?.[1] ?? '' };
  };

  it('serves the database the new settings name at the very next request, and is a 404 once they are gone', async () => {
    expect(await home('swap.test')).to.deep.equal({ status: 200, name: 'First' });
    // What a migrate to another database does: the same folder, settings that name another database.
    const dir = join(tc.root, 'sites', 'swap.test');
    const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { database: { file: string } };
    const from = join(tc.root, 'sites', 'spare.test', settings.database.file);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(from + suffix)) copyFileSync(from + suffix, join(dir, 'private', 'moved.sqlite') + suffix);
    }
    settings.database.file = 'private/moved.sqlite';
    writeFileSync(join(dir, 'settings.json.new'), JSON.stringify(settings));
    renameSync(join(dir, 'settings.json.new'), join(dir, 'settings.json'));
    expect(await home('swap.test')).to.deep.equal({ status: 200, name: 'Second' });
    expect(await home('spare.test')).to.deep.equal({ status: 200, name: 'Second' });
    rmSync(join(dir, 'settings.json'));
    expect((await home('swap.test')).status).to.equal(404);
    expect(await home('spare.test')).to.deep.equal({ status: 200, name: 'Second' });
  });
});
