/**
 * The hosting objects through their node forms over HTTP, on the served
 * hostmaster: the serving process runs the queue's dispatcher itself
 * (site.serving), so a server, a platform and a site made on their forms
 * are verified and installed without anything else running. What the back
 * end would refuse is refused on the form, at the field.
 */
import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mariadb } from '../../harness/mariadb.js';
import { createApp } from '../../../core/http/app.js';
import { listen, type Running } from '../../../core/http/server.js';
import { loadNode } from '../../../modules/node/storage.js';
import { show } from '../../cli/run-helper.js';
import { HttpClient, linkThemes, type Fields } from '../../harness/http.js';
import { fieldError, nidOf } from '../node/http-helpers.js';
import { hostmasterEnv, type HostmasterEnv } from './env.js';

describe('hosting objects on their node forms over HTTP, the served hostmaster running the queue (sqlite)', function () {
  this.timeout(300_000);
  let h: HostmasterEnv;
  let running: Running;
  let stopPool: () => Promise<void>;
  let admin: HttpClient;
  const PASS = 'Hosting-Test-Pass-1234';
  const ids: Record<string, number> = {};

  before(async () => {
    h = await hostmasterEnv('sqlite');
    linkThemes(h.pe.backend);
    const pw = await h.pe.aegir(['--uri=hostmaster.test', 'user-password', 'admin', '--password-file=-'], {});
    void pw;
    const set = await (await import('../../cli/run-helper.js')).cli(h.pe.backend.root, ['--uri=hostmaster.test', 'user-password', 'admin', '--password-file=-'], { env: { ...process.env, AEGIR_HOME: h.pe.home }, stdin: PASS });
    expect(set.code, show(set)).to.equal(0);
    // The serving process of the hostmaster: its dispatcher uses this back end.
    process.env.AEGIR_HOME = h.pe.home;
    const { app, pool } = createApp({ codebase: h.pe.backend.codebase, logger: h.site.logger });
    running = await listen(app, { port: 0, host: '127.0.0.1' });
    stopPool = () => pool.closeAll();
    admin = new HttpClient(Number(new URL(running.where).port), 'hostmaster.test');
    const r = await admin.postForm('/user/login', { name: 'admin', pass: PASS });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
  });
  after(async () => {
    await running?.stop(1000);
    await stopPool?.();
    delete process.env.AEGIR_HOME;
    await h?.stop();
  });

  const add = async (type: string, fields: Fields) => admin.postForm(`/node/add/${type}`, fields);

  it('a server and a platform made on their forms are verified by the serving process\'s dispatcher', async () => {
    const server = JSON.parse((await import('node:fs')).readFileSync(join(h.pe.home, 'contexts', 'server_master.json'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const settings = (k: string): string => Object.entries(server.services[k] ?? {}).filter(([n]) => n !== 'type').map(([n, v]) => `${n}=${String(v)}`).join(',');
    const bad = await add('server', { title: 'Master', context: 'Server Master', host: 'a host;rm', ssh_user: '', ssh_port: '', http: 'builtin', http_settings: 'port=1;x', db: 'sqlite', db_settings: '', app: 'builtin', app_settings: '', status: '1' });
    expect(bad.status).to.equal(422);
    for (const f of ['context', 'host', 'http_settings']) expect(fieldError(bad.body, 'node-server-form', f), f).to.be.a('string').and.not.equal('');
    const s = await add('server', { title: 'Master', context: 'server_master', host: 'localhost', ssh_user: '', ssh_port: '', http: 'builtin', http_settings: settings('http'), db: 'sqlite', db_settings: '', app: 'builtin', app_settings: settings('app'), status: '1' });
    expect(s.status, s.body.slice(0, 500)).to.equal(303);
    ids.server = nidOf(s.location);
    const p = await add('platform', { title: 'Test platform', context: 'platform_test', server: String(ids.server), root: h.pe.platform.root, git_url: '', git_ref: '', status: '1' });
    expect(p.status, p.body.slice(0, 500)).to.equal(303);
    ids.platform = nidOf(p.location);
    for (const n of [ids.server, ids.platform]) expect(await h.ended(await h.lastTask(n!)), await h.logOf(await h.lastTask(n!))).to.equal('success');
    // The platform's node page shows its state from its table.
    expect(((await loadNode(h.site, ids.platform!))!.extra.hosting as { status: string }).status).to.equal('verified');
  });

  it('a site form refuses, at the field, what the back end would refuse; a good one is installed and served', async () => {
    const site = (over: Record<string, string>): Fields => ({ title: 'web.test', aliases: '', platform: String(ids.platform), db_server: String(ids.server), profile: 'minimal', client: '', status: '1', ...over });
    const cases: [Record<string, string>, string][] = [
      [{ title: 'not a domain!' }, 'title'],
      [{ aliases: 'ok.test\nbad alias' }, 'aliases'],
      [{ aliases: 'web.test' }, 'aliases'],
      [{ profile: 'nosuch' }, 'profile'],
      [{ profile: 'Not-A-Machine-Name' }, 'profile'],
    ];
    for (const [over, field] of cases) {
      const r = await add('site', site(over));
      expect(r.status, `${JSON.stringify(over)}: ${r.body.slice(0, 300)}`).to.equal(422);
      expect(fieldError(r.body, 'node-site-form', field), JSON.stringify(over)).to.be.a('string').and.not.equal('');
    }
    expect(Number((await h.site.db('hosting_site').count({ n: '*' }))[0]!.n)).to.equal(0);
    const good = await add('site', site({ aliases: 'www.web.test' }));
    expect(good.status, good.body.slice(0, 500)).to.equal(303);
    ids.site = nidOf(good.location);
    expect(await h.ended(await h.lastTask(ids.site!)), await h.logOf(await h.lastTask(ids.site!))).to.equal('success');
    expect(await h.pe.status('web.test')).to.equal(200);
    const dup = await add('site', site({ title: 'other.test', aliases: 'www.web.test' }));
    expect(dup.status).to.equal(422);
    expect(fieldError(dup.body, 'node-site-form', 'aliases')).to.include('www.web.test');
  });

  it('a MariaDB server\'s admin password goes from the form to the back end\'s secrets (0600) and is stored nowhere in the hostmaster', async () => {
    const m = (await mariadb()).admin;
    const r = await add('server', {
      title: 'Databases', context: 'server_db2', host: 'localhost', ssh_user: '', ssh_port: '', http: '', http_settings: '', db: 'mysql',
      db_settings: `host=${m.host},port=${m.port},adminUser=${m.user}`, app: '', app_settings: '', db_admin_pass: m.password, status: '1',
    });
    expect(r.status, r.body.slice(0, 500)).to.equal(303);
    const nid = nidOf(r.location);
    expect(await h.ended(await h.lastTask(nid)), await h.logOf(await h.lastTask(nid))).to.equal('success');
    expect(await h.logOf(await h.lastTask(nid))).to.include('MySQL/MariaDB');
    const secret = join(h.pe.home, 'secrets', 'server_db2.db-admin');
    expect(statSync(secret).mode & 0o777).to.equal(0o600);
    expect(readFileSync(secret, 'utf8')).to.equal(m.password);
    const dump = await h.pe.aegir(['--uri=hostmaster.test', 'sql-dump']);
    expect(dump.code, show(dump)).to.equal(0);
    expect(dump.stdout).to.include('server_db2').and.not.include(m.password);
  });

  it('deleting an installed site\'s node on its delete form does not delete it: that is a delete task', async () => {
    const page = await admin.get(`/node/${ids.site}/delete`);
    expect(page.status).to.equal(200);
    const r = await admin.postForm(`/node/${ids.site}/delete`, {});
    expect(r.status).to.equal(422);
    expect(r.body).to.include('queue a delete task');
    expect(await loadNode(h.site, ids.site!)).to.not.equal(undefined);
    expect(await h.pe.status('web.test')).to.equal(200);
  });
});
