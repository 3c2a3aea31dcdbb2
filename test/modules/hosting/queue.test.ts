import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { Logger, memorySink, type LogEntry } from '../../../core/logger/logger.js';
import { processStart } from '../../../core/util/process-identity.js';
import { Dispatcher, type RunIo, type RunOutcome, type TaskRunner } from '../../../modules/hosting/queue/dispatcher.js';
import { clash, pick, type Lanes } from '../../../modules/hosting/queue/lanes.js';
import { TaskQueue, type TaskRow } from '../../../modules/hosting/queue/store.js';
import { DRIVERS } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';
import { queueDb, type QueueDb } from './queue-db.js';

const until = async (check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** A runner that records what runs when, and ends each task when told (or after `ms`). */
function recorder(ms = 30) {
  const now = new Set<number>();
  const starts: number[] = [];
  let most = 0;
  const seen: { nid: number; alongside: number[] }[] = [];
  const runner: TaskRunner = async (task: TaskRow, io: RunIo): Promise<RunOutcome> => {
    seen.push({ nid: task.nid, alongside: [...now] });
    now.add(task.nid);
    starts.push(task.nid);
    most = Math.max(most, now.size);
    await io.log({ time: Date.now(), level: 'info', message: `running ${task.nid}` });
    try {
      await new Promise<void>((resolve, reject) => {
        if (io.signal.aborted) return reject(new Error(String(io.signal.reason)));
        const t = setTimeout(resolve, ms);
        io.signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error(String(io.signal.reason))); }, { once: true });
      });
      return { status: 'success', exitCode: 0, result: { nid: task.nid } };
    } catch {
      return { status: 'cancelled', errorCode: 'ERR_TASK_CANCELLED' };
    } finally {
      now.delete(task.nid);
    }
  };
  return { runner, starts, seen, most: () => most };
}

describe('hosting queue: which tasks may run together', () => {
  const L = (nid: number, objectKind: Lanes['objectKind'], siteNid: number | null, platformNid: number | null, serverNid: number | null): Lanes => ({ nid, objectKind, siteNid, platformNid, serverNid });
  it('keeps one task per site, a platform task alone with its sites, one server task per server', () => {
    expect(clash(L(1, 'site', 10, 20, 30), L(2, 'site', 10, 20, 30))).to.match(/site 10/);
    expect(clash(L(1, 'site', 10, 20, 30), L(2, 'site', 11, 20, 30))).to.equal(undefined);
    expect(clash(L(1, 'platform', null, 20, 30), L(2, 'site', 11, 20, 30))).to.match(/platform 20/);
    expect(clash(L(1, 'site', 11, 20, 30), L(2, 'platform', null, 20, 30))).to.match(/platform 20/);
    expect(clash(L(1, 'server', null, null, 30), L(2, 'server', null, null, 30))).to.match(/server 30/);
    expect(clash(L(1, 'server', null, null, 30), L(2, 'site', 11, 20, 30))).to.equal(undefined);
  });
  it('picks in queue order within the limits, and never lets a later task on a waiting lane overtake', () => {
    const queued = [L(1, 'site', 10, 20, 30), L(2, 'site', 10, 20, 30), L(3, 'site', 11, 20, 30), L(4, 'site', 12, 21, 31), L(5, 'site', 13, 21, 31)];
    expect(pick(queued, [], { global: 10, perServer: 10 }).map((l) => l.nid)).to.deep.equal([1, 3, 4, 5]);
    expect(pick(queued, [], { global: 2, perServer: 10 }).map((l) => l.nid)).to.deep.equal([1, 3]);
    expect(pick(queued, [], { global: 10, perServer: 1 }).map((l) => l.nid)).to.deep.equal([1, 4]);
    expect(pick(queued, [L(9, 'platform', null, 21, 31)], { global: 10, perServer: 10 }).map((l) => l.nid)).to.deep.equal([1, 3]);
  });
});

for (const driver of DRIVERS) {
  describe(`hosting queue and dispatcher on ${driver}`, function () {
    this.timeout(60_000);
    let q: QueueDb;
    let logs: LogEntry[];
    let logger: Logger;
    beforeEach(async () => {
      q = await queueDb(driver);
      logs = [];
      logger = new Logger(memorySink(logs), 'debug');
    });
    afterEach(async () => { await q.close(); });
    const dispatcher = (runner: TaskRunner, more: Partial<ConstructorParameters<typeof Dispatcher>[0]> = {}) =>
      new Dispatcher({ db: q.db, runner, limits: { global: 4, perServer: 2 }, logger, heartbeatMs: 100, pollMs: 20, ...more });
    const statusOf = async (nid: number): Promise<string | undefined> => (await new TaskQueue(q.db).get(nid))?.status;

    it('runs queued tasks, stores each run\'s log and outcome', async () => {
      const r = recorder();
      const d = dispatcher(r.runner);
      const a = await q.add({ objectNid: 100, serverNid: 1 });
      await d.start();
      await until(async () => (await statusOf(a)) === 'success');
      const run = await q.db('hosting_task_run').where({ task_nid: a }).first();
      expect(run.status).to.equal('success');
      expect(JSON.parse(run.result)).to.deep.equal({ nid: a });
      expect((await q.db('hosting_task_log').where({ rid: run.rid })).map((l: { message: string }) => l.message)).to.deep.equal([`running ${a}`]);
      await d.stop();
    });

    it('never runs two tasks of one site, and keeps the per-server and global limits (measured by the runner)', async () => {
      const r = recorder(40);
      const d = dispatcher(r.runner);
      const ids: number[] = [];
      for (let i = 0; i < 24; i++) ids.push(await q.add({ objectNid: 100 + (i % 6), taskType: `t${i}`, serverNid: 1 + (i % 3), platformNid: 50 + (i % 3) }));
      await d.start();
      await until(async () => Number((await q.db('hosting_task').where({ status: 'success' }).count({ n: '*' }))[0]!.n) === 24, 30_000);
      expect(r.most()).to.be.at.most(4);
      for (const s of r.seen) {
        const site = 100 + ((s.nid - 1) % 6);
        expect(s.alongside.map((n) => 100 + ((n - 1) % 6)), `task ${s.nid}`).to.not.include(site);
        const server = 1 + ((s.nid - 1) % 3);
        expect(s.alongside.filter((n) => 1 + ((n - 1) % 3) === server).length, `server of ${s.nid}`).to.be.below(2);
      }
      await d.stop();
    });

    it('refuses a second queued task of the same kind on one object (ERR_TASK_QUEUED)', async () => {
      await q.add({ objectNid: 100, taskType: 'backup' });
      await expectCode(q.add({ objectNid: 100, taskType: 'backup' }), 'ERR_TASK_QUEUED');
    });

    it('cancels a queued task at once and a running one through its runner; retries an ended one as a new run', async () => {
      const r = recorder(5000);
      const d = dispatcher(r.runner);
      const running = await q.add({ objectNid: 100 });
      const waiting = await q.add({ objectNid: 100, taskType: 'backup' });
      await d.start();
      await until(async () => (await statusOf(running)) === 'processing');
      const queue = new TaskQueue(q.db);
      expect(await queue.cancel(waiting)).to.equal('cancelled');
      expect(await queue.cancel(running)).to.equal('requested');
      await until(async () => (await statusOf(running)) === 'cancelled');
      const log = (await q.db('hosting_task_log').orderBy('lid')).map((l: { message: string }) => l.message);
      expect(log.at(-1)).to.include('a cancel was asked for');
      await expectCode(queue.cancel(running), 'ERR_TASK_NOT_CANCELLABLE');
      await expectCode(queue.retry(await q.add({ objectNid: 200 })), 'ERR_TASK_NOT_RETRYABLE');
      await d.stop();
      const d2 = dispatcher(recorder(10).runner);
      await queue.retry(running);
      await d2.start();
      await until(async () => (await statusOf(running)) === 'success');
      const runs = await q.db('hosting_task_run').where({ task_nid: running }).orderBy('attempt');
      expect(runs.map((x: { status: string; attempt: number }) => `${x.attempt}:${x.status}`)).to.deep.equal(['1:cancelled', '2:success']);
      await d2.stop();
    });

    it('ends a task at its time limit, and records a runner that throws as an error', async () => {
      let n = 0;
      const runner: TaskRunner = async (task, io) => {
        n++;
        if (task.objectNid === 300) throw new Error('bridge exploded');
        if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
        return { status: 'error', errorCode: 'ERR_TIMEOUT' };
      };
      const d = dispatcher(runner, { timeLimitMs: () => 150 });
      const slow = await q.add({ objectNid: 100 });
      const broken = await q.add({ objectNid: 300 });
      await d.start();
      await until(async () => (await statusOf(slow)) === 'error' && (await statusOf(broken)) === 'error');
      expect(n).to.equal(2);
      const messages = (await q.db('hosting_task_log').orderBy('lid')).map((l: { message: string }) => l.message).join('\n');
      expect(messages).to.include('time limit').and.include('bridge exploded');
      await d.stop();
    });

    it('abandons tasks whose dispatcher died, ending their back end first, and leaves nothing in processing', async () => {
      const a = await q.add({ objectNid: 100 });
      const sleeper = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      await until(() => processStart(sleeper.pid!) !== undefined);
      const exited = new Promise((r) => sleeper.once('exit', r));
      // A dispatcher of this host whose process is gone (pid 2^22 - 1 is never a live pid here) had claimed it and started a back end.
      const dead = (await import('node:os')).hostname() + ':4194303:1';
      await new TaskQueue(q.db).claim(dead, { global: 1, perServer: 1 });
      await new TaskQueue(q.db).started(a, { pid: sleeper.pid!, start: processStart(sleeper.pid!) });
      const d = dispatcher(recorder().runner);
      await d.start();
      await exited;
      expect(await statusOf(a)).to.equal('error');
      const run = await q.db('hosting_task_run').where({ task_nid: a }).first();
      expect(run.error_code).to.equal('ERR_TASK_ABANDONED');
      expect(((await q.db('hosting_task_log').where({ rid: run.rid }).first()) as { message: string }).message).to.include('stopped').and.include(`pid ${sleeper.pid}`);
      expect(await q.db('hosting_task').where({ status: 'processing' }).count({ n: '*' }).then((x) => Number(x[0]!.n))).to.equal(0);
      await d.stop();
    });

    it('stops gracefully: running tasks finish, or are handed back (ended and undone) when asked', async () => {
      const r = recorder(300);
      const d = dispatcher(r.runner);
      const a = await q.add({ objectNid: 100 });
      await d.start();
      await until(async () => (await statusOf(a)) === 'processing');
      await d.stop();
      expect(await statusOf(a)).to.equal('success');
      const d2 = dispatcher(recorder(5000).runner);
      const b = await q.add({ objectNid: 101 });
      await d2.start();
      await until(async () => (await statusOf(b)) === 'processing');
      await d2.stop({ handBack: true });
      expect(await statusOf(b)).to.equal('cancelled');
    });

    if (driver === 'sqlite') {
      it('lets one dispatcher work on a SQLite queue: a second is refused with ERR_DISPATCHER_RUNNING', async () => {
        const d = dispatcher(recorder().runner, { id: 'first' });
        await d.start();
        const other = await q.connect();
        await expectCode(new Dispatcher({ db: other, runner: recorder().runner, limits: { global: 1, perServer: 1 }, logger, id: 'second' }).start(), 'ERR_DISPATCHER_RUNNING');
        await d.stop();
      });
    } else {
      it('three dispatchers on one MariaDB queue, 200 tasks over 50 objects: each runs exactly once, never two on one object', async () => {
        const r = recorder(5);
        const ds = [];
        for (const id of ['d1', 'd2', 'd3']) ds.push(new Dispatcher({ db: await q.connect(), runner: r.runner, limits: { global: 4, perServer: 4 }, logger, id, pollMs: 5, heartbeatMs: 100 }));
        for (let i = 0; i < 200; i++) await q.add({ objectNid: 1000 + (i % 50), taskType: `t${i}` });
        await Promise.all(ds.map((d) => d.start()));
        await until(async () => Number((await q.db('hosting_task').where({ status: 'success' }).count({ n: '*' }))[0]!.n) === 200, 60_000);
        expect(r.starts.length).to.equal(200);
        expect(new Set(r.starts).size).to.equal(200);
        for (const s of r.seen) expect(s.alongside.map((n) => 1000 + ((n - 1) % 50)), `task ${s.nid}`).to.not.include(1000 + ((s.nid - 1) % 50));
        const by = await q.db('hosting_task').select('dispatcher').count({ n: '*' }).groupBy('dispatcher');
        expect(by.length, 'more than one dispatcher took part').to.be.greaterThan(1);
        await Promise.all(ds.map((d) => d.stop()));
      });
    }
  });
}

describe('hosting backup retention', () => {
  it('keeps the newest N, and with days only removes those older; never the only backup', async () => {
    const { expired } = await import('../../../modules/hosting/modules/backup-queue/queues.js');
    const DAY = 86_400_000;
    const now = 100 * DAY;
    const b = [{ bid: 1, created: now - 10 * DAY }, { bid: 2, created: now - 5 * DAY }, { bid: 3, created: now - DAY }, { bid: 4, created: now }];
    expect(expired(b, 2, 0, now)).to.deep.equal([2, 1]);
    expect(expired(b, 2, 7, now)).to.deep.equal([1]);
    expect(expired(b, 0, 0, now)).to.deep.equal([3, 2, 1]);
    expect(expired([b[0]!], 0, 0, now)).to.deep.equal([]);
  });
});
