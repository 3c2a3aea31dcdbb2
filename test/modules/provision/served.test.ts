import { expect } from 'chai';
import { join } from 'node:path';
import { getWithHost } from '../../../modules/provision/tasks/checks.js';
import { show } from '../../cli/run-helper.js';
import { apacheServer } from '../../harness/apache.js';
import { nginxServer, type TestWebServer } from '../../harness/nginx.js';
import { provisionEnv, type ProvisionEnv } from './env.js';

const SERVERS: readonly { type: 'builtin' | 'nginx' | 'apache'; start?: () => Promise<TestWebServer> }[] = [
  { type: 'builtin' },
  { type: 'nginx', start: nginxServer },
  { type: 'apache', start: apacheServer },
];

for (const s of SERVERS) {
  describe(`sites served through ${s.type}`, function () {
    this.timeout(120_000);
    let pe: ProvisionEnv;
    let web: TestWebServer | undefined;
    before(async () => {
      web = s.start ? await s.start() : undefined;
      pe = await provisionEnv('sqlite', web ? { http: { type: s.type, settings: web.config, port: web.port, runDir: join(web.dir, 'run') } } : {});
      await web?.start();
    });
    after(async () => {
      await pe.stop();
      await web?.stop();
    });

    it('a request with the site\'s Host header returns the site\'s own page; aliases, redirection, disabling and deleting work', async () => {
      for (const [name, extra] of [['first.test', ['--aliases=www.first.test']], ['second.test', ['--aliases=old.second.test', '--redirection']]] as const) {
        const r0 = await pe.aegir(['provision-save', `@${name}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=standard', ...extra]);
        expect(r0.code, show(r0)).to.equal(0);
        const r = await pe.aegir([`@${name}`, 'provision-install']);
        expect(r.code, show(r)).to.equal(0);
      }
      const first = await getWithHost('127.0.0.1', pe.proxyPort, 'first.test');
      const second = await getWithHost('127.0.0.1', pe.proxyPort, 'second.test');
      expect(first.status).to.equal(200);
      expect(first.body).to.match(/<title>[^<]*\| first\.test<\/title>/);
      expect(second.body).to.match(/<title>[^<]*\| second\.test<\/title>/);
      expect((await getWithHost('127.0.0.1', pe.proxyPort, 'www.first.test')).body).to.match(/\| first\.test<\/title>/);
      const redirected = await getWithHost('127.0.0.1', pe.proxyPort, 'old.second.test', '/node?page=2');
      expect(redirected.status).to.equal(301);
      expect(await pe.status('unknown.test')).to.equal(404);
      expect((await pe.aegir(['@first.test', 'provision-disable'])).code).to.equal(0);
      expect(await pe.status('first.test')).to.equal(503);
      expect(await pe.status('second.test')).to.equal(200);
      expect((await pe.aegir(['@first.test', 'provision-enable'])).code).to.equal(0);
      expect(await pe.status('first.test')).to.equal(200);
      expect((await pe.aegir(['@second.test', 'provision-delete'])).code).to.equal(0);
      expect(await pe.status('second.test')).to.equal(404);
      expect(await pe.status('first.test')).to.equal(200);
    });
  });
}
