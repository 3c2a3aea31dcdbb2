import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { defaultLimits, queueLimits } from '../../../modules/hosting/queue/limits.js';
import { expectCode } from '../../harness/expect.js';
import { hostmasterEnv, until, type HostmasterEnv } from './env.js';

describe('hosting: the queue\'s limits come from the hostmaster\'s settings, with defaults from the machine', function () {
  this.timeout(120_000);
  let h: HostmasterEnv;
  before(async () => { h = await hostmasterEnv('sqlite'); });
  after(async () => { await h?.stop(); });
  afterEach(async () => {
    await h.site.config.delete('hosting.queue_limit');
    await h.site.config.delete('hosting.queue_per_server');
  });

  /** `aegir hosting-queued` with these options: the limits its dispatcher says it runs with, or its error code. */
  const daemonSays = async (...options: string[]): Promise<string> => {
    const s = h.pe.spawn(['--uri=hostmaster.test', 'hosting-queued', '--backend', ...options]);
    let text = '';
    s.child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
    await until(() => s.child.exitCode !== null || text.includes('is running'), 30_000);
    if (s.child.exitCode === null) s.child.kill('SIGTERM');
    const ended = await s.done;
    return /runs up to (\d+ task\(s\), \d+ per server)/.exec(ended.stdout)?.[1] ?? `${ended.error} (exit ${ended.code})`;
  };

  it('by default as many tasks at once as the machine has cores (at least 2), 2 per server', async () => {
    const cores = Math.max(2, availableParallelism());
    expect(defaultLimits()).to.deep.equal({ global: cores, perServer: 2 });
    expect(await queueLimits(h.site)).to.deep.equal({ global: cores, perServer: 2 });
    expect(await daemonSays()).to.equal(`${cores} task(s), 2 per server`);
  });

  it('hosting.queue_limit and hosting.queue_per_server set them, for the serving process and the daemon alike; the daemon\'s options override them', async () => {
    await h.site.config.set('hosting.queue_limit', 5);
    await h.site.config.set('hosting.queue_per_server', 1);
    expect(await queueLimits(h.site)).to.deep.equal({ global: 5, perServer: 1 });
    expect(await daemonSays()).to.equal('5 task(s), 1 per server');
    expect(await daemonSays('--limit=7', '--per-server=3')).to.equal('7 task(s), 3 per server');
  });

  it('a setting that is no whole number from 1 to 256 is refused, naming the key, and no dispatcher runs', async () => {
    for (const [key, value] of [['hosting.queue_limit', 0], ['hosting.queue_limit', 'four'], ['hosting.queue_per_server', 2.5], ['hosting.queue_per_server', 257], ['hosting.queue_limit', true]] as const) {
      await h.site.config.set(key, value);
      const e = await expectCode(queueLimits(h.site), 'ERR_QUEUE_LIMIT_INVALID');
      expect(e.message).to.include(key).and.include(JSON.stringify(value));
      expect(await daemonSays()).to.equal('ERR_QUEUE_LIMIT_INVALID (exit 1)');
      await h.site.config.delete(key);
    }
  });
});
