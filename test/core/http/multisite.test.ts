import { expect } from 'chai';
import type { ErrorCode } from '../../../core/errors/catalogue.js';
import type { Site } from '../../../core/site/site.js';
import { makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { h1Of, securityHeaderProblems, serve, webSite, type Served } from './client.js';

/** The site name each site shows on /webtest. */
const NAMES: Readonly<Record<string, string>> = { 'site.test': 'Site A', 'other.test': 'Site B', '8080.site.test': 'Site A on 8080' };

describe('multisite serving (sqlite)', () => {
  let tc: TestCodebase;
  const sites: Site[] = [];
  let served: Served;

  before(async () => {
    tc = makeCodebase();
    for (const dir of Object.keys(NAMES)) {
      const { site } = await webSite('sqlite', { tc, siteDir: dir });
      await site.config.set('system.site_name', NAMES[dir]!);
      sites.push(site);
    }
    served = await serve(tc);
  });
  after(async () => {
    await served.stop();
    for (const s of sites) await s.close();
    tc.cleanup();
  });

  const home = async (host: string): Promise<string> => {
    const r = await served.client(host).get('/webtest');
    expect(r.status, host).to.equal(200);
    return /<p class="webtest-home">Site (.*) says hello\.<\/p>/.exec(r.body)?.[1] ?? '';
  };

  it('answers each Host header with that site', async () => {
    expect(await home('site.test')).to.equal('Site A');
    expect(await home('other.test')).to.equal('Site B');
    expect(await home('SITE.TEST')).to.equal('Site A');
    expect(await home('site.test.')).to.equal('Site A');
    expect(JSON.parse((await served.client('other.test').get('/webtest/json')).body)).to.deep.include({ site: 'other.test' });
  });

  it('maps a Host with a port to the port-specific folder, other ports to the plain one', async () => {
    expect(await home('site.test:8080')).to.equal('Site A on 8080');
    expect(await home('site.test:8081')).to.equal('Site A');
    expect(await home('site.test:80')).to.equal('Site A');
  });

  it('a subdomain falls back to the parent domain\'s folder, as in Drupal', async () => {
    expect(await home('www.other.test')).to.equal('Site B');
  });

  /** Invalid Host headers, with what the 400 says is wrong. */
  const invalid: readonly [string, string][] = [
    ['site..test', 'empty label'],
    ['evil@site.test', 'contains "@"'],
    ['site.test/../other.test', 'contains "/"'],
    ['exa mple.test', 'contains " "'],
    ['site_test', 'contains "_"'],
    ['-site.test', 'the label "-site"'],
    ['site.test:99999', '"99999" after the ":" is not a port number'],
    ['site.test:8080:1', 'is not a port number'],
    ['[::1]:8080', 'IPv6'],
  ];
  for (const [host, says] of invalid) {
    it(`is a 400 that says what is wrong (ERR_HOST_INVALID) for the invalid Host ${JSON.stringify(host)}`, async () => {
      const r = await served.client(host).get('/webtest');
      expect(r.status).to.equal(400);
      expect(r.body).to.not.include('webtest-home');
      const code: ErrorCode = 'ERR_HOST_INVALID';
      expect(r.body).to.include(`(error code ${code})`);
      expect(r.body).to.include(`The Host header "${host}" is not a valid host name: `).and.include(says);
      expect(securityHeaderProblems(r)).to.deep.equal([]);
    });
  }

  it('is a 404 for a host no site answers when there is no default site', async () => {
    const r = await served.client('nowhere.example').get('/webtest');
    expect(r.status).to.equal(404);
    expect(r.body).to.not.include('webtest-home');
    expect(securityHeaderProblems(r)).to.deep.equal([]);
  });

  it('session cookies are per site: a cookie of site A means nothing on site B', async () => {
    const a = served.client('site.test');
    expect((await a.get('/webtest/login')).status).to.equal(303);
    expect(JSON.parse((await a.get('/webtest/json')).body)).to.deep.include({ site: 'site.test', uid: 4242 });
    const [nameA, token] = [...a.jar][0]!;
    // The same cookie sent to site B, as it is and under B's cookie name.
    const b = served.client('other.test');
    b.jar.set(nameA!, token!);
    expect(JSON.parse((await b.get('/webtest/json')).body)).to.deep.include({ site: 'other.test', uid: 0 });
    await b.get('/webtest/form');
    const nameB = [...b.jar.keys()].find((n) => n !== nameA)!;
    expect(nameB, 'site B uses a cookie name of its own').to.be.a('string').and.not.equal(nameA);
    b.jar.set(nameB, token!);
    expect(JSON.parse((await b.get('/webtest/json')).body)).to.deep.include({ site: 'other.test', uid: 0 });
    // Site A still knows its session.
    expect(JSON.parse((await a.get('/webtest/json')).body)).to.deep.include({ uid: 4242 });
  });

  it('each site shows its own title in the theme', async () => {
    const r = await served.client('other.test').get('/webtest');
    expect(h1Of(r.body)).to.equal('Webtest home');
    expect(r.body).to.include('| Site B</title>');
  });
});
