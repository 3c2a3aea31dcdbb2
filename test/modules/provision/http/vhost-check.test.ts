import { expect } from 'chai';
import { checkPort, checkSite, checkUpstream, redirectBase, vhostFile, webSettings } from '../../../../modules/provision/service/http/vhost-check.js';
import { expectCode } from '../../../harness/expect.js';
import { makeEnv, site, withConfig } from './helpers.js';
import { HOSTILE } from './suite.js';

describe('provision http: values checked before they reach a config file', () => {
  const made = makeEnv({ type: 'nginx', confDir: '/srv/web/conf', port: 8080 });
  const env = made.env;
  after(() => made.cleanup());

  it('a site keeps its domain and aliases, without duplicates or its own domain', () => {
    const v = checkSite(site('a.test', { aliases: ['www.a.test', 'www.a.test', 'b.test'], redirection: true }));
    expect(v).to.deep.equal({ domain: 'a.test', aliases: ['www.a.test', 'b.test'], redirection: true, enabled: true });
  });

  it('config-injection: every hostile domain and alias is ERR_CONTEXT_INVALID', async () => {
    for (const bad of HOSTILE) {
      await expectCode(() => checkSite(site(bad)), 'ERR_CONTEXT_INVALID');
      await expectCode(() => checkSite(site('a.test', { aliases: ['ok.test', bad] })), 'ERR_CONTEXT_INVALID');
      await expectCode(() => vhostFile(webSettings(env, { binary: '/usr/sbin/nginx', pidName: 'nginx.pid' }), bad), 'ERR_CONTEXT_INVALID');
    }
    await expectCode(() => checkSite({ name: 'a.test', aliases: 'b.test' as unknown as string[], redirection: false, enabled: true }), 'ERR_CONTEXT_INVALID');
  });

  it('config-injection: upstreams must be a safe socket path or a host name and integer port', async () => {
    expect(checkUpstream(env, { socket: '/run/aegir/app.sock' })).to.deep.equal({ socket: '/run/aegir/app.sock' });
    expect(checkUpstream(env, { host: '10.0.0.5', port: 8080 })).to.deep.equal({ host: '10.0.0.5', port: 8080 });
    for (const socket of ['/a.sock;', '/a.sock}', '/a b.sock', 'a.sock', '/x/../a.sock', '/a.sock\n', '/a:b.sock', '/a$b.sock', "/a'.sock"]) {
      await expectCode(() => checkUpstream(env, { socket }), 'ERR_SERVICE_FAILED');
    }
    for (const host of ['a.test;', 'a.test/', 'a test', 'a.test:80', '', 'a.test\n']) {
      await expectCode(() => checkUpstream(env, { host, port: 80 }), 'ERR_SERVICE_FAILED');
    }
    for (const port of [0, -1, 65536, 1.5, Number.NaN, '80;' as unknown as number]) {
      await expectCode(() => checkUpstream(env, { host: '127.0.0.1', port }), 'ERR_SERVICE_FAILED');
    }
  });

  it('ports are integers from 1 to 65535 (a string of digits counts)', () => {
    expect(checkPort(80)).to.equal(80);
    expect(checkPort('8080')).to.equal(8080);
    for (const bad of [0, 65536, 80.5, '80;', ' 80', '0x50', true, undefined]) expect(checkPort(bad), String(bad)).to.equal(undefined);
  });

  it('settings: defaults under confDir; every path, name and address checked', async () => {
    const s = webSettings(env, { binary: '/usr/sbin/nginx', pidName: 'nginx.pid' });
    expect(s).to.deep.include({ confDir: '/srv/web/conf', port: 8080, address: '*', pidFile: '/srv/web/conf/run/nginx.pid', binary: '/usr/sbin/nginx', logDir: '/srv/web/conf/log', user: undefined });
    expect(webSettings(withConfig(env, { type: 'nginx', confDir: '/c' }), { binary: '/b', pidName: 'p' }).port).to.equal(80);
    const bad = [
      { confDir: undefined }, { confDir: 'conf' }, { confDir: '/c;' }, { confDir: '/c/../etc' }, { pidFile: '/p id' }, { binary: '/usr/sbin/nginx;' },
      { logDir: '/l\nx' }, { port: '80 ' }, { port: 70000 }, { address: 'localhost' }, { address: '127.0.0.1;' }, { user: 'Root' }, { group: 'a b' }, { modulesDir: 'mods' },
    ];
    for (const b of bad) {
      await expectCode(() => webSettings(withConfig(env, { type: 'nginx', confDir: '/srv/web/conf', ...b }), { binary: '/b', pidName: 'p' }), 'ERR_CONTEXT_INVALID');
    }
  });

  it('vhost files are named after the domain; a domain too long for a file name gets a short, stable name', () => {
    const s = webSettings(env, { binary: '/b', pidName: 'p' });
    expect(vhostFile(s, 'a.test')).to.equal('/srv/web/conf/vhost.d/a.test.conf');
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.test`;
    const other = `${long.slice(0, -4)}tesx`;
    const name = vhostFile(s, long).split('/').pop()!;
    expect(name.length).to.be.at.most(255);
    expect(name).to.match(/^[a-z0-9.-]+-[0-9a-f]{16}\.conf$/);
    expect(vhostFile(s, long)).to.equal(vhostFile(s, long));
    expect(vhostFile(s, other)).to.not.equal(vhostFile(s, long));
  });

  it('redirects name the port unless it is 80', () => {
    const s = webSettings(env, { binary: '/b', pidName: 'p' });
    expect(redirectBase(s, 'a.test')).to.equal('http://a.test:8080');
    expect(redirectBase({ ...s, port: 80 }, 'a.test')).to.equal('http://a.test');
  });
});
