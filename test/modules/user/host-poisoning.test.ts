import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { mailFolder } from '../../../modules/user/mail.js';
import { folderAddress } from '../../../modules/user/mail-links.js';
import { makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { HttpClient, serveSite, type ServedSite } from '../../harness/http.js';
import { account } from './helpers.js';

describe('links in mail over HTTP (sqlite)', () => {
  let tc: TestCodebase;
  let s: ServedSite;
  before(async () => {
    tc = makeCodebase();
    // sites/site.test is also known as www.site.test.
    writeFileSync(join(tc.root, 'sites', 'sites.json'), JSON.stringify({ aliases: { 'www.site.test': 'site.test' } }));
    s = await serveSite({ tc });
    await account(s.site, 'victim');
  });
  after(async () => {
    await s.stop();
    tc.cleanup();
  });
  beforeEach(async () => {
    await s.site.db('flood').delete();
    await s.site.config.delete('user.base_url');
  });

  /** Ask for a reset of the victim's password with a Host header (and more headers); the start of the link mailed. */
  async function linkOrigin(host: string, headers: Record<string, string> = {}): Promise<string> {
    const before = new Set(readdirSyncSafe());
    const c = new HttpClient(s.port, host);
    const page = await c.get('/user/password', { headers });
    expect(page.status, `${host}: ${page.body.slice(0, 200)}`).to.equal(200);
    const token = /name="_token" value="([^"]+)"/.exec(page.body)![1]!;
    const r = await c.post('/user/password', { _token: token, name: 'victim' }, { headers });
    expect(r.status).to.equal(303);
    const fresh = readdirSyncSafe().filter((f) => !before.has(f));
    expect(fresh, `one mail for Host ${host}`).to.have.length(1);
    const text = readFileSync(join(mailFolder(s.site), fresh[0]!), 'utf8');
    const m = /(\S+)\/user\/reset\/\d+\/\d+\/[\w-]{43}/.exec(text);
    expect(m, text).to.not.equal(null);
    return m![1]!;
  }
  const readdirSyncSafe = (): string[] => { try { return readdirSync(mailFolder(s.site)); } catch { return []; } };

  it('host-poisoning: a reset asked for with Host evil.site.test or site.test:31337 mails a link to site.test', async () => {
    for (const host of ['evil.site.test', 'site.test:31337', 'attacker.example.site.test:8080', 'site.test']) {
      expect(await linkOrigin(host), host).to.equal('http://site.test');
    }
  });

  it('host-poisoning: forwarded headers from a client that is no trusted proxy change nothing', async () => {
    const origin = await linkOrigin('evil.site.test', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example' });
    expect(origin).to.equal('http://site.test');
  });

  it('a link names the alias the visitor used, and the default port folds away', async () => {
    expect(await linkOrigin('www.site.test')).to.equal('http://www.site.test');
    expect(await linkOrigin('WWW.Site.Test.:80')).to.equal('http://www.site.test');
  });

  it('a configured user.base_url is used whatever the Host', async () => {
    await s.site.config.set('user.base_url', 'https://accounts.example.org/');
    expect(await linkOrigin('evil.site.test')).to.equal('https://accounts.example.org');
    expect(await linkOrigin('www.site.test')).to.equal('https://accounts.example.org');
  });

  it('a folder name stands for its address (a leading label is a port); sites/default stands for none', () => {
    expect(folderAddress('site.test')).to.deep.equal({ host: 'site.test', path: [] });
    expect(folderAddress('8080.site.test')).to.deep.equal({ host: 'site.test', port: 8080, path: [] });
    expect(folderAddress('127.0.0.1')).to.deep.equal({ host: '127.0.0.1', path: [] });
    expect(folderAddress('localhost')).to.deep.equal({ host: 'localhost', path: [] });
    expect(folderAddress('default')).to.equal(undefined);
  });
});
