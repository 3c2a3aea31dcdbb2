/**
 * The admin pages that did not scale, in a real browser at phone width
 * (375 x 740) and on a desktop: the administration menu must show every
 * link, the permissions page is a permissions-by-roles grid that stays
 * usable with 7 roles (it scrolls inside its box with a visible hint, its
 * header row and first column stay in view, the page stays short), and the
 * content table shows that it scrolls. Screenshots are taken of each
 * state; they are kept only when $AEGIR_SCREENSHOTS names a folder (as
 * aegir-*.png there), so a run leaves nothing behind by default.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeCodebase, type TestCodebase } from '../harness/codebase.js';
import { aegir, COMMAND_TIMEOUT_MS, launchChromium, show, startServe, watchPages, type PageWatch, type Served } from './browser.js';

const HOST = 'phone.test';
const PHONE = { width: 375, height: 740 };
const EXTRA_ROLES = ['Content editor', 'Site builder', 'Support desk', 'Reviewer'];

describe('browser: admin pages at phone width (headless Chromium)', function () {
  this.timeout(60_000);
  let tc: TestCodebase | undefined;
  let server: Served | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;
  let origin: string;

  const go = async (path: string): Promise<void> => {
    const r = await page.goto(`${origin}${path}`);
    expect(r?.status(), path).to.equal(200);
  };
  /** Sizes of the first element matching a CSS selector and of the page, as the browser lays them out. */
  interface Measure { scrollWidth: number; clientWidth: number; bg: string; pageWidth: number; pageHeight: number }
  const measure = (selector: string): Promise<Measure> => page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const root = document.documentElement;
    return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, bg: getComputedStyle(el).backgroundImage, pageWidth: root.scrollWidth, pageHeight: root.scrollHeight };
  })()`);
  /** Take a screenshot (it must render); write it to $AEGIR_SCREENSHOTS/aegir-<name>.png only when that is set. */
  const screenshot = async (name: string, opts: { fullPage?: boolean } = {}): Promise<void> => {
    const dir = process.env.AEGIR_SCREENSHOTS;
    const png = await page.screenshot({ ...opts, ...(dir ? { path: join(dir, `aegir-${name}.png`) } : {}) });
    expect(png.length, `screenshot ${name}`).to.be.greaterThan(0);
  };
  const statusMessages = (): Promise<string[]> => page.locator('.messages--status').allInnerTexts()
    .then((l) => l.map((t) => t.replace(/^Status message\s*/, '').trim()));

  before(async function () {
    this.timeout(COMMAND_TIMEOUT_MS * 3);
    tc = makeCodebase({ fixtures: false });
    const installed = await aegir(tc.root, ['site-install', 'standard', `--uri=${HOST}`]);
    expect(installed.code, show(installed)).to.equal(0);
    server = await startServe(tc.root);
    origin = `http://${HOST}:${server.port}`;
    const uli = await aegir(tc.root, [`--uri=${HOST}`, 'user-login', 'admin']);
    expect(uli.code, show(uli)).to.equal(0);
    browser = await launchChromium([HOST]);
    context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    watch = await watchPages(context);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await go(new URL(uli.stdout.trim()).pathname);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${origin}/user/1/edit`);
  });

  after(async function () {
    this.timeout(COMMAND_TIMEOUT_MS);
    const problems: unknown[] = [];
    for (const step of [() => browser?.close(), () => server?.stop(), () => tc?.cleanup()]) {
      try { await step(); } catch (e) { problems.push(e); }
    }
    if (problems.length) throw problems[0];
  });

  it('the administration menu is not cut off at 375 px: every link is inside the viewport', async () => {
    await go('/admin');
    const links = page.getByRole('navigation', { name: 'Administration' }).getByRole('link');
    const count = await links.count();
    expect(count).to.be.at.least(5);
    for (let i = 0; i < count; i++) {
      const link = links.nth(i);
      const box = (await link.boundingBox())!;
      const name = await link.innerText();
      expect(await link.isVisible(), name).to.equal(true);
      expect(box.x, name).to.be.at.least(0);
      expect(box.x + box.width, `${name} ends at ${box.x + box.width}`).to.be.at.most(PHONE.width);
    }
    expect((await measure('.toolbar__tray')).pageWidth, 'the page itself does not scroll sideways').to.be.at.most(PHONE.width);
    await screenshot('admin-menu-375');
  });

  it('adds roles until there are 7, through the roles form', async () => {
    for (const label of EXTRA_ROLES) {
      await go('/admin/people/roles');
      await page.getByLabel('Role name').fill(label);
      await page.getByLabel('Machine name').fill(label.toLowerCase().replace(/ /g, '_'));
      await page.getByRole('button', { name: 'Add role' }).click();
      await page.waitForURL(`${origin}/admin/people/roles`);
      expect(await statusMessages()).to.deep.equal([`The role ${label} was added.`]);
    }
  });

  it('the permissions grid at 375 px: 7 role columns that scroll inside the box with a hint, header row and first column kept in view', async () => {
    await go('/admin/people/permissions');
    const grid = page.locator('.grid-scroll');
    expect(await page.locator('.grid-table thead th.grid-table__column').count()).to.equal(7);
    const sizes = await measure('.grid-scroll');
    expect(sizes.scrollWidth, 'the roles do not fit: the grid scrolls sideways').to.be.greaterThan(sizes.clientWidth);
    expect(sizes.bg, 'the edge shadow that says so').to.include('radial-gradient');
    expect(sizes.pageWidth, 'inside its box, not the page').to.be.at.most(PHONE.width);
    expect(sizes.pageHeight, 'a page of reasonable height').to.be.below(1600);
    await screenshot('permissions-375', { fullPage: true });

    const firstRow = page.locator('.grid-table tbody th.grid-table__row').first();
    const lastColumn = page.locator('.grid-table thead th.grid-table__column').last();
    const before = { row: (await firstRow.boundingBox())!, header: (await lastColumn.boundingBox())! };
    await page.evaluate(`(() => { const el = document.querySelector('.grid-scroll'); el.scrollLeft = el.scrollWidth; el.scrollTop = 200; })()`);
    const after = { row: (await firstRow.boundingBox())!, header: (await lastColumn.boundingBox())! };
    expect(after.row.x, 'the permission column stays at the left').to.be.closeTo(before.row.x, 1);
    expect(after.header.y, 'the roles stay at the top').to.be.closeTo(before.header.y, 1);
    const gridBox = (await grid.boundingBox())!;
    expect(after.header.x + after.header.width, 'the last role can be reached').to.be.at.most(gridBox.x + gridBox.width + 1);
    await screenshot('permissions-375-scrolled');
  });

  it('the grid saves: one checkbox per role and permission, one submit', async () => {
    await go('/admin/people/permissions');
    const cell = page.getByLabel('View user profiles: Support desk', { exact: true });
    expect(await cell.isChecked()).to.equal(false);
    // Scrolled to the middle of the grid as a visitor would, clear of the sticky header row and column.
    await page.evaluate(`document.getElementById(${JSON.stringify(await cell.getAttribute('id'))}).scrollIntoView({ block: 'center', inline: 'center' })`);
    await cell.click();
    expect(await cell.isChecked()).to.equal(true);
    await page.getByRole('button', { name: 'Save permissions' }).click();
    await page.waitForURL(`${origin}/admin/people/permissions`);
    expect(await statusMessages()).to.deep.equal(['The permissions were saved.']);
    expect(await page.getByLabel('View user profiles: Support desk', { exact: true }).isChecked()).to.equal(true);
    expect(await page.getByLabel('View user profiles: Reviewer', { exact: true }).isChecked()).to.equal(false);
  });

  it('the content table at 375 px scrolls inside its card with the same hint', async () => {
    await go('/node/add/article');
    await page.getByLabel('Title').fill('An article with a rather long title for a narrow screen');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/node\/\d+$/);
    await go('/admin/content');
    const sizes = await measure('.table-scroll');
    expect(sizes.scrollWidth).to.be.greaterThan(sizes.clientWidth);
    expect(sizes.bg).to.include('radial-gradient');
    await screenshot('content-375');
  });

  it('on a desktop the permissions page is short and needs no sideways scrolling', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await go('/admin/people/permissions');
    const sizes = await measure('.grid-scroll');
    expect(sizes.scrollWidth).to.be.at.most(sizes.clientWidth);
    expect(sizes.pageHeight).to.be.below(1600);
    await screenshot('permissions-1280', { fullPage: true });
  });

  it('the browser saw no console errors, page errors or CSP violations', () => {
    expect(watch.consoleErrors.map((e) => e.text), 'console errors').to.deep.equal([]);
    expect(watch.pageErrors, 'page errors').to.deep.equal([]);
    expect(watch.cspViolations.map((v) => JSON.stringify(v)), 'CSP violations').to.deep.equal([]);
  });
});
