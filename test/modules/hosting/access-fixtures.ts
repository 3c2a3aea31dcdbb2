/**
 * The world of the hosting access tests: a served hostmaster (its own
 * dispatcher off, so nothing a test queues runs) with a verified server,
 * two verified platforms, two clients with one installed site each, one
 * backup of each site, and a user of every kind, each with a logged-in
 * browser. Built once; the tests read it and undo what they change.
 */
import { expect } from 'chai';
import { symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createApp } from '../../../core/http/app.js';
import { listen, type Running } from '../../../core/http/server.js';
import type { Account } from '../../../core/http/types.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { TaskQueue } from '../../../modules/hosting/queue/store.js';
import { queueTask } from '../../../modules/hosting/tasks/queue-task.js';
import { saveNode } from '../../../modules/node/storage.js';
import { anonymousAccount, createUser, loadAccount, setPassword } from '../../../modules/user/accounts.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { HttpClient, linkThemes } from '../../harness/http.js';
import { logIn } from '../node/http-helpers.js';
import { hostmasterEnv, type HostmasterEnv } from './env.js';

/** Who asks: user 1, a Hosting administrator, a Platform manager granted client A, a Client of A, a Client of B, a user with only "authenticated", nobody. */
export const ROLES = ['admin', 'hostingAdmin', 'manager', 'clientA', 'clientB', 'plain', 'anonymous'] as const;
export type Role = (typeof ROLES)[number];

export const PASS = 'Access-Test-Pass-1234';
export const DOMAIN_A = 'anvil-shop.test';
export const DOMAIN_B = 'bakery-shop.test';
export const CLIENT_A = 'Anvil Corp';
export const CLIENT_B = 'Bakery Ltd';
export const XSS = '<script>alert(1)</script>';

/** The user names (none for anonymous). */
export const USER_NAMES: Readonly<Record<Role, string | undefined>> = {
  admin: 'admin', hostingAdmin: 'hosting_boss', manager: 'plat_manager', clientA: 'anvil_user', clientB: 'bakery_user', plain: 'plain_user', anonymous: undefined,
};

/** What each role must never be shown: the other client's site domain and client name. */
export const HIDDEN_FROM: Readonly<Record<Role, readonly string[]>> = {
  admin: [], hostingAdmin: [],
  manager: [DOMAIN_B, CLIENT_B],
  clientA: [DOMAIN_B, CLIENT_B],
  clientB: [DOMAIN_A, CLIENT_A],
  plain: [DOMAIN_A, CLIENT_A, DOMAIN_B, CLIENT_B],
  anonymous: [DOMAIN_A, CLIENT_A, DOMAIN_B, CLIENT_B],
};

/** Node ids (and backup ids) of the world's objects. */
export interface Ids {
  server: number; platform: number; platform2: number; clientA: number; clientB: number; siteA: number; siteB: number;
  /** The install tasks of the sites, and the first verifies of the server and platform. */
  taskA: number; taskB: number; serverTask: number; platformTask: number;
  /** The backup tasks, and the backups they made. */
  backupTaskA: number; backupTaskB: number; backupA: number; backupB: number;
  pkg: number;
}

export interface World {
  readonly h: HostmasterEnv;
  readonly ids: Ids;
  readonly uids: Readonly<Record<Role, number>>;
  /** A browser of the role (logged in once, in the world's build). */
  browser(role: Role): HttpClient;
  /** A new browser logged in as the role (a session of its own). */
  newBrowser(role: Role): Promise<HttpClient>;
  /** The role's account as a request would have it (fresh, so its scope is read again). */
  account(role: Role): Promise<Account>;
  /** How many tasks there are (queued or not). */
  taskCount(): Promise<number>;
  /** Cancel a queued task. */
  cancel(task: number): Promise<void>;
  stop(): Promise<void>;
}

export async function buildWorld(): Promise<World> {
  const h = await hostmasterEnv('sqlite');
  linkThemes(h.pe.backend);
  // Nothing queued by the tests may run: the serving process runs no dispatcher; the build runs its own and stops it.
  await h.site.config.set('hosting.queue_in_serve', false);
  let second: TestCodebase | undefined;
  let running: Running | undefined;
  let closePool: (() => Promise<void>) | undefined;
  const stop = async (): Promise<void> => {
    await running?.stop(1000);
    await closePool?.();
    await h.stop();
    second?.cleanup();
  };
  try {
    const d = h.dispatcher();
    await d.start();
    const ids = {} as Ids;
    try {
      ids.server = await h.addServer();
      ids.platform = await h.addPlatform(ids.server, 'platform_test', h.pe.platform.root);
      second = makeCodebase({ fixtures: false });
      symlinkSync(join(REPO, 'bin'), join(second.root, 'bin'));
      ids.platform2 = await h.addPlatform(ids.server, 'platform_two', second.root);
      for (const n of [ids.server, ids.platform, ids.platform2]) {
        const t = await h.lastTask(n);
        expect(await h.ended(t), await h.logOf(t)).to.equal('success');
      }
      ids.serverTask = await h.lastTask(ids.server);
      ids.platformTask = await h.lastTask(ids.platform);
      ids.clientA = (await saveNode(h.site, { type: 'client', title: CLIENT_A, fields: { mail: 'ops@anvil.example' } }, { account: CONSOLE_ACCOUNT })).nid;
      ids.clientB = (await saveNode(h.site, { type: 'client', title: CLIENT_B, fields: { mail: 'ops@bakery.example' } }, { account: CONSOLE_ACCOUNT })).nid;
      const site = async (domain: string, client: number): Promise<number> => (await saveNode(h.site, {
        type: 'site', title: domain, fields: { aliases: '', platform: ids.platform, db_server: ids.server, profile: 'minimal', client },
      }, { account: CONSOLE_ACCOUNT })).nid;
      ids.siteA = await site(DOMAIN_A, ids.clientA);
      ids.siteB = await site(DOMAIN_B, ids.clientB);
      ids.taskA = await h.lastTask(ids.siteA);
      ids.taskB = await h.lastTask(ids.siteB);
      for (const t of [ids.taskA, ids.taskB]) expect(await h.ended(t), await h.logOf(t)).to.equal('success');
      // A's backup carries script in its description: the pages must show it as text.
      ids.backupTaskA = (await queueTask(h.site, { type: 'backup', object: ids.siteA, args: { description: XSS }, account: CONSOLE_ACCOUNT })).node.nid;
      ids.backupTaskB = (await queueTask(h.site, { type: 'backup', object: ids.siteB, args: { description: 'nightly' }, account: CONSOLE_ACCOUNT })).node.nid;
      for (const t of [ids.backupTaskA, ids.backupTaskB]) expect(await h.ended(t), await h.logOf(t)).to.equal('success');
    } finally {
      await d.stop();
    }
    const backupOf = async (nid: number): Promise<number> => Number(((await h.site.db('hosting_backup').where({ site_nid: nid }).first('bid')) as { bid: number }).bid);
    ids.backupA = await backupOf(ids.siteA);
    ids.backupB = await backupOf(ids.siteB);
    ids.pkg = Number(((await h.site.db('hosting_package').orderBy('nid').first('nid')) as { nid: number }).nid);

    const uids = { admin: 1, anonymous: 0 } as Record<Role, number>;
    await setPassword(h.site, 1, PASS);
    const user = async (role: Role, roles: string[]): Promise<void> => {
      uids[role] = await createUser(h.site, { name: USER_NAMES[role]!, mail: `${USER_NAMES[role]!}@example.test`, password: PASS, roles });
    };
    await user('hostingAdmin', ['hosting_admin']);
    await user('manager', ['platform_manager']);
    await user('clientA', ['hosting_client']);
    await user('clientB', ['hosting_client']);
    await user('plain', []);
    await h.site.db('hosting_client_user').insert([
      { client_nid: ids.clientA, uid: uids.manager }, { client_nid: ids.clientA, uid: uids.clientA }, { client_nid: ids.clientB, uid: uids.clientB },
    ]);

    process.env.AEGIR_HOME = h.pe.home;
    const { app, pool } = createApp({ codebase: h.pe.backend.codebase, logger: h.site.logger });
    closePool = () => pool.closeAll();
    running = await listen(app, { port: 0, host: '127.0.0.1' });
    const port = Number(new URL(running.where).port);
    const newBrowser = async (role: Role): Promise<HttpClient> => {
      const c = new HttpClient(port, 'hostmaster.test');
      if (role !== 'anonymous') await logIn(c, USER_NAMES[role]!, PASS);
      return c;
    };
    const browsers = new Map<Role, HttpClient>();
    for (const r of ROLES) browsers.set(r, await newBrowser(r));
    const queue = new TaskQueue(h.site.db);
    return {
      h, ids, uids, newBrowser,
      browser: (role) => browsers.get(role)!,
      async account(role) {
        const a = role === 'anonymous' ? await anonymousAccount(h.site) : await loadAccount(h.site, uids[role]);
        expect(a, role).to.not.equal(undefined);
        return a!;
      },
      async taskCount() {
        return Number(((await h.site.db('hosting_task').count({ n: '*' })) as { n: number | string }[])[0]!.n);
      },
      async cancel(task) {
        expect(await queue.cancel(task)).to.equal('cancelled');
      },
      async stop() {
        delete process.env.AEGIR_HOME;
        await stop();
      },
    };
  } catch (e) {
    delete process.env.AEGIR_HOME;
    await stop().catch(() => undefined);
    throw e;
  }
}

/** The beginning of an answer that may never end (an event stream): status, content type, and what came within `ms`. */
export interface Peeked { readonly status: number; readonly type: string; readonly body: string }

/**
 * GET a path with the browser's cookies and stop reading once the headers
 * and the first bytes came (an event stream of a running task never ends);
 * a reply that is not an event stream is read whole.
 */
export function peek(c: HttpClient, path: string, ms = 1500): Promise<Peeked> {
  return new Promise<Peeked>((resolve, reject) => {
    const headers: Record<string, string> = { host: c.host };
    if (c.jar.size) headers.cookie = [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const req = httpRequest({ host: '127.0.0.1', port: c.port, method: 'GET', path, headers, agent: false, setHost: false }, (res) => {
      const type = String(res.headers['content-type'] ?? '');
      const chunks: Buffer[] = [];
      const done = (): void => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, type, body: Buffer.concat(chunks).toString('utf8') }); req.destroy(); };
      const stream = type.startsWith('text/event-stream');
      const timer = setTimeout(done, stream ? ms : 30_000);
      res.on('data', (b: Buffer) => { chunks.push(b); if (stream && Buffer.concat(chunks).includes('\n\n')) done(); });
      res.on('end', done);
      res.on('error', () => done());
    });
    req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(e); });
    req.end();
  });
}

/** Read a whole event stream (one that ends by itself: a finished task's), or fail after `ms`. */
export function readStream(c: HttpClient, path: string, ms = 10_000): Promise<Peeked> {
  return new Promise<Peeked>((resolve, reject) => {
    const headers: Record<string, string> = { host: c.host };
    if (c.jar.size) headers.cookie = [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const req = httpRequest({ host: '127.0.0.1', port: c.port, method: 'GET', path, headers, agent: false, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => { req.destroy(); reject(new Error(`${path}: the stream did not end within ${ms} ms: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`)); }, ms);
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }); });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The option values of a select named `name` in a page. */
export function selectOptions(html: string, name: string): string[] {
  const select = new RegExp(`<select\\b[^>]*\\bname="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1];
  expect(select, `a select named ${name} in the page`).to.be.a('string');
  return [...select!.matchAll(/<option\b[^>]*\bvalue="([^"]*)"/g)].map((m) => m[1]!).filter((v) => v !== '');
}

/** The rows and caption of a page's list table (what the list shows, without its links to sort or filter). */
export function listRows(html: string): { caption: string; body: string } {
  const table = /<table class="table hosting-list">([\s\S]*?)<\/table>/.exec(html)?.[1];
  expect(table, 'a list table in the page').to.be.a('string');
  return { caption: /<caption>([\s\S]*?)<\/caption>/.exec(table!)?.[1] ?? '', body: /<tbody>([\s\S]*?)<\/tbody>/.exec(table!)?.[1] ?? '' };
}

/** The node a redirect to a node page names (0 when it is not one). */
export function nodeOfRedirect(location: string | undefined): number {
  const m = /^\/node\/(\d+)$/.exec(location ?? '');
  return m ? Number(m[1]) : 0;
}
