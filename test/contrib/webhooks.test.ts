/**
 * The webhooks contrib module (sites/all/modules/webhooks) on a hostmaster
 * with a real back end: a task that ends POSTs a signed JSON body to a
 * receiver on loopback; webhooks that do not match stay quiet; a receiver
 * that fails is tried again with back-off until it answers, or given up
 * after the last attempt; redirects are not followed; bad webhook fields
 * are refused at their field.
 */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { CONSOLE_ACCOUNT } from '../../modules/hosting/commands/common.js';
import type { Dispatcher } from '../../modules/hosting/queue/dispatcher.js';
import { queueTask } from '../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../modules/node/storage.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { hostingHooks } from '../../modules/hosting/hooks.js';
import hosting from '../../modules/hosting/index.js';
import type { OutboxSender } from '../../modules/hosting/outbox/types.js';
import { mod } from '../modules/node/kernel.js';
import { backoffMs, MAX_ATTEMPTS, outboxSenders, queueMessage, sendDue as deliverDue } from '../../modules/hosting/outbox/outbox.js';
import { expectCode } from '../harness/expect.js';
import { freePort } from '../harness/ports.js';
import { hostmasterEnv, until, type HostmasterEnv } from '../modules/hosting/env.js';

const SECRET = 'a-webhook-secret-of-32-characters';

interface Received { path: string; headers: Record<string, string | string[] | undefined>; body: string }

/** A receiver on loopback: records each request, answers with the next status of `answers` (then 200). */
async function receiver(): Promise<{ port: number; got: Received[]; answers: number[]; server: Server }> {
  const got: Received[] = [];
  const answers: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body });
      const status = answers.shift() ?? 200;
      res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, got, answers, server };
}

describe('contrib webhooks: signed POSTs after tasks, retried with back-off', function () {
  this.timeout(180_000);
  let h: HostmasterEnv;
  let d: Dispatcher;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let server: number;
  const deliveries = async (webhook: number) => (await h.site.db('hosting_outbox').where({ channel: 'webhooks', ref: webhook }).orderBy('id')) as
    { id: number; task_nid: number; status: string; attempts: number; next_at: number; last_status: number | null; last_error: string; body: string }[];
  const webhook = async (title: string, fields: Record<string, string>): Promise<number> =>
    (await saveNode(h.site, { type: 'webhook', title, fields: { task_types: '', statuses: '', secret: SECRET, ...fields } }, { account: CONSOLE_ACCOUNT })).nid;
  const verify = async (): Promise<number> => {
    const t = (await queueTask(h.site, { type: 'verify', object: server, account: CONSOLE_ACCOUNT })).node.nid;
    expect(await h.ended(t), await h.logOf(t)).to.equal('success');
    return t;
  };

  before(async () => {
    h = await hostmasterEnv('sqlite', { contrib: ['webhooks'] });
    d = h.dispatcher();
    await d.start();
    rx = await receiver();
    server = await h.addServer();
    expect(await h.ended(await h.lastTask(server))).to.equal('success');
  });
  after(async () => {
    await d?.stop({ handBack: true });
    await new Promise<void>((r) => (rx ? rx.server.close(() => r()) : r()));
    await h?.stop();
  });

  it('a verify that succeeds is POSTed to a matching webhook as JSON, signed with the secret; a webhook for other tasks or endings hears nothing', async () => {
    const hook = await webhook('Ops', { url: `http://127.0.0.1:${rx.port}/hook`, task_types: 'verify, install', statuses: 'success,error' });
    const quiet = [await webhook('Backups only', { url: `http://127.0.0.1:${rx.port}/backups`, task_types: 'backup' }), await webhook('Failures only', { url: `http://127.0.0.1:${rx.port}/failures`, statuses: 'error' })];
    const task = await verify();
    await until(async () => (await deliveries(hook)).some((r) => r.status === 'delivered'), 10_000);
    expect(rx.got.map((g) => g.path)).to.deep.equal(['/hook']);
    const [req] = rx.got;
    expect(req!.headers['content-type']).to.equal('application/json');
    expect(req!.headers['x-aegir-signature']).to.equal(`sha256=${createHmac('sha256', SECRET).update(req!.body).digest('hex')}`);
    const body = JSON.parse(req!.body) as { event: string; task: { nid: number; type: string; status: string }; object: { kind: string; nid: number } };
    expect(body.event).to.equal('task.ended');
    expect(body.task).to.include({ nid: task, type: 'verify', status: 'success' });
    expect(body.object).to.include({ kind: 'server', nid: server });
    const [row] = await deliveries(hook);
    expect(row).to.include({ task_nid: task, status: 'delivered', attempts: 1, last_status: 200, last_error: '' });
    expect(req!.headers['x-aegir-delivery']).to.equal(String(row!.id));
    for (const q of quiet) expect(await deliveries(q)).to.deep.equal([]);
    // Only the secret's owner can sign: the secret is in no request.
    expect(JSON.stringify(rx.got)).to.not.include(SECRET);
    await h.site.db('node').where({ nid: hook }).update({ status: 0 });
  });

  it('a receiver that fails is tried again after 10 s, then 20 s, until it answers; redirects are not followed', async () => {
    const hook = await webhook('Flaky', { url: `http://127.0.0.1:${rx.port}/flaky` });
    rx.got.length = 0;
    rx.answers.push(500, 302);
    await verify();
    await until(async () => (await deliveries(hook)).some((r) => r.attempts === 1), 10_000);
    let [row] = await deliveries(hook);
    expect(row).to.include({ status: 'pending', attempts: 1, last_status: 500, last_error: 'answered 500' });
    const first = Number(row!.next_at);
    // Not due yet: nothing is sent.
    expect(await deliverDue(h.site, first - 1)).to.equal(0);
    expect(await deliverDue(h.site, first)).to.equal(1);
    [row] = await deliveries(hook);
    expect(row).to.include({ status: 'pending', attempts: 2, last_status: 302, last_error: 'answered 302' });
    expect(Number(row!.next_at) - first).to.equal(backoffMs(2));
    expect(rx.got.map((g) => g.path), 'the redirect was not followed').to.deep.equal(['/flaky', '/flaky']);
    expect(await deliverDue(h.site, Number(row!.next_at))).to.equal(1);
    [row] = await deliveries(hook);
    expect(row).to.include({ status: 'delivered', attempts: 3, last_status: 200 });
    expect(rx.got.map((g) => g.body)).to.deep.equal([row!.body, row!.body, row!.body]);
    expect(h.logs.map((l) => l.message).filter((m) => m.includes(` to webhook ${hook} (http://127.0.0.1:${rx.port})`))).to.have.length(3);
    await h.site.db('node').where({ nid: hook }).update({ status: 0 });
  });

  it(`a receiver that never answers is given up after ${MAX_ATTEMPTS} attempts, saying why`, async () => {
    const hook = await webhook('Gone', { url: `http://127.0.0.1:${await freePort()}/nobody` });
    await verify();
    await until(async () => (await deliveries(hook)).some((r) => r.attempts === 1), 10_000);
    for (let i = 1; i < MAX_ATTEMPTS; i++) await deliverDue(h.site, Number((await deliveries(hook))[0]!.next_at));
    const [row] = await deliveries(hook);
    expect(row).to.include({ status: 'failed', attempts: MAX_ATTEMPTS, last_status: null });
    expect(row!.last_error).to.match(/ECONNREFUSED/);
    expect(await deliverDue(h.site, Number.MAX_SAFE_INTEGER)).to.equal(0);
  });

  it('bad fields are refused at each field, and nothing is saved', async () => {
    const before = await h.site.db('node').where({ type: 'webhook' }).count({ n: '*' });
    const e = await expectCode(saveNode(h.site, { type: 'webhook', title: 'Bad', fields: { url: 'ftp://example.com/x', task_types: 'Bad Type', statuses: 'done', secret: 'short' } }, { account: CONSOLE_ACCOUNT }), 'ERR_NODE_INVALID');
    expect(e.message).to.include('Give an http:// or https:// address').and.include('Not a task type name: Bad Type').and.include('Not an ending: done').and.include('at least 16 characters');
    await expectCode(saveNode(h.site, { type: 'webhook', title: 'Creds', fields: { url: 'https://user:pass@example.com/', secret: SECRET } }, { account: CONSOLE_ACCOUNT }), 'ERR_NODE_INVALID');
    expect(await h.site.db('node').where({ type: 'webhook' }).count({ n: '*' })).to.deep.equal(before);
  });
  it('the outbox: a message of a channel no enabled module sends on fails at once, saying so; a webhook gone meanwhile is given up', async () => {
    const id = await queueMessage(h.site, { channel: 'nobody', body: '{}' });
    expect(await deliverDue(h.site, Date.now(), [id])).to.equal(1);
    expect(await h.site.db('hosting_outbox').where({ id }).first()).to.include({ status: 'failed', attempts: 1, last_error: 'no enabled module sends on channel "nobody"' });
    const gone = await queueMessage(h.site, { channel: 'webhooks', ref: 999_999, body: '{}' });
    await deliverDue(h.site, Date.now(), [gone]);
    expect(await h.site.db('hosting_outbox').where({ id: gone }).first()).to.include({ status: 'failed', attempts: 1, last_error: 'the webhook is gone or unpublished' });
    await expectCode(queueMessage(h.site, { channel: 'Bad Channel', body: '{}' }), 'ERR_OUTBOX_SENDER_INVALID');
  });

  it('hosting update 1 makes the outbox table on a hostmaster that has none', async () => {
    await h.site.db.schema.dropTable('hosting_outbox');
    await hosting.updates![1]!.run(h.site);
    expect(await h.site.db.schema.hasTable('hosting_outbox')).to.equal(true);
    await queueMessage(h.site, { channel: 'nobody', body: '{}' });
  });
});

describe('hosting outbox: senders', () => {
  const sender = (channel: string): OutboxSender => ({ channel, label: 'Test', send: async () => ({ to: 'nowhere' }) });
  const kernel = (...modules: [string, string][]) => Kernel.create([mod('hosting', { hooks: hostingHooks }),
    ...modules.map(([name, channel]) => mod(name, { register: (api) => api.on('hosting.outbox_senders', (add) => add(sender(channel))) }))]);

  it('one sender per channel: a second is refused, naming both modules', async () => {
    expect([...outboxSenders(kernel(['mail', 'mail'], ['chat', 'chat'])).keys()]).to.deep.equal(['mail', 'chat']);
    const e = await expectCode(Promise.resolve().then(() => outboxSenders(kernel(['first_mod', 'mail'], ['second_mod', 'mail']))), 'ERR_OUTBOX_SENDER_DUPLICATE');
    expect(e.message).to.contain('"first_mod" and "second_mod"');
  });

  it('a channel that is no machine name is refused, naming the module', async () => {
    const e = await expectCode(Promise.resolve().then(() => outboxSenders(kernel(['odd', 'Mail!']))), 'ERR_OUTBOX_SENDER_INVALID');
    expect(e.message).to.contain('Module "odd"');
  });
});
