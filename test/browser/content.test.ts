/**
 * The README's path for a new user, in a real browser: install a `standard`
 * site with the command line, start `aegir serve`, log in with a one-time
 * link from `aegir user-login`, then create, edit and delete an article
 * through the forms and log out. Headless Chromium (Debian's, driven by
 * playwright-core) reaches the site as http://browser.test:PORT.
 *
 * The steps share one browser session and run in order; each leaves the
 * page where the next one starts.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeCodebase, type TestCodebase } from '../harness/codebase.js';
import { aegir, COMMAND_TIMEOUT_MS, launchChromium, show, startServe, watchPages, type PageWatch, type Served } from './browser.js';

const HOST = 'browser.test';
/** Marks a title as a script; shown as text, it runs nothing. */
const TITLE = '<script>alert(1)</script> Browser article';
const NEW_TITLE = 'Edited "browser" article & <b>more</b>';
const BODY = 'First paragraph of the article.\n\nSecond paragraph, with <em>markup</em> as text.';

describe('browser: a new user manages content (headless Chromium)', function () {
  this.timeout(60_000);
  let tc: TestCodebase | undefined;
  let server: Served | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;
  let origin: string;
  let loginLink: string;
  let nodePath: string;
  /** Answers the test asked for on purpose: the browser logs "Failed to load resource" for them. */
  const expectedFailures: { url: string; status: number }[] = [];

  /** Open a path by address (where no link leads) and check the status of the answer. */
  async function visit(path: string, status: number): Promise<void> {
    const url = `${origin}${path}`;
    if (status >= 400) expectedFailures.push({ url, status });
    const r = await page.goto(url);
    expect(r?.status(), `GET ${path}`).to.equal(status);
  }

  const statusMessages = (): Promise<string[]> => page.locator('.messages--status').allInnerTexts()
    .then((l) => l.map((t) => t.replace(/^Status message\s*/, '').trim()));
  const title = (): Promise<string> => page.locator('main h1').innerText();
  const tab = (name: string) => page.getByRole('navigation', { name: 'Tabs' }).getByRole('link', { name, exact: true });
  const adminMenu = (name: string) => page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true });
  const accountMenu = (name: string) => page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name, exact: true });

  before(async function () {
    this.timeout(COMMAND_TIMEOUT_MS * 3);
    tc = makeCodebase({ fixtures: false });
    const installed = await aegir(tc.root, ['site-install', 'standard', `--uri=${HOST}`]);
    expect(installed.code, show(installed)).to.equal(0);
    expect(installed.stdout).to.include(`Installed sites/${HOST} with profile standard.`);
    server = await startServe(tc.root);
    origin = `http://${HOST}:${server.port}`;
    const uli = await aegir(tc.root, [`--uri=${HOST}`, 'user-login', 'admin']);
    expect(uli.code, show(uli)).to.equal(0);
    // The link names the site as --uri gave it; the browser reaches it on the server's port.
    const printed = new URL(uli.stdout.trim());
    expect(printed.origin).to.equal(`http://${HOST}`);
    expect(printed.pathname).to.match(/^\/user\/reset\/1\/\d+\/[\w-]+$/);
    loginLink = `${origin}${printed.pathname}`;
    browser = await launchChromium([HOST]);
    context = await browser.newContext();
    watch = await watchPages(context);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async function () {
    this.timeout(COMMAND_TIMEOUT_MS);
    const problems: unknown[] = [];
    for (const step of [() => browser?.close(), () => server?.stop(), () => tc?.cleanup()]) {
      try { await step(); } catch (e) { problems.push(e); }
    }
    if (problems.length) throw problems[0];
  });

  afterEach(function () {
    const at = page?.url().replace(/(\/user\/reset\/\d+\/\d+\/)[^/?#]+/, '$1***');
    if (this.currentTest?.state === 'failed' && server) console.log(`--- aegir serve printed:\n${server.output()}\n--- the page was ${at}`);
  });

  it('logs in with the one-time link and lands on the account form with a message', async () => {
    await visit(loginLink.slice(origin.length), 200);
    expect(await page.locator('main').innerText()).to.include('This is a one-time login link for admin.');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${origin}/user/1/edit`);
    expect(await title()).to.equal('Edit admin');
    expect(await statusMessages()).to.deep.equal(['You have used your one-time login link, which no longer works. Set your password now.']);
    expect(await page.locator('body').getAttribute('class')).to.include('is-authenticated');
  });

  it('xss: creates an article through /node/add; a <script> title shows as text and runs nothing', async () => {
    // From the account page: the site's front page, "Add content" in the main menu, then the type.
    await page.getByRole('link', { name: HOST, exact: true }).first().click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Add content' }).click();
    await page.waitForURL(`${origin}/node/add`);
    expect(await title()).to.equal('Add content');
    await page.getByRole('link', { name: 'Article', exact: true }).click();
    await page.waitForURL(`${origin}/node/add/article`);
    expect(await title()).to.equal('Create Article');

    await page.getByLabel('Title').fill(TITLE);
    await page.getByLabel('Body').fill(BODY);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/node\/\d+$/);
    nodePath = new URL(page.url()).pathname;

    expect(await title()).to.equal(TITLE);
    expect(await statusMessages()).to.deep.equal([`Article "${TITLE}" has been created.`]);
    expect(await page.locator('.node__text p').allInnerTexts()).to.deep.equal(['First paragraph of the article.', 'Second paragraph, with <em>markup</em> as text.']);
    // The title is text everywhere it appears (heading, message, <title>): no element came of it.
    expect(await page.locator('main script, main em, main b').count()).to.equal(0);
    expect(await page.title()).to.equal(`${TITLE} | ${HOST}`);
    expect(watch.dialogs).to.deep.equal([]);
  });

  it('edits the article through its Edit tab', async () => {
    await tab('Edit').click();
    await page.waitForURL(`${origin}${nodePath}/edit`);
    expect(await title()).to.equal(`Edit ${TITLE}`);
    const field = page.getByLabel('Title');
    expect(await field.inputValue()).to.equal(TITLE);
    expect(await page.getByLabel('Body').inputValue()).to.equal(BODY);
    await field.fill(NEW_TITLE);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${origin}${nodePath}`);
    expect(await title()).to.equal(NEW_TITLE);
    expect(await statusMessages()).to.deep.equal([`Article "${NEW_TITLE}" has been updated.`]);
    expect(await page.locator('main b').count()).to.equal(0);
  });

  it('lists the article in the content overview, reached from the administration menu', async () => {
    // The node page has the site's theme: its account menu leads to the administration, whose toolbar lists Content.
    await accountMenu('Administration').click();
    await page.waitForURL(`${origin}/admin`);
    await adminMenu('Content').click();
    await page.waitForURL(`${origin}/admin/content`);
    const row = page.locator('table.content-table tbody tr', { hasText: NEW_TITLE });
    expect(await row.count()).to.equal(1);
    expect(await row.getByRole('link', { name: NEW_TITLE, exact: true }).getAttribute('href')).to.equal(nodePath);
    await row.getByRole('link', { name: NEW_TITLE, exact: true }).click();
    await page.waitForURL(`${origin}${nodePath}`);
  });

  it('deletes the article through its Delete tab; its page is a 404 and the overview no longer lists it', async () => {
    await tab('Delete').click();
    await page.waitForURL(`${origin}${nodePath}/delete`);
    expect(await page.locator('main form').innerText()).to.include(`Are you sure you want to delete "${NEW_TITLE}"? This cannot be undone.`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${origin}/`);
    expect(await statusMessages()).to.deep.equal([`Article "${NEW_TITLE}" has been deleted.`]);
    expect(await page.locator('main').innerText()).to.include('No content has been published yet.');

    await visit(nodePath, 404);
    expect(await title()).to.equal('Page not found');

    await visit('/admin/content', 200);
    expect(await page.locator('table.content-table').innerText()).to.not.include(NEW_TITLE);
    expect(await page.locator('table.content-table caption').innerText()).to.equal('0 items');
  });

  it('logs out through the account menu; a page that needs a login is then access denied', async () => {
    await accountMenu('Log out').click();
    await page.waitForURL(`${origin}/user/logout`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${origin}/`);
    expect(await page.locator('body').getAttribute('class')).to.include('is-anonymous');
    expect(await accountMenu('Log in').count()).to.equal(1);
    expect(await accountMenu('Log out').count()).to.equal(0);

    await visit('/node/add/article', 403);
    expect(await title()).to.equal('Access denied');
    expect(await page.getByRole('link', { name: 'Log in to continue' }).getAttribute('href')).to.equal('/user/login?destination=%2Fnode%2Fadd%2Farticle');

    // The one-time link worked once.
    await visit(loginLink.slice(origin.length), 403);
  });

  it('the browser saw no console errors, page errors or CSP violations', () => {
    // The steps above opened error pages on purpose; Chromium logs each such answer as a console error.
    const unexpected = watch.consoleErrors.filter((e) => !expectedFailures.some((f) => f.url === e.url
      && e.text === `Failed to load resource: the server responded with a status of ${f.status} (${f.status === 404 ? 'Not Found' : 'Forbidden'})`));
    // One line per distinct message, with the pages it came from (one-time link hashes masked).
    const byText = new Map<string, Set<string>>();
    const where = (url: string): string => new URL(url, origin).pathname.replace(/^(\/user\/reset\/\d+\/\d+\/).+$/, '$1***');
    for (const e of unexpected) byText.set(e.text, (byText.get(e.text) ?? new Set()).add(where(e.url)));
    expect([...byText].map(([text, paths]) => `${text} (on ${[...paths].join(', ')})`), 'console errors').to.deep.equal([]);
    expect(watch.pageErrors, 'page errors').to.deep.equal([]);
    expect(watch.cspViolations.map((v) => JSON.stringify(v)), 'CSP violations').to.deep.equal([]);
    expect(watch.dialogs, 'dialogs').to.deep.equal([]);
  });

  it('the watch sees a CSP violation when a page breaks the policy (so its silence above means something)', async () => {
    const probe = await context.newPage();
    try {
      await probe.goto(`${origin}/`);
      // An inline script added by the page itself is refused by script-src 'self'.
      await probe.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); })()`);
      const deadline = Date.now() + 5000;
      while (!watch.cspViolations.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await probe.evaluate('window.ran')).to.equal(undefined);
      expect(watch.cspViolations.map((v) => v.directive)).to.deep.equal(['script-src-elem']);
      expect(watch.consoleErrors.some((e) => e.text.includes('Content Security Policy'))).to.equal(true);
    } finally {
      await probe.close();
    }
  });
});
