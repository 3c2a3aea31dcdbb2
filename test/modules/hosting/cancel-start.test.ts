import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { TaskQueue } from '../../../modules/hosting/queue/store.js';
import { bridgeRunner } from '../../../modules/hosting/tasks/bridge-runner.js';
import { saveNode } from '../../../modules/node/storage.js';
import { hostmasterEnv, type HostmasterEnv } from './env.js';

describe('hosting: a cancel that reaches the back end while it is still starting', function () {
  this.timeout(120_000);
  let h: HostmasterEnv;
  let platform: number;
  let server: number;
  before(async () => {
    h = await hostmasterEnv('sqlite');
    const d = h.dispatcher();
    await d.start();
    server = await h.addServer();
    await h.ended(await h.lastTask(server));
    platform = await h.addPlatform(server, 'platform_test', h.pe.platform.root);
    expect(await h.ended(await h.lastTask(platform))).to.equal('success');
    await d.stop();
  });
  after(async () => { await h?.stop(); });

  it('is a cancelled task, not an error: the back end, ended by SIGTERM before its task began, did nothing', async () => {
    const site = await saveNode(h.site, { type: 'site', title: 'early.test', fields: { platform, db_server: server, profile: 'minimal' } }, { account: CONSOLE_ACCOUNT });
    const queue = new TaskQueue(h.site.db);
    const [task] = await queue.claim('test', { global: 1, perServer: 1 });
    expect(task?.objectNid).to.equal(site.nid);
    const cancel = new AbortController();
    const run = bridgeRunner({ site: h.site, aegirBin: join(h.pe.backend.root, 'bin', 'aegir'), home: h.pe.home });
    // The cancel comes as soon as the back end's process exists: it gets SIGTERM while node is still starting.
    const outcome = await run(task!, {
      log: (l) => queue.log(task!.runId!, [l]),
      signal: cancel.signal,
      started: async () => { cancel.abort('a cancel was asked for'); },
    });
    expect(outcome.status).to.equal('cancelled');
    expect(outcome.errorCode).to.equal('ERR_TASK_CANCELLED');
    await queue.finish(task!.nid, 'test', outcome.status as 'cancelled', outcome);
    expect(await h.logOf(task!.nid)).to.include('ended by the cancel while it was starting');
    expect(existsSync(join(h.pe.platform.root, 'sites', 'early.test')), 'site folder').to.equal(false);
    expect(existsSync(join(h.pe.home, 'tasks', 'early.test.json')), 'journal').to.equal(false);
    // Nothing of the cancelled run is mistaken for a written context: the next run sends the site's context again.
    expect(await h.site.db('hosting_context').where({ name: 'early.test' }).first()).to.equal(undefined);
  });
});
