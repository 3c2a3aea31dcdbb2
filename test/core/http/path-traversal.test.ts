import { expect } from 'chai';
import { mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../../../core/site/site.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { securityHeaderProblems, serve, webSite, type Client, type Served } from './client.js';

/** Text that only the protected files hold: if a reply contains one, a file leaked. */
const MARKERS = {
  themeJson: 'The administration theme',
  appSource: 'export function createApp',
  otherFile: 'secret of the other site',
  settings: '"database"',
  packageJson: '"devDependencies"',
};

describe('static files (sqlite)', () => {
  let tc: TestCodebase;
  const sites: Site[] = [];
  let served: Served;
  let c: Client;

  before(async () => {
    tc = makeCodebase();
    for (const dir of ['site.test', 'other.test']) sites.push((await webSite('sqlite', { tc, siteDir: dir })).site);
    for (const s of sites) mkdirSync(s.paths.files, { recursive: true });
    writeFileSync(join(sites[0]!.paths.files, 'hello.txt'), 'hello from the public files\n');
    writeFileSync(join(sites[0]!.paths.files, '.hidden'), 'a dotfile\n');
    writeFileSync(join(sites[1]!.paths.files, 'x.txt'), `${MARKERS.otherFile}\n`);
    served = await serve(tc);
  });
  after(async () => {
    await served.stop();
    for (const s of sites) await s.close();
    tc.cleanup();
  });
  beforeEach(() => {
    c = served.client('site.test');
  });

  it('serves a theme asset with its type', async () => {
    const r = await c.get('/themes/admin/assets/admin.css');
    expect(r.status).to.equal(200);
    expect(r.headers['content-type']).to.match(/^text\/css/);
    expect(r.body).to.equal(readFileSync(join(REPO, 'themes', 'admin', 'assets', 'admin.css'), 'utf8'));
    expect(securityHeaderProblems(r)).to.deep.equal([]);
  });

  it('serves a public file of the site', async () => {
    const r = await c.get('/sites/site.test/files/hello.txt');
    expect(r.status).to.equal(200);
    expect(r.body).to.equal('hello from the public files\n');
    expect(securityHeaderProblems(r)).to.deep.equal([]);
    const other = await served.client('other.test').get('/sites/other.test/files/x.txt');
    expect(other.status).to.equal(200);
    expect(other.body).to.include(MARKERS.otherFile);
  });

  it('symlink-escape: never follows a link out of the files folder (to a file, or through a linked folder), and does follow one inside it', async () => {
    const files = sites[0]!.paths.files;
    symlinkSync('/etc/passwd', join(files, 'passwd'));
    symlinkSync('/etc', join(files, 'etc'));
    symlinkSync(join(sites[1]!.paths.files, 'x.txt'), join(files, 'theirs.txt'));
    symlinkSync('../settings.json', join(files, 'settings.json'));
    symlinkSync('hello.txt', join(files, 'alias.txt'));
    try {
      for (const path of ['passwd', 'etc/passwd', 'etc/hostname', 'theirs.txt', 'settings.json']) {
        const r = await c.get(`/sites/site.test/files/${path}`);
        expect(r.status, path).to.equal(404);
        expect(r.body, path).to.not.match(/root:|secret of the other site|"database"/);
      }
      const inside = await c.get('/sites/site.test/files/alias.txt');
      expect(inside.status).to.equal(200);
      expect(inside.body).to.equal('hello from the public files\n');
    } finally {
      for (const n of ['passwd', 'etc', 'theirs.txt', 'settings.json', 'alias.txt']) unlinkSync(join(files, n));
    }
  });

  it('never serves a dotfile from the public files', async () => {
    const r = await c.get('/sites/site.test/files/.hidden');
    expect(r.status).to.be.within(400, 404);
    expect(r.body).to.not.include('a dotfile');
  });

  const attacks: readonly (readonly [string, string])[] = [
    ['/themes/admin/assets/../theme.json', MARKERS.themeJson],
    ['/themes/admin/assets/%2e%2e/theme.json', MARKERS.themeJson],
    ['/themes/admin/assets/%2E%2E/theme.json', MARKERS.themeJson],
    ['/themes/admin/assets/..%2ftheme.json', MARKERS.themeJson],
    ['/themes/admin/assets/..%5ctheme.json', MARKERS.themeJson],
    ['/themes/admin/assets/%2e%2e%2f%2e%2e%2f..%2fcore%2fhttp%2fapp.ts', MARKERS.appSource],
    ['/themes/admin/assets/....//theme.json', MARKERS.themeJson],
    ['/themes/admin/theme.json', MARKERS.themeJson],
    ['/themes/../core/http/app.ts', MARKERS.appSource],
    ['/themes/%2e%2e/core/http/app.ts', MARKERS.appSource],
    ['/themes/..%2fcore/assets/../http/app.ts', MARKERS.appSource],
    ['/themes/admin/assets/../../../package.json', MARKERS.packageJson],
    ['/core/http/app.ts', MARKERS.appSource],
    ['/sites/other.test/files/x.txt', MARKERS.otherFile],
    ['/sites/site.test/files/../../other.test/files/x.txt', MARKERS.otherFile],
    ['/sites/site.test/files/%2e%2e/%2e%2e/other.test/files/x.txt', MARKERS.otherFile],
    ['/sites/site.test/files/..%2f..%2fother.test%2ffiles%2fx.txt', MARKERS.otherFile],
    ['/sites/site.test/files/../settings.json', MARKERS.settings],
    ['/sites/site.test/files/%2e%2e/settings.json', MARKERS.settings],
    ['/sites/site.test/files/%252e%252e/settings.json', MARKERS.settings],
    ['/sites/site.test/files/..%00/settings.json', MARKERS.settings],
    ['/sites/site.test/settings.json', MARKERS.settings],
    ['/sites/site.test/private/site.sqlite', 'SQLite format'],
    ['/sites/site.test/files/../private/site.sqlite', 'SQLite format'],
  ];
  for (const [path, marker] of attacks) {
    it(`path-traversal: ${path} is not served`, async () => {
      const r = await c.get(path);
      expect(r.status, r.body.slice(0, 200)).to.be.within(400, 404);
      expect(r.body).to.not.include(marker);
      expect(securityHeaderProblems(r)).to.deep.equal([]);
    });
  }

  it('path-traversal: no attempt is logged as a server error', async () => {
    const before = tc.logs.length;
    for (const [path] of attacks) await c.get(path);
    expect(tc.logs.slice(before).filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal([]);
  });

  it('path-traversal: a theme name that is not a machine name is not looked up', async () => {
    for (const path of ['/themes/..%2fadmin/assets/admin.css', '/themes/%2e%2e/assets/admin.css', '/themes/ADMIN/assets/admin.css']) {
      const r = await c.get(path);
      expect(r.status, path).to.be.within(400, 404);
    }
  });
});
