/**
 * The hostmaster of a hostmasterEnv served over HTTP on a loopback port,
 * with the administrator logged in (its password set through the command
 * line first), for tests of its pages:
 *
 *     await asHostmasterAdmin(h, async (admin) => { expect((await admin.get('/hosting')).status).to.equal(200); });
 */
import { expect } from 'chai';
import { createApp } from '../../../core/http/app.js';
import { listen } from '../../../core/http/server.js';
import { cli, show } from '../../cli/run-helper.js';
import { HttpClient, linkThemes } from '../../harness/http.js';
import type { HostmasterEnv } from './env.js';

const PASS = 'Admin-Web-Test-Pass-1234';

/** Serve the hostmaster (its queue left to the test's own dispatcher), log the administrator in, run `work`, stop serving. */
export async function asHostmasterAdmin(h: HostmasterEnv, work: (admin: HttpClient) => Promise<void>): Promise<void> {
  linkThemes(h.pe.backend);
  const set = await cli(h.pe.backend.root, ['--uri=hostmaster.test', 'user-password', 'admin', '--password-file=-'], { env: { ...process.env, AEGIR_HOME: h.pe.home }, stdin: PASS });
  expect(set.code, show(set)).to.equal(0);
  await h.site.config.set('hosting.queue_in_serve', false);
  const { app, pool } = createApp({ codebase: h.pe.backend.codebase, logger: h.site.logger });
  const running = await listen(app, { port: 0, host: '127.0.0.1' });
  try {
    const admin = new HttpClient(Number(new URL(running.where).port), 'hostmaster.test');
    expect((await admin.postForm('/user/login', { name: 'admin', pass: PASS })).status).to.equal(303);
    await work(admin);
  } finally {
    await running.stop(1000);
    await pool.closeAll();
  }
}
