/**
 * The hosting admin end to end, in a real browser (Debian's headless
 * Chromium, driven by playwright-core): a hostmaster on a real provision
 * back end, served in this process, whose serving process runs the queue.
 * An administrator logs in, adds a server and a platform on their forms
 * and sees them verified; adds a client and a site for it and watches the
 * install's log arrive live; backs the site up, changes it, restores it;
 * logs in to the hosted site with the site page's "Log in" button; grants
 * a client user the client, who then sees that client's site and not
 * another client's. No page logs a console error, throws, or breaks its
 * CSP.
 *
 * "Live" is proven without trusting timing: what a task page's log and
 * status badge do is recorded by a MutationObserver put into the page as
 * it was loaded, reporting to the test through a binding, each record
 * tagged with a name given to that document. A reload would start a new
 * document without the observer, so records under that name come only
 * from the page as first loaded.
 *
 * Screenshots of the main pages are taken always and kept only when
 * $AEGIR_SCREENSHOTS names a folder (as hosting-*.png there).
 *
 * The steps share one hostmaster and browser session and run in order;
 * each leaves what the next one needs.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_ACCOUNT } from '../../modules/hosting/commands/common.js';
import { saveNode } from '../../modules/node/storage.js';
import { show } from '../cli/run-helper.js';
import { until } from '../modules/hosting/env.js';
import { COMMAND_TIMEOUT_MS, watchPages, type PageWatch } from './browser.js';
import { HOSTMASTER, launchHostingChromium, serveHostmaster, type ServedHostmaster } from './hosting-env.js';

const ADMIN_PASS = 'Hosting-Browser-Pass-1234';
const CLIENT_USER = 'carol';
const CLIENT_PASS = 'Carol-Client-Pass-5678';
const SITE = 'site-one.test';
const OTHER_SITE = 'site-two.test';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
/** The longest a task may take here (an install on a busy machine); a step may wait for several. */
const TASK_MS = 90_000;
/** The steps of provision-install, in order; its log names each as it starts ("[3/7] Install the site on its platform"; modules may add steps). */
const INSTALL_STEPS = [
  'Check the platform, the profile and the services',
  'Create the site\'s database and its user',
  'Install the site on its platform',
  'Make sure the platform\'s app process runs',
  'Write the site\'s virtual host and reload the web server',
  'Write the site\'s command-line alias',
  'Check that the site answers through the web server',
];
/** The line of the install's step that runs the platform's site-install, whatever the steps' numbers. */
const INSTALL_STEP_LINE = /^\[\d+\/\d+\] Install the site on its platform$/;
/** A step's line without its number. */
const stepTitle = (line: string): string => line.replace(/^\[\d+\/\d+\] /, '');
const FINISHED = ['success', 'warning', 'error', 'cancelled'];
/** The binding the recorder in a task page reports to. */
const RECORD = '__aegirTestRecord';

/** What a task page as first loaded did: a log line added (with the status its badge showed then), or its badge changed. */
interface Observed {
  readonly doc: string;
  readonly kind: 'line' | 'status';
  readonly text: string;
  readonly status: string;
}

describe('browser: the hosting admin end to end (headless Chromium, real back end)', function () {
  this.timeout(3 * TASK_MS);
  let hm: ServedHostmaster | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const watches: PageWatch[] = [];
  const records: Observed[] = [];
  /** Answers the test asked for on purpose: the browser logs "Failed to load resource" for them. */
  const expectedFailures: { url: string; status: number }[] = [];
  const ids: Record<string, number> = {};

  const origin = (): string => hm!.origin;
  /** Open a path of the hostmaster by address and check the status of the answer. */
  async function visit(p: Page, path: string, status = 200): Promise<void> {
    const url = `${origin()}${path}`;
    if (status >= 400) expectedFailures.push({ url, status });
    const r = await p.goto(url);
    expect(r?.status(), `GET ${path}`).to.equal(status);
  }
  const nidOf = (url: string): number => Number(/\/node\/(\d+)(?:[?#].*)?$/.exec(url)?.[1] ?? NaN);
  /** A form field by its whole label (a required field's label ends with its "*"). */
  const field = (p: Page, label: string) => p.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: \\*)?$`));
  const heading = (p: Page): Promise<string> => p.locator('main h1').innerText();
  const statusMessages = (p: Page): Promise<string[]> => p.locator('.messages--status').allInnerTexts()
    .then((l) => l.map((t) => t.replace(/^Status message\s*/, '').trim()));
  /** The status badge at the top of an object's page. */
  const objectStatus = (p: Page): Promise<string> => p.locator('.object-head__status .badge').first().innerText();
  /** The messages of a task page's log lines. */
  const logMessages = (p: Page): Promise<string[]> => p.locator('li.log-line .log-line__message').allTextContents();

  /** Reload an object's page until its status badge reads `want` (or fails for good): what a user waiting for a verify does. */
  async function reloadUntilStatus(p: Page, want: string, ms = TASK_MS): Promise<void> {
    const end = Date.now() + ms;
    for (;;) {
      const now = await objectStatus(p);
      if (now === want) return;
      if (now === 'failed' || Date.now() > end) throw new Error(`${p.url()} shows ${now}, not ${want}`);
      await p.waitForTimeout(250);
      await p.reload();
    }
  }

  /**
   * Wait until a JavaScript expression is true in the page, polled from here
   * with page.evaluate (which the page's CSP allows; waitForFunction would
   * eval() in the page, which it forbids). A navigation meanwhile counts as
   * not yet.
   */
  async function waitInPage(p: Page, expression: string, ms = TASK_MS): Promise<void> {
    const end = Date.now() + ms;
    for (;;) {
      let ok = false;
      try { ok = (await p.evaluate(expression)) === true; } catch { /* the page navigated */ }
      if (ok) return;
      if (Date.now() > end) throw new Error(`timed out on ${p.url()} waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Wait on a task's page until it shows the finished task (live.js reloads
   * a live page once the task ended; the finished page has no event
   * stream), and check its status. Waiting for that reload also keeps it
   * from cutting into the test's next navigation.
   */
  async function taskFinished(p: Page, want: string): Promise<void> {
    await waitInPage(p, `!document.querySelector('[data-task-events]') && ${JSON.stringify(FINISHED)}.includes(document.querySelector('[data-task-status]')?.textContent.trim())`);
    expect(await p.locator('[data-task-status]').innerText(), (await logMessages(p)).join('\n')).to.equal(want);
  }

  /**
   * Put the recorder into a task page as loaded: a name for this document
   * (also on window), and a MutationObserver reporting each log line added
   * and each change of the status badge. Resolves with what the page shows
   * now.
   */
  function record(p: Page, doc: string): Promise<{ status: string; messages: string[] }> {
    return p.evaluate(`(() => {
      const doc = ${JSON.stringify(doc)};
      window.__aegirTestDocument = doc;
      const status = document.querySelector('[data-task-status]');
      const now = () => status.textContent.trim();
      new MutationObserver((changes) => { for (const c of changes) for (const n of c.addedNodes) {
        if (n.nodeType === 1 && n.matches('li.log-line')) window.${RECORD}({ doc, kind: 'line', text: n.querySelector('.log-line__message').textContent, status: now() });
      } }).observe(document.querySelector('[data-task-log]'), { childList: true });
      let shown = now();
      new MutationObserver(() => { if (now() !== shown) { shown = now(); window.${RECORD}({ doc, kind: 'status', text: shown, status: shown }); } })
        .observe(status, { childList: true, characterData: true, subtree: true });
      return { status: now(), messages: [...document.querySelectorAll('li.log-line .log-line__message')].map((e) => e.textContent) };
    })()`);
  }
  const recorded = (doc: string, kind: Observed['kind']): Observed[] => records.filter((r) => r.doc === doc && r.kind === kind);

  /** Wait until the recorder saw `check` in document `doc`; on a timeout, say what it and the page saw, and where the task is. */
  async function waitForRecord(doc: string, what: string, check: () => boolean, task: number): Promise<void> {
    try {
      await until(check, TASK_MS);
    } catch {
      const shown = await page.evaluate(`({ doc: window.__aegirTestDocument, status: document.querySelector('[data-task-status]')?.textContent.trim(), live: !!document.querySelector('[data-task-events]') })`).catch((e: unknown) => String(e));
      const t = await hm!.h.site.db('hosting_task').where({ nid: task }).first();
      throw new Error(`${what}: not seen in ${TASK_MS} ms.\nrecorded: ${JSON.stringify(records.filter((r) => r.doc === doc))}\npage ${page.url()}: ${JSON.stringify(shown)}\ntask: ${JSON.stringify(t)}\nlog:\n${await hm!.h.logOf(task)}`);
    }
  }

  /** A screenshot (it must render); written to $AEGIR_SCREENSHOTS/hosting-<name>.png only when that is set. */
  async function screenshot(p: Page, name: string): Promise<void> {
    const dir = process.env.AEGIR_SCREENSHOTS;
    const png = await p.screenshot(dir ? { path: join(dir, `hosting-${name}.png`) } : {});
    expect(png.length, `screenshot ${name}`).to.be.greaterThan(0);
  }

  async function newWatchedContext(): Promise<{ context: BrowserContext; page: Page }> {
    const c = await browser!.newContext({ viewport: DESKTOP });
    watches.push(await watchPages(c));
    const p = await c.newPage();
    p.setDefaultTimeout(20_000);
    return { context: c, page: p };
  }

  async function logIn(p: Page, name: string, pass: string): Promise<void> {
    await visit(p, '/user/login');
    await field(p, 'Username').fill(name);
    await field(p, 'Password').fill(pass);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL((u) => !u.pathname.startsWith('/user/login'));
  }

  before(async function () {
    this.timeout(COMMAND_TIMEOUT_MS * 3);
    hm = await serveHostmaster(ADMIN_PASS);
    browser = await launchHostingChromium(hm, [SITE, OTHER_SITE]);
    const admin = await newWatchedContext();
    await admin.context.exposeBinding(RECORD, (_source, r: Observed) => { records.push(r); });
    page = admin.page;
  });

  after(async function () {
    this.timeout(COMMAND_TIMEOUT_MS);
    const problems: unknown[] = [];
    for (const step of [() => browser?.close(), () => hm?.stop()]) {
      try { await step(); } catch (e) { problems.push(e); }
    }
    if (problems.length) throw problems[0];
  });

  it('an administrator logs in, opens the dashboard, adds a server and a platform on their forms and sees both verified', async () => {
    await logIn(page, 'admin', ADMIN_PASS);
    await visit(page, '/hosting');
    expect(await heading(page)).to.equal('Hosting');
    expect(await page.locator('.dashboard__sites .card__count').innerText()).to.equal('0');
    expect(await page.getByRole('navigation', { name: 'Task queue' }).isVisible()).to.equal(true);

    // The server as this machine's back end has it (what env.ts addServer puts in).
    const master = JSON.parse(readFileSync(join(hm!.h.pe.home, 'contexts', 'server_master.json'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const settings = (k: string): string => Object.entries(master.services[k] ?? {}).filter(([n]) => n !== 'type').map(([n, v]) => `${n}=${String(v)}`).join(',');
    await visit(page, '/node/add/server');
    await field(page, 'Name').fill('Master');
    await field(page, 'Machine name').fill('server_master');
    await field(page, 'Host').fill('localhost');
    await field(page, 'Web server').fill(String(master.services.http!.type));
    await field(page, 'Web server settings').fill(settings('http'));
    await field(page, 'Database service').fill(String(master.services.db!.type));
    await field(page, 'Database settings').fill(settings('db'));
    await field(page, 'App service').fill('builtin');
    await field(page, 'App settings').fill(settings('app'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/node\/\d+$/);
    ids.server = nidOf(page.url());
    expect(await heading(page)).to.equal('Master');

    await visit(page, '/node/add/platform');
    await field(page, 'Name').fill('Test platform');
    await field(page, 'Machine name').fill('platform_test');
    await field(page, 'Server').selectOption({ label: 'Master' });
    await field(page, 'Path').fill(hm!.h.pe.platform.root);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/node\/\d+$/);
    ids.platform = nidOf(page.url());
    expect(await heading(page)).to.equal('Test platform');

    await visit(page, `/node/${ids.server}`);
    await reloadUntilStatus(page, 'verified');
    await visit(page, `/node/${ids.platform}`);
    await reloadUntilStatus(page, 'verified');
    expect(await page.locator('section[aria-labelledby="platform-packages"]').innerText()).to.include('minimal');
  });

  it('adds a client and a site for it; the install\'s log arrives live on its task page; the site is installed', async () => {
    await visit(page, '/node/add/client');
    await field(page, 'Name').fill('Acme');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/node\/\d+$/);
    ids.client = nidOf(page.url());
    expect(await heading(page)).to.equal('Acme');

    await visit(page, '/node/add/site');
    await field(page, 'Domain').fill(SITE);
    await field(page, 'Platform').selectOption({ label: 'Test platform' });
    await field(page, 'Install profile').fill('minimal');
    await field(page, 'Client').selectOption({ label: 'Acme' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/node\/\d+$/);
    ids.site = nidOf(page.url());
    expect(await heading(page)).to.equal(SITE);
    // The site's newest task, its install, opened at once.
    const newest = page.locator('section[aria-labelledby="site-tasks"] tbody tr').first().locator('td').first().getByRole('link');
    expect(await newest.innerText()).to.equal(`Install: ${SITE}`);
    await newest.click();
    await page.waitForURL(/\/node\/\d+$/);
    const taskUrl = page.url();
    ids.install = nidOf(taskUrl);
    const atLoad = await record(page, 'install');
    expect(['queued', 'running'], `the install had not ended when its page loaded (it showed ${atLoad.status})`).to.include(atLoad.status);

    // The page as loaded gets the rest of the log and the final status, each as it comes.
    await waitForRecord('install', 'the status success', () => recorded('install', 'status').some((r) => r.text === 'success'), ids.install);
    const lines = recorded('install', 'line').map((r) => r.text);
    expect(lines.length, 'log lines added to the page as loaded').to.be.greaterThan(0);
    const log = [...atLoad.messages, ...lines];
    // First the contexts the task writes before it begins (the new site's, this once), then its steps.
    expect(log[0]).to.equal(`Created context @${SITE}.`);
    const steps = log.slice(1, -1);
    expect(steps, 'the whole log, each step once, in order').to.deep.equal(steps.map((l, i) => `[${i + 1}/${steps.length}] ${stepTitle(l)}`));
    expect(steps.map(stepTitle).filter((t) => INSTALL_STEPS.includes(t))).to.deep.equal(INSTALL_STEPS);
    expect(log.at(-1)).to.match(/^Installed site-one\.test on @platform_test in [\d.]+ s\.$/);
    await taskFinished(page, 'success');
    expect(page.url()).to.equal(taskUrl);

    await visit(page, `/node/${ids.site}`);
    expect(await objectStatus(page)).to.equal('installed');
    const open = page.getByRole('link', { name: `Open ${SITE}` });
    expect(await open.getAttribute('href')).to.equal(`http://${SITE}:${hm!.h.pe.proxyPort}/`);
  });

  it('a line the back end writes appears in an open task page while the task runs, without navigation', async () => {
    // Another client's site, made as the console makes it: its install is queued at once and run by the serving process.
    const h = hm!.h;
    ids.otherClient = (await saveNode(h.site, { type: 'client', title: 'Globex', fields: {} }, { account: CONSOLE_ACCOUNT })).nid;
    ids.otherSite = (await saveNode(h.site, { type: 'site', title: OTHER_SITE, fields: { platform: ids.platform!, profile: 'minimal', client: ids.otherClient } }, { account: CONSOLE_ACCOUNT })).nid;
    const task = await h.lastTask(ids.otherSite);
    await visit(page, `/node/${task}`);
    const url = page.url();
    const atLoad = await record(page, 'step3');
    expect(['queued', 'running'], `the install had not ended when its page loaded (it showed ${atLoad.status})`).to.include(atLoad.status);
    expect(atLoad.messages.filter((m) => INSTALL_STEP_LINE.test(m)), 'the line is not on the page as loaded').to.deep.equal([]);

    await waitForRecord('step3', String(INSTALL_STEP_LINE), () => recorded('step3', 'line').some((r) => INSTALL_STEP_LINE.test(r.text)), task);
    expect(recorded('step3', 'line').find((r) => INSTALL_STEP_LINE.test(r.text))!.status, 'the task was running when its line arrived').to.equal('running');
    expect(page.url()).to.equal(url);
    expect(await page.evaluate('window.__aegirTestDocument'), 'the page as loaded, not reloaded').to.equal('step3');
    expect(await page.locator('li.log-line .log-line__message', { hasText: INSTALL_STEP_LINE }).count(), 'shown once').to.equal(1);
    expect(await h.ended(task, TASK_MS), await h.logOf(task)).to.equal('success');
    await taskFinished(page, 'success');
  });

  it('backs the site up, changes it, restores the backup: the change is gone', async () => {
    const siteDir = join(hm!.h.pe.platform.root, 'sites', SITE);
    await visit(page, `/node/${ids.site}`);
    expect(await page.locator('section[aria-labelledby="site-backups"] tbody').innerText()).to.include('No backups yet.');
    await page.getByRole('link', { name: 'Back up…' }).click();
    await page.waitForURL(new RegExp(`/node/${ids.site}/task/backup$`));
    await field(page, 'Description').fill('Before the change');
    await page.getByRole('button', { name: 'Back up', exact: true }).click();
    await page.waitForURL(/\/node\/\d+$/);
    expect(await statusMessages(page)).to.deep.equal([`Back up: queued for ${SITE}.`]);
    expect(await heading(page)).to.equal(`Back up: ${SITE}`);
    await taskFinished(page, 'success');

    await visit(page, `/node/${ids.site}`);
    const row = page.locator('section[aria-labelledby="site-backups"] tbody tr', { hasText: 'Before the change' });
    expect(await row.count(), 'the backup is listed on the site page').to.equal(1);
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).to.match(new RegExp(`^${SITE.replace('.', '\\.')}-[\\w.-]+\\.tar\\.gz$`));
    expect(readFileSync(await download.path()).subarray(0, 2).toString('hex'), 'a gzip file').to.equal('1f8b');

    // The change: a file in the site's files folder, and the site's name in its database.
    expect(existsSync(join(siteDir, 'files')), `${siteDir}/files`).to.equal(true);
    writeFileSync(join(siteDir, 'files', 'after-the-backup.txt'), 'made after the backup\n');
    const renamed = await hm!.platformAegir(SITE, ['config-set', 'system.site_name', 'Changed after the backup']);
    expect(renamed.code, show(renamed)).to.equal(0);
    expect((await hm!.platformAegir(SITE, ['config-get', 'system.site_name'])).stdout.trim()).to.equal('Changed after the backup');

    await row.getByRole('link', { name: 'Restore' }).click();
    await page.waitForURL(new RegExp(`/node/${ids.site}/task/restore\\?backup=\\d+$`));
    expect(await field(page, 'Backup').locator('option:checked').innerText()).to.include('Before the change');
    await field(page, `Yes, restore ${SITE}`).check();
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.waitForURL(/\/node\/\d+$/);
    expect(await statusMessages(page)).to.deep.equal([`Restore: queued for ${SITE}.`]);
    await taskFinished(page, 'success');
    expect(existsSync(join(siteDir, 'files', 'after-the-backup.txt')), 'the file made after the backup').to.equal(false);
    const name = await hm!.platformAegir(SITE, ['config-get', 'system.site_name']);
    expect(name.stdout.trim(), show(name)).to.equal(SITE);
    await visit(page, `/node/${ids.site}`);
    expect(await objectStatus(page)).to.equal('installed');
  });

  it('"Log in" on the site page queues a login link and, once it is made, opens the hosted site logged in as its admin', async () => {
    await visit(page, `/node/${ids.site}`);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(/\/node\/\d+$/);
    expect(await heading(page)).to.equal(`Log in: ${SITE}`);
    // live.js sends the browser on to the link as soon as the task ends.
    await page.waitForURL((u) => u.hostname === SITE, { timeout: TASK_MS });
    expect(new URL(page.url()).pathname).to.match(/^\/user\/reset\/1\/\d+\/[\w-]+$/);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.hostname === SITE && !u.pathname.startsWith('/user/reset/'));
    expect(new URL(page.url()).pathname).to.equal('/user/1/edit');
    expect(await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log out', exact: true }).isVisible()).to.equal(true);
  });

  it('a client user granted Acme on its Access tab sees Acme\'s site and not another client\'s', async () => {
    const created = await hm!.aegir(HOSTMASTER, ['user-create', CLIENT_USER, `--mail=${CLIENT_USER}@example.test`, '--password-file=-'], CLIENT_PASS);
    expect(created.code, show(created)).to.equal(0);
    const role = await hm!.aegir(HOSTMASTER, ['user-add-role', 'hosting_client', CLIENT_USER]);
    expect(role.code, show(role)).to.equal(0);

    await visit(page, `/node/${ids.client}`);
    await page.getByRole('navigation', { name: 'Tabs' }).getByRole('link', { name: 'Access', exact: true }).click();
    await page.waitForURL(new RegExp(`/node/${ids.client}/access$`));
    await field(page, 'Users').fill(CLIENT_USER);
    await page.getByRole('button', { name: 'Save access' }).click();
    await page.waitForURL(new RegExp(`/node/${ids.client}$`));
    expect(await statusMessages(page)).to.deep.equal(['Access to Acme saved: 1 user, every platform.']);

    const client = await newWatchedContext();
    try {
      await logIn(client.page, CLIENT_USER, CLIENT_PASS);
      await visit(client.page, '/hosting/sites');
      expect(await client.page.locator('table.hosting-list tbody tr td:first-child').allInnerTexts()).to.deep.equal([SITE]);
      expect(await client.page.locator('main').innerText()).to.not.include(OTHER_SITE);
      await screenshot(client.page, 'client-sites');
      const url = `${origin()}/node/${ids.otherSite}`;
      const status = (await client.page.goto(url))?.status() ?? 0;
      expectedFailures.push({ url, status });
      expect([403, 404], 'another client\'s site').to.include(status);
      expect(await client.page.content()).to.not.include(OTHER_SITE);
    } finally {
      await client.context.close();
    }
  });

  it('screenshots of the main pages (desktop and phone)', async () => {
    await visit(page, '/hosting');
    await screenshot(page, 'dashboard');
    await visit(page, '/hosting/sites');
    await screenshot(page, 'sites');
    await visit(page, `/node/${ids.site}`);
    await screenshot(page, 'site');
    await visit(page, `/node/${ids.install}`);
    expect(await page.locator('li.log-line').count()).to.be.greaterThan(INSTALL_STEPS.length);
    await screenshot(page, 'task');
    await page.setViewportSize(PHONE);
    await visit(page, '/hosting');
    await screenshot(page, 'dashboard-375');
    await visit(page, `/node/${ids.site}`);
    await screenshot(page, 'site-375');
  });

  it('no page logged a console error, threw, or broke its CSP', () => {
    // The step above opened another client's site on purpose; Chromium logs that answer as a console error.
    const unexpected = watches.flatMap((w) => w.consoleErrors).filter((e) => !expectedFailures.some((f) => f.url === e.url
      && e.text === `Failed to load resource: the server responded with a status of ${f.status} (${f.status === 404 ? 'Not Found' : 'Forbidden'})`));
    const where = (url: string): string => url.replace(/(\/user\/reset\/\d+\/\d+\/).+$/, '$1***');
    expect(unexpected.map((e) => `${e.text} (on ${where(e.url)})`), 'console errors').to.deep.equal([]);
    expect(watches.flatMap((w) => w.pageErrors), 'page errors').to.deep.equal([]);
    expect(watches.flatMap((w) => w.cspViolations).map((v) => JSON.stringify(v)), 'CSP violations').to.deep.equal([]);
    expect(watches.flatMap((w) => w.dialogs), 'dialogs').to.deep.equal([]);
  });
});
