/**
 * The access rules of the hosting front end, on every hosting route and
 * every task type, on a served hostmaster (SQLite) with two clients, one
 * installed site each, one backup each, and a user of each role: user 1,
 * a Hosting administrator, a Platform manager granted client A, a Client
 * of A, a Client of B, a user with only "authenticated", and anonymous.
 *
 * Each user sees and acts on their own client's objects only; another
 * client's objects answer 403 or 404, and nothing of them (domain, client
 * name) appears on any page that user gets. The served hostmaster runs no
 * dispatcher: every task a test queues is cancelled before it could run.
 */
import { expect } from 'chai';
import { isAegirError } from '../../../core/errors/aegir-error.js';
import type { ErrorCode } from '../../../core/errors/catalogue.js';
import { CONSOLE_ACCOUNT } from '../../../modules/hosting/commands/common.js';
import { loadObject, type HostingObject, type ObjectKind } from '../../../modules/hosting/objects/object.js';
import { TaskQueue } from '../../../modules/hosting/queue/store.js';
import { queueTask } from '../../../modules/hosting/tasks/queue-task.js';
import { taskTypes } from '../../../modules/hosting/tasks/registry.js';
import type { TaskType } from '../../../modules/hosting/tasks/types.js';
import { deleteNode, loadNode, saveNode } from '../../../modules/node/storage.js';
import { grantPermissions, revokePermissions } from '../../../modules/user/roles.js';
import { expectCode } from '../../harness/expect.js';
import { formToken, type Fields, type HttpReply } from '../../harness/http.js';
import { fieldError } from '../node/http-helpers.js';
import {
  buildWorld, CLIENT_A, CLIENT_B, DOMAIN_A, DOMAIN_B, HIDDEN_FROM, listRows, nodeOfRedirect, peek, readStream, ROLES, selectOptions, USER_NAMES, XSS,
  type Ids, type Role, type World,
} from './access-fixtures.js';

const ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;';

const HOSTING_USERS: readonly Role[] = ['admin', 'hostingAdmin', 'manager', 'clientA', 'clientB'];
const SEES_A: readonly Role[] = ['admin', 'hostingAdmin', 'manager', 'clientA'];
const SEES_B: readonly Role[] = ['admin', 'hostingAdmin', 'clientB'];
const PLATFORM_PEOPLE: readonly Role[] = ['admin', 'hostingAdmin', 'manager'];
const HOSTING_ADMINS: readonly Role[] = ['admin', 'hostingAdmin'];
const NOBODY: readonly Role[] = [];

/** Expected statuses: `ok` for the roles named, 403 for the others unless `others` says otherwise. */
function allow(roles: readonly Role[], others: Partial<Record<Role, number>> = {}, ok = 200): Record<Role, number> {
  return Object.fromEntries(ROLES.map((r) => [r, roles.includes(r) ? ok : (others[r] ?? 403)])) as Record<Role, number>;
}

/** The problems of a page a role got: the other client's domain or name anywhere in it. */
function leaks(role: Role, body: string): string[] {
  return HIDDEN_FROM[role].filter((s) => body.includes(s)).map((s) => `${role} was shown "${s}"`);
}

interface Row {
  readonly title: string;
  readonly path: (ids: Ids) => string;
  readonly expect: Record<Role, number>;
  /** An event stream: only its status line and content type are read. */
  readonly stream?: boolean;
  /** The content type of a 200 (default text/html). */
  readonly type?: string;
}

/** Every GET of the table: route x role -> status. */
const ROWS: readonly Row[] = [
  { title: 'the dashboard /hosting', path: () => '/hosting', expect: allow(HOSTING_USERS) },
  { title: 'the sites list', path: () => '/hosting/sites', expect: allow(HOSTING_USERS) },
  { title: 'the platforms list', path: () => '/hosting/platforms', expect: allow(HOSTING_USERS) },
  { title: 'the servers list (manage platforms)', path: () => '/hosting/servers', expect: allow(PLATFORM_PEOPLE) },
  { title: 'the clients list', path: () => '/hosting/clients', expect: allow(HOSTING_USERS) },
  { title: 'the packages list', path: () => '/hosting/packages', expect: allow(HOSTING_USERS) },
  { title: 'the tasks list', path: () => '/hosting/tasks', expect: allow(HOSTING_USERS) },
  { title: 'the sites list filtered to deleted sites', path: () => '/hosting/sites?status=deleted', expect: allow(HOSTING_USERS) },
  { title: 'the queue event stream', path: () => '/hosting/queue/events', expect: allow(HOSTING_USERS), stream: true },
  { title: 'the site add form', path: () => '/node/add/site', expect: allow(HOSTING_USERS) },
  { title: 'the node module\'s latest content /node (nodes filtered by node access)', path: () => '/node', expect: allow(ROLES) },
  // Open to anyone who may edit some type of content (clients edit their sites' aliases), by the node module's design.
  {
    title: 'the node module\'s content overview /admin/content (anyone who may edit some content)', path: () => '/admin/content', expect: allow(HOSTING_USERS),
  },
  { title: 'site A\'s page', path: (i) => `/node/${i.siteA}`, expect: allow(SEES_A) },
  { title: 'site B\'s page', path: (i) => `/node/${i.siteB}`, expect: allow(SEES_B) },
  { title: 'the server\'s page', path: (i) => `/node/${i.server}`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the platform\'s page', path: (i) => `/node/${i.platform}`, expect: allow(HOSTING_USERS) },
  { title: 'client A\'s page', path: (i) => `/node/${i.clientA}`, expect: allow(SEES_A) },
  { title: 'client B\'s page', path: (i) => `/node/${i.clientB}`, expect: allow(SEES_B) },
  { title: 'the page of site A\'s install task', path: (i) => `/node/${i.taskA}`, expect: allow(SEES_A) },
  { title: 'the page of site B\'s install task', path: (i) => `/node/${i.taskB}`, expect: allow(SEES_B) },
  { title: 'the page of site A\'s backup task', path: (i) => `/node/${i.backupTaskA}`, expect: allow(SEES_A) },
  { title: 'the page of site B\'s backup task', path: (i) => `/node/${i.backupTaskB}`, expect: allow(SEES_B) },
  { title: 'the page of the server\'s verify task', path: (i) => `/node/${i.serverTask}`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the page of the platform\'s verify task', path: (i) => `/node/${i.platformTask}`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'a package\'s page', path: (i) => `/node/${i.pkg}`, expect: allow(HOSTING_USERS) },
  { title: 'site A\'s edit form', path: (i) => `/node/${i.siteA}/edit`, expect: allow(SEES_A) },
  { title: 'site B\'s edit form', path: (i) => `/node/${i.siteB}/edit`, expect: allow(SEES_B) },
  { title: 'site A\'s delete form (delete any site content)', path: (i) => `/node/${i.siteA}/delete`, expect: allow(HOSTING_ADMINS) },
  { title: 'client A\'s edit form (administrators of clients)', path: (i) => `/node/${i.clientA}/edit`, expect: allow(HOSTING_ADMINS) },
  { title: 'client B\'s edit form (administrators of clients)', path: (i) => `/node/${i.clientB}/edit`, expect: allow(HOSTING_ADMINS) },
  { title: 'a task node\'s edit form (nobody: tasks are made by the queue)', path: (i) => `/node/${i.taskA}/edit`, expect: allow(NOBODY) },
  { title: 'the verify task form of site A (safe)', path: (i) => `/node/${i.siteA}/task/verify`, expect: allow(SEES_A) },
  { title: 'the delete task form of site A (dangerous)', path: (i) => `/node/${i.siteA}/task/delete`, expect: allow(SEES_A) },
  { title: 'the restore task form of site A (a select of its backups)', path: (i) => `/node/${i.siteA}/task/restore`, expect: allow(SEES_A) },
  { title: 'the migrate task form of site A (platform managers and administrators)', path: (i) => `/node/${i.siteA}/task/migrate`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the verify task form of site B (safe)', path: (i) => `/node/${i.siteB}/task/verify`, expect: allow(SEES_B) },
  { title: 'the delete task form of site B (dangerous)', path: (i) => `/node/${i.siteB}/task/delete`, expect: allow(SEES_B) },
  { title: 'the migrate task form of site B', path: (i) => `/node/${i.siteB}/task/migrate`, expect: allow(HOSTING_ADMINS) },
  { title: 'a task form of no task type on site A (404 to those who see it)', path: (i) => `/node/${i.siteA}/task/nosuch`, expect: allow(SEES_A, {}, 404) },
  { title: 'the verify task form of the server', path: (i) => `/node/${i.server}/task/verify`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the verify task form of the platform (a platform task: managers)', path: (i) => `/node/${i.platform}/task/verify`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the delete task form of the platform (dangerous, managers)', path: (i) => `/node/${i.platform}/task/delete`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the import task form of the platform', path: (i) => `/node/${i.platform}/task/import`, expect: allow(PLATFORM_PEOPLE) },
  { title: 'the cancel form of site A\'s task', path: (i) => `/node/${i.taskA}/cancel`, expect: allow(SEES_A) },
  { title: 'the retry form of site A\'s task', path: (i) => `/node/${i.taskA}/retry`, expect: allow(SEES_A) },
  { title: 'the cancel form of site B\'s task', path: (i) => `/node/${i.taskB}/cancel`, expect: allow(SEES_B) },
  { title: 'the retry form of site B\'s task', path: (i) => `/node/${i.taskB}/retry`, expect: allow(SEES_B) },
  { title: 'the event stream of site A\'s task', path: (i) => `/hosting/tasks/${i.taskA}/events`, expect: allow(SEES_A), stream: true },
  { title: 'the event stream of site B\'s task', path: (i) => `/hosting/tasks/${i.taskB}/events`, expect: allow(SEES_B), stream: true },
  { title: 'the event stream of the server\'s task', path: (i) => `/hosting/tasks/${i.serverTask}/events`, expect: allow(PLATFORM_PEOPLE), stream: true },
  { title: 'the task event stream of a node that is no task', path: (i) => `/hosting/tasks/${i.siteA}/events`, expect: allow(NOBODY), stream: true },
  { title: 'the download of site A\'s backup (another client\'s is a 404)', path: (i) => `/hosting/backups/${i.backupA}/download`, expect: allow(SEES_A, { clientB: 404 }), type: 'application/gzip' },
  { title: 'the download of site B\'s backup (another client\'s is a 404)', path: (i) => `/hosting/backups/${i.backupB}/download`, expect: allow(SEES_B, { manager: 404, clientA: 404 }), type: 'application/gzip' },
  { title: 'the download of a backup that does not exist', path: () => '/hosting/backups/999999/download', expect: allow(NOBODY, Object.fromEntries(HOSTING_USERS.map((r) => [r, 404]))) },
  { title: 'the download of a backup id that is no number', path: () => '/hosting/backups/1%20OR%201=1/download', expect: allow(NOBODY, Object.fromEntries(HOSTING_USERS.map((r) => [r, 404]))) },
  { title: 'client A\'s Access tab', path: (i) => `/node/${i.clientA}/access`, expect: allow(HOSTING_ADMINS) },
  { title: 'client B\'s Access tab', path: (i) => `/node/${i.clientB}/access`, expect: allow(HOSTING_ADMINS) },
  { title: 'the Access tab of a node that is no client', path: (i) => `/node/${i.siteA}/access`, expect: allow(NOBODY) },
];

describe('hosting access: every route and task type by role (sqlite)', function () {
  this.timeout(600_000);
  let w: World;

  before(async function () {
    this.timeout(600_000);
    w = await buildWorld();
  });
  after(async () => {
    await w?.stop();
  });

  const count = (): Promise<number> => w.taskCount();

  describe('routes x roles', () => {
    const check = async (row: Row, roles: readonly Role[]): Promise<string[]> => {
      const problems: string[] = [];
      const path = row.path(w.ids);
      for (const role of roles) {
        const c = w.browser(role);
        const r = row.stream ? await peek(c, path) : await c.get(path);
        const type = row.stream ? (r as { type: string }).type : String((r as HttpReply).headers['content-type'] ?? '');
        if (r.status !== row.expect[role]) problems.push(`${role}: ${path} answered ${r.status}, expected ${row.expect[role]}`);
        else if (r.status === 200) {
          const want = row.stream ? 'text/event-stream' : (row.type ?? 'text/html');
          if (!type.startsWith(want)) problems.push(`${role}: ${path} is ${type}, expected ${want}`);
        }
        if (!row.type || r.status !== 200) problems.push(...leaks(role, r.body));
      }
      return problems;
    };
    for (const row of ROWS) {
      const roles = ROLES;
      it(`GET ${row.title}: ${roles.map((r) => `${r} ${row.expect[r]}`).join(', ')}`, async () => {
        expect(await check(row, roles)).to.deep.equal([]);
      });
    }

    /** A token of the verify task form that the role may get (from a site it sees), if any. */
    const verifyToken = async (role: Role): Promise<string | undefined> => {
      for (const site of [w.ids.siteA, w.ids.siteB]) {
        const page = await w.browser(role).get(`/node/${site}/task/verify`);
        if (page.status === 200) return formToken(page.body, 'hosting_task_verify');
      }
      return undefined;
    };

    for (const [label, which, roles] of [['A', 'siteA', SEES_A], ['B', 'siteB', SEES_B]] as const) {
      it(`POST the verify task form of site ${label}: ${roles.join(', ')} 303 (queued by them); everyone else 403 with a token of their own, nothing queued`, async () => {
        const site = w.ids[which];
        const problems: string[] = [];
        for (const role of ROLES) {
          const token = await verifyToken(role);
          const before = await count();
          const r = await w.browser(role).post(`/node/${site}/task/verify`, token ? { _token: token } : {});
          const task = nodeOfRedirect(r.location);
          if (roles.includes(role)) {
            if (r.status !== 303 || !task) { problems.push(`${role}: ${r.status} ${r.location ?? ''}`); continue; }
            const t = await new TaskQueue(w.h.site.db).get(task);
            if (t?.objectNid !== site || t.taskType !== 'verify' || t.uid !== w.uids[role] || t.status !== 'queued') problems.push(`${role}: queued ${JSON.stringify(t)}`);
            await w.cancel(task);
          } else {
            if (r.status !== 403) problems.push(`${role}: ${r.status}, expected 403`);
            if ((await count()) !== before) problems.push(`${role}: a task was queued`);
          }
          problems.push(...leaks(role, r.body));
        }
        expect(problems).to.deep.equal([]);
      });
    }

    it('POST client A\'s Access tab: administrators 303 (saved); everyone else 403, the grants unchanged', async () => {
      const grants = async (): Promise<string> => JSON.stringify(await w.h.site.db('hosting_client_user').where({ client_nid: w.ids.clientA }).orderBy('uid').pluck('uid'));
      const was = await grants();
      expect(JSON.parse(was)).to.deep.equal([w.uids.manager, w.uids.clientA].sort((a, b) => a - b));
      const problems: string[] = [];
      const save = async (role: Role, users: readonly Role[]): Promise<HttpReply> =>
        w.browser(role).postForm(`/node/${w.ids.clientA}/access`, { users: users.map((u) => USER_NAMES[u]!).join('\n') }, { formId: 'hosting_client_access' });
      for (const role of ROLES) {
        if (HOSTING_ADMINS.includes(role)) {
          // Grant the plain user too, then take the grant back: both saves are the role's.
          const r = await save(role, ['manager', 'clientA', 'plain']);
          if (r.status !== 303 || r.location !== `/node/${w.ids.clientA}`) problems.push(`${role}: ${r.status} ${r.location ?? ''}`);
          if (!(JSON.parse(await grants()) as number[]).includes(w.uids.plain)) problems.push(`${role}: the grant was not saved`);
          const back = await save(role, ['manager', 'clientA']);
          if (back.status !== 303) problems.push(`${role}: ${back.status} on saving back`);
        } else {
          // No token of this form can be had by them; the access check answers before the token's.
          const r = await w.browser(role).post(`/node/${w.ids.clientA}/access`, { users: USER_NAMES[role] ?? 'plain_user' });
          if (r.status !== 403) problems.push(`${role}: ${r.status}, expected 403`);
          problems.push(...leaks(role, r.body));
        }
        if ((await grants()) !== was) problems.push(`${role}: the grants are ${await grants()}, not ${was}`);
      }
      expect(problems).to.deep.equal([]);
    });

    it('lists show each user their own client\'s sites and tasks (and the other client\'s to administrators only)', async () => {
      const has = async (role: Role, path: string, text: string): Promise<boolean> => (await w.browser(role).get(path)).body.includes(text);
      for (const path of ['/hosting/sites', '/hosting/tasks', '/hosting']) {
        expect(await has('admin', path, DOMAIN_A), `admin ${path}`).to.equal(true);
        expect(await has('admin', path, DOMAIN_B), `admin ${path}`).to.equal(true);
        expect(await has('hostingAdmin', path, DOMAIN_B), `hostingAdmin ${path}`).to.equal(true);
        expect(await has('clientA', path, DOMAIN_A), `clientA ${path}`).to.equal(true);
        expect(await has('manager', path, DOMAIN_A), `manager ${path}`).to.equal(true);
        expect(await has('clientB', path, DOMAIN_B), `clientB ${path}`).to.equal(true);
      }
      expect(await has('clientA', '/hosting/clients', CLIENT_A)).to.equal(true);
      expect(await has('hostingAdmin', '/hosting/clients', CLIENT_B)).to.equal(true);
    });
  });

  describe('queueTask: every task type, on the objects it applies to, in every state, by every role', () => {
    const STATES: Readonly<Record<ObjectKind, readonly string[]>> = {
      server: ['new', 'verified', 'failed'],
      platform: ['new', 'verified', 'failed', 'deleted'],
      site: ['new', 'installed', 'disabled', 'failed', 'deleted'],
    };
    const TABLE: Readonly<Record<ObjectKind, string>> = { server: 'hosting_server', platform: 'hosting_platform', site: 'hosting_site' };
    let copies = 0;

    /** Whether the role sees the object (the scope rules, written out). */
    const sees = (role: Role, o: HostingObject): boolean => {
      if (role === 'admin' || role === 'hostingAdmin') return true;
      if (role === 'plain' || role === 'anonymous') return false;
      if (o.kind === 'server') return role === 'manager';
      if (o.kind === 'platform') return true;
      return o.nid === w.ids.siteA ? role === 'manager' || role === 'clientA' : role === 'clientB';
    };
    /** Whether the role may ask for the task type: the roles the type names (administrators: all). */
    const mayAsk = (role: Role, t: TaskType): boolean => {
      if (role === 'admin' || role === 'hostingAdmin') return true;
      if (role === 'manager') return !!t.roles?.includes('manager');
      if (role === 'clientA' || role === 'clientB') return !!t.roles?.includes('client');
      return false;
    };
    const expected = (role: Role, t: TaskType, o: HostingObject): ErrorCode | 'queued' => {
      if (!sees(role, o)) return 'ERR_OBJECT_UNKNOWN';
      if (!mayAsk(role, t)) return 'ERR_TASK_DENIED';
      if (t.offered && !t.offered(o)) return 'ERR_TASK_NOT_OFFERED';
      if (t.dangerous && o.hostmaster) return 'ERR_TASK_HOSTMASTER';
      return 'queued';
    };
    /** Valid arguments of a task type on an object (a new argument of a new type must be taught here: the test fails, it does not skip). */
    const argsFor = (t: TaskType, o: HostingObject): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(t.args ?? {})) {
        if (name === 'description') out[name] = 'access test';
        else if (name === 'backup') out[name] = o.nid === w.ids.siteA ? w.ids.backupA : w.ids.backupB;
        else if (name === 'new_name') out[name] = `copy-${++copies}.test`;
        else if (name === 'platform' || name === 'db_server') continue;
        else if ('required' in f && f.required) throw new Error(`argsFor knows no value for the required argument "${name}" of ${t.on}/${t.name}`);
      }
      return out;
    };

    /**
     * Ask queueTask for every task type of a kind, on each object of the kind,
     * in each state, as each role, for the cells `take` selects; what each
     * answered against what the rules say. A queued task is cancelled at once.
     */
    const runCases = async (kind: ObjectKind, take: (role: Role, t: TaskType) => boolean): Promise<{ mismatches: string[]; cases: number; skipped: number; total: number; seen: Set<string> }> => {
      const db = w.h.site.db;
      const types = [...taskTypes(w.h.site.kernel).values()].filter((t) => t.on === kind);
      expect(types.length, `${kind} task types in the registry`).to.be.greaterThan(0);
      const objects = kind === 'server' ? [w.ids.server] : kind === 'platform' ? [w.ids.platform] : [w.ids.siteA, w.ids.siteB];
      const accounts = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await w.account(r)] as const))) as Record<Role, Awaited<ReturnType<World['account']>>>;
      const mismatches: string[] = [];
      const seen = new Set<string>();
      let cases = 0;
      let skipped = 0;
      for (const nid of objects) {
        const was = ((await db(TABLE[kind]).where({ nid }).first('status')) as { status: string }).status;
        try {
          for (const state of STATES[kind]) {
            await db(TABLE[kind]).where({ nid }).update({ status: state });
            const o = (await loadObject(db, nid))!;
            expect(o.status).to.equal(state);
            for (const t of types) {
              for (const role of ROLES) {
                if (!take(role, t)) { skipped++; continue; }
                cases++;
                const want = expected(role, t, o);
                seen.add(want);
                const before = await count();
                let got: string;
                try {
                  const q = await queueTask(w.h.site, { type: t.name, object: nid, args: argsFor(t, o), account: accounts[role] });
                  got = 'queued';
                  await w.cancel(q.node.nid);
                } catch (e) {
                  got = isAegirError(e) ? e.code : `not an AegirError: ${String(e)}`;
                  if ((await count()) !== before) mismatches.push(`${role} ${kind}/${t.name} on ${o.title} (${state}): refused with ${got} but a task was written`);
                }
                if (got !== want) mismatches.push(`${role} ${kind}/${t.name} on ${o.title} (${state}): ${got}, expected ${want}`);
              }
            }
          }
        } finally {
          await db(TABLE[kind]).where({ nid }).update({ status: was });
        }
      }
      expect(await db('hosting_task').where({ status: 'queued' }).count({ n: '*' }).then((r) => Number((r as { n: number }[])[0]!.n)), 'tasks left queued').to.equal(0);
      return { mismatches, cases, skipped, total: types.length * ROLES.length * objects.length * STATES[kind].length, seen };
    };

    for (const kind of ['server', 'platform', 'site'] as const) {
      it(`${kind} task types: queued, or refused with the code the rules give (ERR_OBJECT_UNKNOWN, ERR_TASK_DENIED, ERR_TASK_NOT_OFFERED), by every role in every state`, async () => {
        const r = await runCases(kind, () => true);
        expect(r.mismatches).to.deep.equal([]);
        // Every task type of the registry was asked for by every role in every state of every object, and both outcomes happened.
        expect(r.cases + r.skipped).to.equal(r.total);
        expect(r.skipped).to.equal(0);
        expect([...r.seen]).to.include.members(kind === 'server' ? ['queued', 'ERR_OBJECT_UNKNOWN'] : ['queued', 'ERR_OBJECT_UNKNOWN', 'ERR_TASK_DENIED', 'ERR_TASK_NOT_OFFERED']);
      });
    }

    it('another client\'s backups, servers and domains are refused as arguments (ERR_TASK_ARGS_INVALID); names that are no task type are ERR_TASK_TYPE_UNKNOWN only to those who see the object', async () => {
      const ca = await w.account('clientA');
      const cb = await w.account('clientB');
      const before = await count();
      for (const type of ['restore', 'backup-delete']) {
        await expectCode(queueTask(w.h.site, { type, object: w.ids.siteA, args: { backup: w.ids.backupB }, account: ca }), 'ERR_TASK_ARGS_INVALID');
      }
      await expectCode(queueTask(w.h.site, { type: 'clone', object: w.ids.siteA, args: { new_name: 'anvil-copy.test', db_server: w.ids.server }, account: ca }), 'ERR_TASK_ARGS_INVALID');
      await expectCode(queueTask(w.h.site, { type: 'clone', object: w.ids.siteA, args: { new_name: DOMAIN_B }, account: ca }), 'ERR_TASK_ARGS_INVALID');
      await expectCode(queueTask(w.h.site, { type: 'backup', object: w.ids.siteA, args: { description: 'x', extra: '1' }, account: ca }), 'ERR_TASK_ARGS_INVALID');
      await expectCode(queueTask(w.h.site, { type: 'nosuch', object: w.ids.siteA, account: ca }), 'ERR_TASK_TYPE_UNKNOWN');
      await expectCode(queueTask(w.h.site, { type: 'nosuch', object: w.ids.siteA, account: cb }), 'ERR_OBJECT_UNKNOWN');
      for (const nid of [w.ids.clientA, w.ids.pkg, w.ids.taskA, 999_999]) {
        await expectCode(queueTask(w.h.site, { type: 'verify', object: nid, account: CONSOLE_ACCOUNT }), 'ERR_OBJECT_UNKNOWN');
      }
      expect(await count()).to.equal(before);
    });
  });

  describe('bad input', () => {
    it('csrf: a task form POST without a token, with another form\'s token or with another session\'s token is 403; nothing is queued', async () => {
      const ca = w.browser('clientA');
      const path = `/node/${w.ids.siteA}/task/verify`;
      const own = formToken((await ca.get(path)).body, 'hosting_task_verify');
      const otherForm = formToken((await ca.get(`/node/${w.ids.siteA}/task/backup`)).body, 'hosting_task_backup');
      const before = await count();
      expect((await ca.post(path, {})).status).to.equal(403);
      expect((await ca.post(path, { _token: otherForm })).status).to.equal(403);
      expect((await ca.post(path, { _token: 'x'.repeat(own.length) })).status).to.equal(403);
      // The manager sees site A and may verify it: only the token (the client's session's) stops this one.
      expect((await w.browser('manager').post(path, { _token: own })).status).to.equal(403);
      expect(await count()).to.equal(before);
      // The same token in its own session queues: the refusals above were the token's.
      const ok = await ca.post(path, { _token: own });
      expect(ok.status).to.equal(303);
      await w.cancel(nodeOfRedirect(ok.location));
    });

    it('idor: a user who sees a site but lacks the task\'s permission is refused with 403 even with a valid token of the form; nothing is queued', async () => {
      const ca = await w.newBrowser('clientA');
      const path = `/node/${w.ids.siteA}/task/verify`;
      const token = formToken((await ca.get(path)).body, 'hosting_task_verify');
      const before = await count();
      await revokePermissions(w.h.site, 'hosting_client', ['create verify task']);
      try {
        const r = await ca.post(path, { _token: token });
        expect(r.status).to.equal(403);
        expect((await ca.get(path)).status).to.equal(403);
        expect(await count()).to.equal(before);
        await expectCode(queueTask(w.h.site, { type: 'verify', object: w.ids.siteA, account: await w.account('clientA') }), 'ERR_TASK_DENIED');
      } finally {
        await grantPermissions(w.h.site, 'hosting_client', ['create verify task']);
      }
      // A user with no hosting permission at all, and another client's user with a token of their own form: 403, nothing queued.
      expect((await w.browser('plain').post(path, {})).status).to.equal(403);
      const cbToken = formToken((await w.browser('clientB').get(`/node/${w.ids.siteB}/task/verify`)).body, 'hosting_task_verify');
      expect((await w.browser('clientB').post(path, { _token: cbToken })).status).to.equal(403);
      expect((await w.browser('clientA').post(`/node/${w.ids.siteA}/task/migrate`, {})).status).to.equal(403);
      expect(await count()).to.equal(before);
    });

    it('idor: another client\'s task cannot be cancelled or retried, nor another client\'s site edited, even with valid tokens', async () => {
      const ca = w.browser('clientA');
      const queued = (await queueTask(w.h.site, { type: 'verify', object: w.ids.siteB, account: CONSOLE_ACCOUNT })).node.nid;
      try {
        const cancelToken = formToken((await ca.get(`/node/${w.ids.taskA}/cancel`)).body, 'hosting_task_cancel');
        expect((await ca.post(`/node/${queued}/cancel`, { _token: cancelToken })).status).to.equal(403);
        expect((await new TaskQueue(w.h.site.db).get(queued))!.status).to.equal('queued');
        const retryToken = formToken((await ca.get(`/node/${w.ids.taskA}/retry`)).body, 'hosting_task_retry');
        const before = await count();
        expect((await ca.post(`/node/${w.ids.taskB}/retry`, { _token: retryToken })).status).to.equal(403);
        expect((await new TaskQueue(w.h.site.db).get(w.ids.taskB))!.status).to.equal('success');
        expect(await count()).to.equal(before);
      } finally {
        await w.cancel(queued);
      }
      const editToken = formToken((await ca.get(`/node/${w.ids.siteA}/edit`)).body, 'node_site_form');
      const r = await ca.post(`/node/${w.ids.siteB}/edit`, { _token: editToken, title: DOMAIN_B, aliases: 'stolen.test', platform: String(w.ids.platform), db_server: '', profile: 'minimal', client: String(w.ids.clientA), status: '1' });
      expect(r.status).to.equal(403);
      expect(await w.h.site.db('hosting_domain').where({ domain: 'stolen.test' }).first()).to.equal(undefined);
      expect(((await w.h.site.db('hosting_site').where({ nid: w.ids.siteB }).first('client_nid')) as { client_nid: number }).client_nid).to.equal(w.ids.clientB);
    });

    it('a site\'s own form cannot hand it to another client (the client field is checked against the saving user\'s scope)', async () => {
      const ca = w.browser('clientA');
      const form = await ca.get(`/node/${w.ids.siteA}/edit`);
      expect(selectOptions(form.body, 'client')).to.deep.equal([String(w.ids.clientA)]);
      const r = await ca.post(`/node/${w.ids.siteA}/edit`, { _token: formToken(form.body, 'node_site_form'), title: DOMAIN_A, aliases: '', platform: String(w.ids.platform), db_server: '', profile: 'minimal', client: String(w.ids.clientB), status: '1' });
      expect(r.status).to.equal(422);
      expect(fieldError(r.body, 'node-site-form', 'client')).to.be.a('string').and.not.equal('');
      expect(((await w.h.site.db('hosting_site').where({ nid: w.ids.siteA }).first('client_nid')) as { client_nid: number }).client_nid).to.equal(w.ids.clientA);
      // Saved without the form's select (a command, an import): the site's node check refuses another client, at its field.
      const account = await w.account('clientA');
      const stored = (await loadNode(w.h.site, w.ids.siteA))!;
      const moved = await expectCode(saveNode(w.h.site, { nid: stored.nid, type: 'site', title: stored.title, fields: { ...stored.fields, client: w.ids.clientB } }, { account }), 'ERR_NODE_INVALID');
      expect(moved.facts.fields).to.include('client');
      const before = await count();
      const made = await expectCode(saveNode(w.h.site, { type: 'site', title: 'bakery-extra.test', fields: { aliases: '', platform: w.ids.platform, profile: 'minimal', client: w.ids.clientB } }, { account }), 'ERR_NODE_INVALID');
      expect(made.facts.fields).to.include('client');
      expect(await count()).to.equal(before);
      expect(((await w.h.site.db('hosting_site').where({ nid: w.ids.siteA }).first('client_nid')) as { client_nid: number }).client_nid).to.equal(w.ids.clientA);
    });

    it('a user granted a client but without "access hosting" sees nothing of it: its pages, lists and backups are 403', async () => {
      await w.h.site.db('hosting_client_user').insert({ client_nid: w.ids.clientA, uid: w.uids.plain });
      try {
        const plain = w.browser('plain');
        for (const path of [`/node/${w.ids.siteA}`, `/node/${w.ids.clientA}`, `/node/${w.ids.taskA}`, `/node/${w.ids.platform}`, `/node/${w.ids.pkg}`, '/hosting', '/hosting/sites', `/hosting/tasks/${w.ids.taskA}/events`, `/hosting/backups/${w.ids.backupA}/download`]) {
          const r = path.includes('/events') ? await peek(plain, path) : await plain.get(path);
          expect(r.status, path).to.equal(403);
          expect(r.body, path).to.not.include(DOMAIN_A);
        }
        await expectCode(queueTask(w.h.site, { type: 'verify', object: w.ids.siteA, account: await w.account('plain') }), 'ERR_TASK_DENIED');
      } finally {
        await w.h.site.db('hosting_client_user').where({ client_nid: w.ids.clientA, uid: w.uids.plain }).delete();
      }
    });

    it('idor: a task whose type the user may not ask for cannot be cancelled or retried by them, even on their own site and with valid tokens', async () => {
      // A migrate of site A (platform managers and administrators only), seen by the client of A.
      const migrate = (await queueTask(w.h.site, { type: 'migrate', object: w.ids.siteA, args: { new_name: 'anvil-moved.test' }, account: CONSOLE_ACCOUNT })).node.nid;
      const queue = new TaskQueue(w.h.site.db);
      const ca = w.browser('clientA');
      try {
        expect((await ca.get(`/node/${migrate}`)).status).to.equal(200);
        expect((await ca.get(`/node/${migrate}/cancel`)).status).to.equal(403);
        const cancelToken = formToken((await ca.get(`/node/${w.ids.taskA}/cancel`)).body, 'hosting_task_cancel');
        expect((await ca.post(`/node/${migrate}/cancel`, { _token: cancelToken })).status).to.equal(403);
        expect((await queue.get(migrate))!.status).to.equal('queued');
        expect((await w.browser('manager').get(`/node/${migrate}/cancel`)).status).to.equal(200);
      } finally {
        await w.cancel(migrate);
      }
      const retryToken = formToken((await ca.get(`/node/${w.ids.taskA}/retry`)).body, 'hosting_task_retry');
      expect((await ca.get(`/node/${migrate}/retry`)).status).to.equal(403);
      expect((await ca.post(`/node/${migrate}/retry`, { _token: retryToken })).status).to.equal(403);
      expect((await queue.get(migrate))!.status).to.equal('cancelled');
    });

    it('a task form for a site in the wrong state (enable on an installed site), a retry of its install and a dangerous task not confirmed are refused (422); nothing is queued', async () => {
      const ca = w.browser('clientA');
      const before = await count();
      const enable = await ca.postForm(`/node/${w.ids.siteA}/task/enable`, {}, { formId: 'hosting_task_enable' });
      expect(enable.status).to.equal(422);
      const del = await ca.postForm(`/node/${w.ids.siteA}/task/delete`, {}, { formId: 'hosting_task_delete' });
      expect(del.status).to.equal(422);
      expect(fieldError(del.body, 'hosting_task_delete', 'confirm')).to.be.a('string').and.not.equal('');
      expect(await count()).to.equal(before);
      await expectCode(queueTask(w.h.site, { type: 'enable', object: w.ids.siteA, account: await w.account('clientA') }), 'ERR_TASK_NOT_OFFERED');
      // A retry is checked again like a new task: the install of a site installed since is not offered.
      const retry = await ca.postForm(`/node/${w.ids.taskA}/retry`, {}, { formId: 'hosting_task_retry' });
      expect(retry.status).to.equal(422);
      expect((await new TaskQueue(w.h.site.db).get(w.ids.taskA))!.status).to.equal('success');
      expect(await count()).to.equal(before);
      expect(((await w.h.site.db('hosting_site').where({ nid: w.ids.siteA }).first('status')) as { status: string }).status).to.equal('installed');
    });

    const LISTS: Readonly<Record<string, readonly string[]>> = {
      '/hosting/sites': ['sort=pass', 'sort=s.domain;DROP TABLE users', 'order=asc;DROP TABLE users', 'status=x\' OR 1=1', 'status=x%27%20OR%201%3D1--', 'platform=999999', 'platform=1 OR 1=1', 'client=999999', 'client=abc', 'sort=__proto__', 'sort=toString', 'sort[]=domain', 'page=-1', 'page=99999999999'],
      '/hosting/tasks': ['sort=t.uid', 'type=nosuch', 'type=verify\' OR \'1\'=\'1', 'kind=client', 'status=x\' OR 1=1', 'order=desc;--'],
      '/hosting/platforms': ['status=deleted\' --', 'sort=root', 'sort=p.root', 'order=sideways'],
      '/hosting/clients': ['sort=users;DROP TABLE users', 'sort=c.mail'],
      '/hosting/packages': ['type=theme\'', 'sort=k.nid;--'],
      '/hosting/servers': ['status=x\' OR 1=1', 'sort=v.context'],
    };
    for (const [path, queries] of Object.entries(LISTS)) {
      it(`sql-injection: ${path} with sort, order and filter values outside their lists answers 200 with the unfiltered list`, async () => {
        for (const role of ['admin', 'clientA'] as const) {
          const base = await w.browser(role).get(path);
          if (path === '/hosting/servers' && role === 'clientA') { expect(base.status).to.equal(403); continue; }
          expect(base.status, `${role} ${path}`).to.equal(200);
          const want = listRows(base.body);
          expect(want.caption, `${role} ${path}`).to.match(/^[1-9]\d* /);
          for (const q of queries) {
            const r = await w.browser(role).get(`${path}?${q.replace(/ /g, '%20').replace(/'/g, '%27')}`);
            expect(r.status, `${role} ${path}?${q}`).to.equal(200);
            expect(listRows(r.body), `${role} ${path}?${q}`).to.deep.equal(want);
            expect(leaks(role, r.body), `${role} ${path}?${q}`).to.deep.equal([]);
          }
        }
      });
    }

    it('a list\'s search is a literal substring: "%" and "_" match no site (they are no wildcards)', async () => {
      for (const q of ['%25', '_', '%25%27%20OR%201%3D1--']) {
        const r = await w.browser('admin').get(`/hosting/sites?search=${q}`);
        expect(r.status, q).to.equal(200);
        expect(listRows(r.body).caption, q).to.equal('0 sites');
      }
      expect(listRows((await w.browser('admin').get('/hosting/sites?search=shop')).body).caption).to.equal('2 sites');
    });

    it('idor: a client\'s user asking for another client\'s sites by filter gets their own list, nothing of the other\'s', async () => {
      const ca = w.browser('clientA');
      const own = listRows((await ca.get('/hosting/sites')).body);
      expect(own.body).to.include(DOMAIN_A);
      for (const q of [`client=${w.ids.clientB}`, `client=${w.ids.clientB}&status=installed`, 'status=deleted', `platform=${w.ids.platform}&client=${w.ids.clientB}`]) {
        const r = await ca.get(`/hosting/sites?${q}`);
        expect(r.status, q).to.equal(200);
        expect(leaks('clientA', r.body), q).to.deep.equal([]);
      }
      // Searching for the other client's domain finds nothing (the search box shows back only what was typed).
      const search = listRows((await ca.get(`/hosting/sites?search=${DOMAIN_B}`)).body);
      expect(search.body).to.not.include(DOMAIN_B);
      expect(search.caption).to.equal('0 sites');
      expect(listRows((await ca.get(`/hosting/sites?client=${w.ids.clientB}`)).body)).to.deep.equal(own);
      // The client select offers the user's own client only.
      expect(selectOptions((await ca.get('/hosting/sites')).body, 'client')).to.deep.equal([String(w.ids.clientA)]);
      for (const q of ['kind=site', 'type=install']) expect(leaks('clientA', (await ca.get(`/hosting/tasks?${q}`)).body), q).to.deep.equal([]);
      expect(listRows((await ca.get(`/hosting/tasks?search=${DOMAIN_B}`)).body).caption).to.equal('0 tasks');
    });

    it('xss: script cannot be a site\'s domain; in a backup\'s description and a task\'s log line it is shown escaped, never raw', async () => {
      await expectCode(saveNode(w.h.site, { type: 'site', title: `${XSS}.test`, fields: { aliases: '', platform: w.ids.platform, db_server: w.ids.server, profile: 'minimal', client: w.ids.clientA } }, { account: CONSOLE_ACCOUNT }), 'ERR_NODE_INVALID');
      const ca = w.browser('clientA');
      const before = await count();
      const add = await ca.postForm('/node/add/site', { title: `${XSS}.test`, aliases: '', platform: String(w.ids.platform), db_server: '', profile: 'minimal', client: String(w.ids.clientA), status: '1' });
      expect(add.status).to.equal(422);
      expect(fieldError(add.body, 'node-site-form', 'title')).to.be.a('string').and.not.equal('');
      expect(add.body).to.not.include(XSS);
      expect(await count()).to.equal(before);
      // The backup made with a script description (in the world's build): site page, backup task page, restore form.
      for (const path of [`/node/${w.ids.siteA}`, `/node/${w.ids.backupTaskA}`, `/node/${w.ids.siteA}/task/restore`, `/node/${w.ids.siteA}/task/backup-delete`]) {
        const r = await ca.get(path);
        expect(r.status, path).to.equal(200);
        expect(r.body, path).to.include(ESCAPED_XSS).and.not.include(XSS);
      }
      // A log line of the install task's run.
      const run = ((await w.h.site.db('hosting_task').where({ nid: w.ids.taskA }).first('run_id')) as { run_id: number }).run_id;
      const [lid] = (await w.h.site.db('hosting_task_log').insert({ rid: run, time: Date.now(), level: 'warning', message: XSS })) as number[];
      try {
        const page = await ca.get(`/node/${w.ids.taskA}`);
        expect(page.body).to.include(ESCAPED_XSS).and.not.include(XSS);
        // The event stream carries it as JSON data of an event stream (never HTML), and ends after its end event: the task has finished.
        const s = await readStream(ca, `/hosting/tasks/${w.ids.taskA}/events`);
        expect(s.type).to.match(/^text\/event-stream/);
        expect(s.body).to.include(`"message":${JSON.stringify(XSS)}`).and.match(/event: end\ndata: \{"status":"success"\}\n\n$/);
      } finally {
        await w.h.site.db('hosting_task_log').where({ lid: Number(lid) }).delete();
      }
      // A client's name is free text: shown escaped in the clients list.
      const evil = await saveNode(w.h.site, { type: 'client', title: `Evil ${XSS} Inc`, fields: { mail: '' } }, { account: CONSOLE_ACCOUNT });
      try {
        const list = await w.browser('admin').get('/hosting/clients');
        expect(list.body).to.include(`Evil ${ESCAPED_XSS} Inc`).and.not.include(XSS);
        expect((await w.browser('clientA').get('/hosting/clients')).body).to.not.include('Evil');
      } finally {
        await deleteNode(w.h.site, evil, { account: CONSOLE_ACCOUNT });
      }
    });
  });

  describe('a client limited to platforms', () => {
    const limit = async (platforms: readonly number[]): Promise<void> => {
      const r = await w.browser('admin').postForm(`/node/${w.ids.clientA}/access`, { users: `${USER_NAMES.manager!}\n${USER_NAMES.clientA!}`, ...(platforms.length ? { platforms: platforms.map(String) } : {}) } as Fields, { formId: 'hosting_client_access' });
      expect(r.status, r.body.slice(0, 500)).to.equal(303);
      const rows = ((await w.h.site.db('hosting_client_platform').where({ client_nid: w.ids.clientA }).select('platform_nid')) as { platform_nid: number }[]).map((x) => Number(x.platform_nid));
      expect(rows).to.have.members([...platforms]);
    };
    after(async () => {
      await w?.h.site.db('hosting_client_platform').where({ client_nid: w.ids.clientA }).delete();
    });

    it('unlimited, the client\'s user is offered both platforms on the site form and the clone form', async () => {
      const ca = w.browser('clientA');
      const both = [String(w.ids.platform), String(w.ids.platform2)];
      expect(selectOptions((await ca.get('/node/add/site')).body, 'platform')).to.have.members(both);
      expect(selectOptions((await ca.get(`/node/${w.ids.siteA}/task/clone`)).body, 'platform')).to.have.members(both);
    });

    it('limited to the second platform (on its Access tab), the first is refused on the site form (422 at the platform field), absent from the clone form and refused as a clone target; the second is accepted', async () => {
      await limit([w.ids.platform2]);
      const ca = w.browser('clientA');
      const add = await ca.get('/node/add/site');
      expect(selectOptions(add.body, 'platform')).to.deep.equal([String(w.ids.platform2)]);
      const sites = await w.h.site.db('hosting_site').count({ n: '*' });
      const before = await count();
      const site = (platform: number): Fields => ({ title: 'anvil-new.test', aliases: '', platform: String(platform), db_server: '', profile: 'minimal', client: String(w.ids.clientA), status: '1' });
      const refused = await ca.postForm('/node/add/site', site(w.ids.platform));
      expect(refused.status).to.equal(422);
      expect(fieldError(refused.body, 'node-site-form', 'platform')).to.be.a('string').and.not.equal('');
      expect(await w.h.site.db('hosting_site').count({ n: '*' })).to.deep.equal(sites);
      expect(await count()).to.equal(before);
      expect(selectOptions((await ca.get(`/node/${w.ids.siteA}/task/clone`)).body, 'platform')).to.deep.equal([String(w.ids.platform2)]);
      const account = await w.account('clientA');
      // Saved without the form's select: the site's node check refuses the platform, at its field.
      const direct = await expectCode(saveNode(w.h.site, { type: 'site', title: 'anvil-direct.test', fields: { aliases: '', platform: w.ids.platform, profile: 'minimal', client: w.ids.clientA } }, { account }), 'ERR_NODE_INVALID');
      expect(direct.facts.fields).to.include('platform');
      expect(await count()).to.equal(before);
      await expectCode(queueTask(w.h.site, { type: 'clone', object: w.ids.siteA, args: { new_name: 'anvil-copy.test', platform: w.ids.platform }, account }), 'ERR_TASK_ARGS_INVALID');
      const cloneForm = await ca.postForm(`/node/${w.ids.siteA}/task/clone`, { new_name: 'anvil-copy.test', platform: String(w.ids.platform) }, { formId: 'hosting_task_clone' });
      expect(cloneForm.status).to.equal(422);
      expect(await count()).to.equal(before);
      const clone = await queueTask(w.h.site, { type: 'clone', object: w.ids.siteA, args: { new_name: 'anvil-copy.test', platform: w.ids.platform2 }, account });
      await w.cancel(clone.node.nid);
      // The first platform is out of the client's sight now; the manager (every platform) still has it.
      expect((await ca.get(`/node/${w.ids.platform}`)).status).to.equal(403);
      expect((await w.browser('manager').get(`/node/${w.ids.platform}`)).status).to.equal(200);
      const ok = await ca.postForm('/node/add/site', site(w.ids.platform2));
      expect(ok.status, ok.body.slice(0, 500)).to.equal(303);
      const nid = nodeOfRedirect(ok.location);
      const row = (await w.h.site.db('hosting_site').where({ nid }).first('platform_nid', 'client_nid', 'status')) as { platform_nid: number; client_nid: number; status: string };
      expect([Number(row.platform_nid), Number(row.client_nid), row.status]).to.deep.equal([w.ids.platform2, w.ids.clientA, 'new']);
      // Its install is queued; nothing runs it here.
      await w.cancel(await w.h.lastTask(nid));
      await limit([]);
      expect((await ca.get(`/node/${w.ids.platform}`)).status).to.equal(200);
    });
  });
});
