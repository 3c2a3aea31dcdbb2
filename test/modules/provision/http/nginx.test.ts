import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nginxHttp } from '../../../../modules/provision/service/http/nginx.js';
import { expectCode } from '../../../harness/expect.js';
import { nginxServer, type TestWebServer } from '../../../harness/nginx.js';
import { get, makeEnv, PLATFORM, site, startUpstreams, type Upstreams } from './helpers.js';
import { webServerSuite } from './suite.js';

describe('provision http service: nginx (real nginx on loopback)', () => {
  webServerSuite(nginxHttp, nginxServer);

  describe('an upstream the config test rejects', () => {
    let web: TestWebServer;
    let up: Upstreams;
    let cleanup: () => void;

    after(async () => {
      await web?.stop();
      await up?.stop();
      cleanup?.();
    });

    it('a host nginx cannot resolve fails the test; the previous vhost stays and is served', async () => {
      web = await nginxServer();
      const made = makeEnv(web.config);
      cleanup = made.cleanup;
      up = await startUpstreams();
      await nginxHttp.verify(made.env);
      await web.start();
      await nginxHttp.writeSite(made.env, site('dns.test'), PLATFORM, { socket: up.socket });
      const file = join(web.confDir, 'vhost.d', 'dns.test.conf');
      const previous = readFileSync(file, 'utf8');
      const e = await expectCode(nginxHttp.writeSite(made.env, site('dns.test'), PLATFORM, { host: 'no-such-host.invalid', port: 80 }), 'ERR_SERVICE_FAILED');
      expect(String(e.facts.problem)).to.contain('no-such-host.invalid');
      expect(readFileSync(file, 'utf8')).to.equal(previous);
      const r = await get(web.port, 'dns.test');
      expect(r.status).to.equal(200);
      expect(r.body).to.contain('upstream=socket');
    });
  });
});
