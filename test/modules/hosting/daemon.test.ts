/**
 * The dispatcher as a daemon (`aegir hosting-queued`, a process of its
 * own) on the real back end: it takes what the front end queues; a running
 * install is cancelled and leaves nothing; the daemon killed while a task
 * runs, then started again, abandons that task after ending its back end,
 * and the next task on the site recovers it; a second daemon on a SQLite
 * queue is refused; SIGTERM stops it.
 */
import { expect } from 'chai';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../harness/codebase.js';
import { Logger, memorySink } from '../../../core/logger/logger.js';
import { bootSite } from '../../../core/site/site.js';
import { declaredPermissions } from '../../../modules/user/permissions.js';
import { isRunning } from '../../../core/util/process-identity.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { TaskQueue } from '../../../modules/hosting/queue/store.js';
import { queueTask } from '../../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../../modules/node/storage.js';
import { show } from '../../cli/run-helper.js';
import { DRIVERS } from '../../harness/codebase.js';
import type { Spawned } from '../provision/env.js';
import { leftovers } from '../provision/leftovers.js';
import { hostmasterEnv, until, type HostmasterEnv } from './env.js';

/** Whether a process runs (a zombie waiting for its reaper does not). */
const alive = (pid: number): boolean => isRunning({ pid });

for (const driver of DRIVERS) {
  describe(`hosting-queued, the dispatcher daemon, on the real back end (${driver})`, function () {
    this.timeout(300_000);
    let h: HostmasterEnv;
    let daemon: Spawned | undefined;
    let server: number;
    let platform: number;
    const startDaemon = async (): Promise<Spawned> => {
      const s = h.pe.spawn(['--uri=hostmaster.test', 'hosting-queued', '--poll-ms=20', '--backend']);
      let text = '';
      s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
      await until(() => s.child.exitCode !== null || text.includes('is running'), 30_000);
      expect(s.child.exitCode, text).to.equal(null);
      return s;
    };
    /** A site node (its install is queued); the `slow` fixture profile takes about 5 s to install, time to stop it half-way. */
    const site = (domain: string, profile = 'minimal') => saveNode(h.site, { type: 'site', title: domain, fields: { platform, db_server: server, profile } }, { account: CONSOLE_ACCOUNT });
    const status = async (task: number) => (await new TaskQueue(h.site.db).get(task))?.status;

    before(async () => {
      h = await hostmasterEnv(driver);
      symlinkSync(join(REPO, 'test', 'fixtures', 'provision-modules', 'slow'), join(h.pe.platform.root, 'profiles', 'slow'));
      daemon = await startDaemon();
      server = await h.addServer();
      platform = await h.addPlatform(server, 'platform_test', h.pe.platform.root);
      expect(await h.ended(await h.lastTask(server)), await h.logOf(await h.lastTask(server))).to.equal('success');
      expect(await h.ended(await h.lastTask(platform)), await h.logOf(await h.lastTask(platform))).to.equal('success');
    });
    after(async () => {
      daemon?.child.kill('SIGTERM');
      await daemon?.done;
      await h?.stop();
    });

    it('takes what the front end queues: a site node\'s install, and a backup queued from the command line with --wait printing its log', async () => {
      const n = await site('daemon.test');
      expect(await h.ended(await h.lastTask(n.nid)), await h.logOf(await h.lastTask(n.nid))).to.equal('success');
      expect(await h.pe.status('daemon.test')).to.equal(200);
      const r = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-task', '@daemon.test', 'backup', '--args=description=nightly', '--wait']);
      expect(r.code, show(r)).to.equal(0);
      expect(r.stderr).to.include('Write the archive');
      const list = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-tasks', '--object=daemon.test', '--format=json']);
      expect((JSON.parse(list.stdout) as { task_type: string; status: string }[]).map((t) => `${t.task_type}:${t.status}`)).to.deep.equal(['backup:success', 'install:success']);
    });

    it('clone, migrate, cron and the backup schedule are sub-modules: disabled, their task types and permissions are gone; enabled again, back', async () => {
      const off = await h.pe.aegir(['--uri=hostmaster.test', 'pm-disable', 'hosting_clone', 'hosting_migrate', 'hosting_cron', 'hosting_backup_queue', '-y', '-q']);
      expect(off.code, show(off)).to.equal(0);
      try {
        for (const [task, args] of [['clone', '--args=new_name=copy.daemon.test'], ['migrate', '--args=new_name=moved.daemon.test'], ['cron', '']] as const) {
          const r = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-task', 'daemon.test', task, ...(args ? [args] : [])]);
          expect(r.code, show(r)).to.equal(1);
          expect(r.stderr).to.include('ERR_TASK_TYPE_UNKNOWN');
        }
        const fresh = await bootSite(h.pe.backend.codebase, 'hostmaster.test', new Logger(memorySink([]), 'error'));
        try {
          const names = declaredPermissions(fresh.kernel).map((p) => p.name);
          expect(names).to.include('create backup task').and.not.include('create clone task');
          expect(names).to.not.include('create migrate task').and.not.include('create cron task');
        } finally {
          await fresh.close();
        }
      } finally {
        const on = await h.pe.aegir(['--uri=hostmaster.test', 'pm-enable', 'hosting_clone', 'hosting_migrate', 'hosting_cron', 'hosting_backup_queue', '-y', '-q']);
        expect(on.code, show(on)).to.equal(0);
      }
      const cron = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-task', 'daemon.test', 'cron', '--wait']);
      expect(cron.code, show(cron)).to.equal(0);
      expect(Number((await h.site.db('hosting_site').where({ domain: 'daemon.test' }).first('last_cron')).last_cron)).to.be.greaterThan(0);
    });

    it('cancel: a running install is cancelled through its back end, which undoes it: no database, user, folder or vhost is left', async () => {
      const before = await leftovers(h.pe);
      const n = await site('cancelled.test', 'slow');
      const task = await h.lastTask(n.nid);
      // Let the back end get into its steps: the site's database exists and its install runs.
      await until(async () => /Install the site on its platform/.test(await h.logOf(task)));
      const c = await h.pe.aegir(['--uri=hostmaster.test', 'hosting-cancel', String(task)]);
      expect(c.code, show(c)).to.equal(0);
      expect(await h.ended(task)).to.equal('cancelled');
      expect(await h.logOf(task)).to.include('SIGTERM received').and.include('Undone');
      const after = await leftovers(h.pe);
      delete (after.contexts as Record<string, string>)['cancelled.test.json'];
      expect(after).to.deep.equal(before);
      expect((await h.site.db('hosting_site').where({ nid: n.nid }).first('status')).status).to.equal('new');
    });

    it('a daemon killed while a task runs: started again, it ends that task\'s back end and marks it; the next install on the site recovers and succeeds', async () => {
      const n = await site('orphaned.test', 'slow');
      const task = await h.lastTask(n.nid);
      await until(async () => /Install the site on its platform/.test(await h.logOf(task)));
      const pid = (await new TaskQueue(h.site.db).get(task))!.pid!;
      daemon!.child.kill('SIGKILL');
      await daemon!.done;
      expect(await status(task)).to.equal('processing');
      daemon = await startDaemon();
      expect(await h.ended(task)).to.equal('error');
      expect(await h.logOf(task)).to.include('stopped').and.include(`pid ${pid}`);
      expect(alive(pid)).to.equal(false);
      expect(Number((await h.site.db('hosting_task').where({ status: 'processing' }).count({ n: '*' }))[0]!.n)).to.equal(0);
      const again = await queueTask(h.site, { type: 'install', object: n.nid, account: CONSOLE_ACCOUNT });
      // Its back end first undoes the install the killed daemon had begun (a warning in its log), then installs.
      expect(await h.ended(again.node.nid), await h.logOf(again.node.nid)).to.equal('warning');
      expect(await h.logOf(again.node.nid)).to.include('was interrupted');
      expect(await h.pe.status('orphaned.test')).to.equal(200);
    });

    if (driver === 'sqlite') {
      it('a second daemon on a SQLite queue is refused with ERR_DISPATCHER_RUNNING', async () => {
        const second = await h.pe.spawn(['--uri=hostmaster.test', 'hosting-queued', '--backend']).done;
        expect(second.code).to.equal(1);
        expect(second.error).to.equal('ERR_DISPATCHER_RUNNING');
      });
    }

    it('stops on SIGTERM, letting running tasks finish', async () => {
      const n = await site('last.test', 'slow');
      const task = await h.lastTask(n.nid);
      await until(async () => /Install the site on its platform/.test(await h.logOf(task)));
      daemon!.child.kill('SIGTERM');
      const out = await daemon!.done;
      daemon = undefined;
      expect(out.code, out.stdout).to.equal(0);
      expect(await status(task)).to.equal('success');
    });
  });
}
