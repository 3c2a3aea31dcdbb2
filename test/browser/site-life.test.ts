/**
 * The whole life of a site, end to end in headless Chromium, once on the
 * embedded defaults (the built-in proxy, SQLite) and once on nginx and
 * MariaDB: the hostmaster installed from a clean codebase by
 * `aegir hostmaster-install` and served by `aegir hostmaster-start`; its
 * administrator logs in with the install's one-time link, adds two
 * platforms built from two tags of a git repository (the newer one with
 * an update of module life_demo), creates a site on the older one, opens
 * it through the web server, logs in to it with its one-time link, backs
 * it up, writes a page on it, restores it, clones it, migrates it to the
 * newer platform (the update runs), disables and enables it, and deletes
 * it. After each step the test checks disk, database and HTTP itself.
 *
 * Each step's time is recorded; the times are printed after the run, and
 * written as JSON to $AEGIR_LIFE_TIMES when that names a file
 * (bench/site-life.ts runs this file for its figures).
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { COMMAND_TIMEOUT_MS, launchChromium, watchPages, type PageWatch } from './browser.js';
import { STACKS, startLife, UPDATE_TABLE, type Life } from './life-env.js';

const SITE = 'life.test';
const CLONE = 'life-clone.test';
const PAGE_TITLE = 'Written after the backup';
/** The longest one task may take here (a migrate on a busy machine). */
const TASK_MS = 180_000;
const FINISHED = ['success', 'warning', 'error', 'cancelled'];

/** The time of each step of one stack's run, in ms. */
export type LifeTimes = Record<string, number>;

for (const stack of STACKS) {
  describe(`browser: the whole life of a site on ${stack.name}`, function () {
    this.timeout(2 * TASK_MS);
    let life: Life | undefined;
    let browser: Browser | undefined;
    let page: Page;
    let watch: PageWatch;
    const times: LifeTimes = {};
    const ids: Record<string, number> = {};
    const roots: Record<'old' | 'new', string> = { old: '', new: '' };
    let stepStarted = 0;

    const L = (): Life => life!;
    const hostmaster = (path: string): string => `${L().url}${path}`;
    const hosted = (domain: string, path = '/'): string => `http://${domain}:${L().port}${path}`;
    const nidOf = (url: string): number => Number(/\/node\/(\d+)(?:[?#].*)?$/.exec(url)?.[1] ?? NaN);
    const field = (p: Page, label: string) => p.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: \\*)?$`));
    const heading = (p: Page): Promise<string> => p.locator('main h1').innerText();
    const objectStatus = (p: Page): Promise<string> => p.locator('.object-head__status .badge').first().innerText();
    const logOf = (p: Page): Promise<string> => p.locator('li.log-line .log-line__message').allTextContents().then((l) => l.join('\n'));

    async function visit(path: string, status = 200): Promise<void> {
      const r = await page.goto(hostmaster(path));
      expect(r?.status(), `GET ${path}`).to.equal(status);
    }

    /** Poll a page's state from here (the page's CSP forbids waitForFunction's eval). */
    async function waitInPage(expression: string, ms = TASK_MS): Promise<void> {
      const end = Date.now() + ms;
      for (;;) {
        let ok = false;
        try { ok = (await page.evaluate(expression)) === true; } catch { /* navigating */ }
        if (ok) return;
        if (Date.now() > end) throw new Error(`timed out on ${page.url()} waiting for ${expression}\n${await logOf(page).catch(() => '')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** On a task's page: wait until the live page shows it finished, and check it succeeded. */
    async function taskSucceeded(): Promise<void> {
      await waitInPage(`!document.querySelector('[data-task-events]') && ${JSON.stringify(FINISHED)}.includes(document.querySelector('[data-task-status]')?.textContent.trim())`);
      expect(await page.locator('[data-task-status]').innerText(), await logOf(page)).to.equal('success');
    }

    /** Reload an object's page until its status badge reads `want`. */
    async function reloadUntilStatus(want: string): Promise<void> {
      const end = Date.now() + TASK_MS;
      for (;;) {
        const now = await objectStatus(page);
        if (now === want) return;
        if (now === 'failed' || Date.now() > end) throw new Error(`${page.url()} shows ${now}, not ${want}`);
        await page.waitForTimeout(500);
        await page.reload();
      }
    }

    /** Open a task's form from the site page, fill it, confirm it when asked, submit, and wait for the task to succeed. */
    async function runSiteTask(link: string, fill: () => Promise<void>, submit: string, confirm?: string): Promise<void> {
      await visit(`/node/${ids.site}`);
      // Restore is offered on each backup's row; the other tasks in the list of tasks.
      const where = link === 'Restore' ? page.locator('section[aria-labelledby="site-backups"] tbody tr').first() : page.getByRole('list', { name: 'Tasks' });
      await where.getByRole('link', { name: link, exact: true }).click();
      await page.waitForURL(/\/task\/[\w-]+(\?.*)?$/);
      await fill();
      if (confirm) await field(page, confirm).check();
      await page.getByRole('button', { name: submit, exact: true }).click();
      await page.waitForURL(/\/node\/\d+$/);
      await taskSucceeded();
    }

    /** A one-click task button of the site page (no form). */
    async function clickSiteTask(button: string): Promise<void> {
      await visit(`/node/${ids.site}`);
      // "Log in" stands beside the site's address; the other one-click tasks are in the list of tasks.
      const where = button === 'Log in' ? page.locator('main') : page.getByRole('list', { name: 'Tasks' });
      await where.getByRole('button', { name: button, exact: true }).click();
      await page.waitForURL(/\/node\/\d+$/);
    }

    /** Rows of a table of the site's database. */
    async function siteRows(root: string, domain: string, table: string, where: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
      const db = await L().siteDb(root, domain);
      try { return await db(table).where(where).select(); } finally { await db.destroy(); }
    }
    async function siteTables(root: string, domain: string): Promise<string[]> {
      const db = await L().siteDb(root, domain);
      try {
        if (stack.db === 'sqlite') return ((await db.raw('SELECT name FROM sqlite_master WHERE type = \'table\'')) as { name: string }[]).map((r) => r.name);
        return ((await db.raw('SHOW TABLES'))[0] as Record<string, string>[]).map((r) => Object.values(r)[0]!);
      } finally {
        await db.destroy();
      }
    }
    /** The site's database name (mysql) or file (sqlite), from its settings.json. */
    function databaseOf(root: string, domain: string): string {
      const s = JSON.parse(readFileSync(join(root, 'sites', domain, 'settings.json'), 'utf8')) as { database: { driver: string; database?: string; file?: string } };
      return s.database.driver === 'sqlite' ? join(root, 'sites', domain, s.database.file!) : s.database.database!;
    }
    async function databaseExists(name: string): Promise<boolean> {
      return stack.db === 'sqlite' ? existsSync(name) : (await L().databases()).includes(name);
    }

    before(async function () {
      this.timeout(COMMAND_TIMEOUT_MS * 3);
      stepStarted = Date.now();
      life = await startLife(stack);
      browser = await launchChromium(['localhost', SITE, CLONE]);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      watch = await watchPages(context);
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
    });

    after(async function () {
      this.timeout(COMMAND_TIMEOUT_MS);
      const problems: unknown[] = [];
      for (const step of [() => browser?.close(), () => life?.stop()]) {
        try { await step(); } catch (e) { problems.push(e); }
      }
      const total = Object.values(times).reduce((a, b) => a + b, 0);
      process.stdout.write(`      ${stack.name}: ${Object.entries(times).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; total ${(total / 1000).toFixed(1)} s\n`);
      const file = process.env.AEGIR_LIFE_TIMES;
      if (file) {
        const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, LifeTimes> : {};
        writeFileSync(file, JSON.stringify({ ...all, [stack.name]: times }, null, 2));
      }
      if (problems.length) throw problems[0];
    });

    /** Time a step from the end of the one before (the first from the start of the install). */
    afterEach(function () {
      const name = /^(\d+)/.exec(this.currentTest?.title ?? '')?.[1];
      if (name && this.currentTest?.state === 'passed') times[this.currentTest.title.replace(/^\d+\. /, '').split(':')[0]!] = Date.now() - stepStarted;
      stepStarted = Date.now();
    });

    it('1. install the hostmaster: served on its port, its one-time link logs the administrator in', async () => {
      const front = await L().get('localhost', '/user/login');
      expect(front.status).to.equal(200);
      expect(L().login).to.match(new RegExp(`^http://localhost:${L().port}/user/reset/1/\\d+/[\\w-]+$`));
      expect(existsSync(join(L().box.home, 'hostmaster.json')), 'the marker').to.equal(true);
      await page.goto(L().login);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/user/reset/'));
      await visit('/hosting');
      expect(await heading(page)).to.equal('Hosting');
    });

    it('2. add two platforms: built from tags v1.0.0 and v1.1.0 of the repository, verified, versions from git', async () => {
      for (const [key, tag] of [['old', 'v1.0.0'], ['new', 'v1.1.0']] as const) {
        roots[key] = join(L().platforms, key);
        await visit('/node/add/platform');
        await field(page, 'Name').fill(`Life ${tag}`);
        await field(page, 'Machine name').fill(`platform_life_${key}`);
        await field(page, 'Server').selectOption({ label: 'This machine' });
        await field(page, 'Path').fill(roots[key]);
        await field(page, 'Git repository').fill(L().repo.root);
        await field(page, 'Git branch, tag or commit').fill(tag);
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL(/\/node\/\d+$/);
        ids[key] = nidOf(page.url());
      }
      for (const [key, version] of [['old', '1.0.0'], ['new', '1.1.0']] as const) {
        await visit(`/node/${ids[key]}`);
        await reloadUntilStatus('verified');
        const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
        expect(text).to.include(`Version ${version} (from git)`);
        expect(text).to.match(/life_demo/);
        // Disk: a clone of the repository at the tag.
        expect(existsSync(join(roots[key], '.git')), `${roots[key]}/.git`).to.equal(true);
        expect(readFileSync(join(roots[key], 'modules', 'life_demo', 'index.ts'), 'utf8').includes(UPDATE_TABLE)).to.equal(key === 'new');
      }
    });

    it('3. create a site on the older platform: installed, its database made, served', async () => {
      await visit('/node/add/site');
      await field(page, 'Domain').fill(SITE);
      await field(page, 'Platform').selectOption({ label: 'Life v1.0.0' });
      await field(page, 'Install profile').fill('life');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/node\/\d+$/);
      ids.site = nidOf(page.url());
      await page.locator('section[aria-labelledby="site-tasks"] tbody tr').first().getByRole('link').first().click();
      await page.waitForURL(/\/node\/\d+$/);
      await taskSucceeded();
      // Disk, database, HTTP.
      expect(existsSync(join(roots.old, 'sites', SITE, 'settings.json'))).to.equal(true);
      expect(await databaseExists(databaseOf(roots.old, SITE)), 'its database').to.equal(true);
      const modules = (await siteRows(roots.old, SITE, 'core_modules', { name: 'life_demo' })) as { status: string }[];
      expect(modules.map((m) => m.status)).to.deep.equal(['enabled']);
      expect((await L().get(SITE, '/')).status).to.equal(200);
    });

    it('4. open the site in the browser through the web server', async () => {
      const r = await page.goto(hosted(SITE));
      expect(r?.status()).to.equal(200);
      expect(await page.title()).to.include(SITE);
    });

    it('5. log in to the site with its one-time link ("Log in" on its page)', async () => {
      await clickSiteTask('Log in');
      await page.waitForURL((u) => u.hostname === SITE, { timeout: TASK_MS });
      expect(new URL(page.url()).pathname).to.match(/^\/user\/reset\/1\/\d+\/[\w-]+$/);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((u) => u.hostname === SITE && !u.pathname.startsWith('/user/reset/'));
      expect(await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log out', exact: true }).isVisible()).to.equal(true);
    });

    it('6. back it up: an archive on disk, listed on the site page', async () => {
      await runSiteTask('Back up…', () => field(page, 'Description').fill('Before the page'), 'Back up');
      await visit(`/node/${ids.site}`);
      const row = page.locator('section[aria-labelledby="site-backups"] tbody tr', { hasText: 'Before the page' });
      expect(await row.count()).to.equal(1);
      const backups = (await siteRowsOfHostmaster('hosting_backup', { site_nid: ids.site })) as { file: string }[];
      expect(backups).to.have.length(1);
      expect(existsSync(backups[0]!.file), backups[0]!.file).to.equal(true);
      expect(readFileSync(backups[0]!.file).subarray(0, 2).toString('hex'), 'a gzip file').to.equal('1f8b');
    });

    it('7. change its content: a page written on the site\'s own form', async () => {
      await page.goto(hosted(SITE, '/node/add/page'));
      await field(page, 'Title').fill(PAGE_TITLE);
      await field(page, 'Body').fill('This page is gone once the backup is restored.');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL((u) => /^\/node\/\d+$/.test(u.pathname));
      expect(await siteRows(roots.old, SITE, 'node', { title: PAGE_TITLE })).to.have.length(1);
      expect((await L().get(SITE, '/node')).body).to.include(PAGE_TITLE);
    });

    it('8. restore the backup: the page is gone', async () => {
      await runSiteTask('Restore', async () => {
        expect(await field(page, 'Backup').locator('option:checked').innerText()).to.include('Before the page');
      }, 'Restore', `Yes, restore ${SITE}`);
      expect(await siteRows(roots.old, SITE, 'node', { title: PAGE_TITLE })).to.deep.equal([]);
      const front = await L().get(SITE, '/node');
      expect(front.status).to.equal(200);
      expect(front.body).to.not.include(PAGE_TITLE);
    });

    it('9. clone it: the copy has its own folder and database, and is served', async () => {
      await runSiteTask('Clone…', () => field(page, 'New domain').fill(CLONE), 'Clone');
      expect(existsSync(join(roots.old, 'sites', CLONE, 'settings.json'))).to.equal(true);
      expect(databaseOf(roots.old, CLONE)).to.not.equal(databaseOf(roots.old, SITE));
      expect(await databaseExists(databaseOf(roots.old, CLONE))).to.equal(true);
      expect((await L().get(CLONE, '/')).status).to.equal(200);
      const r = await page.goto(hosted(CLONE));
      expect(r?.status()).to.equal(200);
    });

    it('10. migrate it to the newer platform: moved, life_demo\'s update ran', async () => {
      expect(await siteTables(roots.old, SITE)).to.not.include(UPDATE_TABLE);
      await runSiteTask('Migrate', async () => { await field(page, 'Platform').selectOption({ label: 'Life v1.1.0' }); }, 'Migrate', `Yes, migrate ${SITE}`);
      expect(existsSync(join(roots.new, 'sites', SITE, 'settings.json')), 'on the new platform').to.equal(true);
      expect(existsSync(join(roots.old, 'sites', SITE)), 'gone from the old one').to.equal(false);
      expect(await siteTables(roots.new, SITE)).to.include(UPDATE_TABLE);
      expect((await L().get(SITE, '/')).status).to.equal(200);
      await visit(`/node/${ids.site}`);
      expect(await page.locator('main').innerText()).to.include('Life v1.1.0');
    });

    it('11. disable it (the disabled page), then enable it (the site again)', async () => {
      await clickSiteTask('Disable');
      await taskSucceeded();
      const off = await L().get(SITE, '/');
      expect(off.status).to.not.equal(200);
      expect(off.body.toLowerCase()).to.include('disabled');
      await clickSiteTask('Enable');
      await taskSucceeded();
      expect((await L().get(SITE, '/')).status).to.equal(200);
    });

    it('12. delete it: its folder, database and virtual host are gone', async () => {
      const database = databaseOf(roots.new, SITE);
      await runSiteTask('Delete', async () => undefined, 'Delete', `Yes, delete ${SITE}`);
      expect(existsSync(join(roots.new, 'sites', SITE))).to.equal(false);
      expect(await databaseExists(database)).to.equal(false);
      expect((await L().get(SITE, '/')).status).to.not.equal(200);
      await visit(`/node/${ids.site}`);
      expect(await objectStatus(page)).to.equal('deleted');
    });

    it('no page logged a console error, threw, or broke its CSP', () => {
      expect(watch.pageErrors, 'page errors').to.deep.equal([]);
      expect(watch.cspViolations.map((v) => JSON.stringify(v)), 'CSP violations').to.deep.equal([]);
      expect(watch.consoleErrors.map((e) => `${e.text} (on ${e.url})`), 'console errors').to.deep.equal([]);
    });

    /** Rows of a table of the hostmaster's own database. */
    async function siteRowsOfHostmaster(table: string, where: Record<string, unknown>): Promise<Record<string, unknown>[]> {
      return siteRows(L().box.tc.root, 'localhost', table, where);
    }
  });
}
