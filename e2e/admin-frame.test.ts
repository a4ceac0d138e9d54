import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { htmlErrors } from '../test/helpers/nu-checker.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

/*
 * The admin's frame (issue 18, look and feel): a side navigation on wide screens that folds
 * away, a "Menu" disclosure on a phone (a link to the navigation without script), light and
 * dark following the system; every admin page valid HTML with nothing serious for axe in
 * both schemes and nothing wider than a 360 px screen.
 */

let app: App;
let base: string;
let browser: Browser;

/** The admin pages an owner reaches from the navigation, and the editor. */
const PAGES = [
  '/admin',
  '/admin/posts',
  '/admin/posts/new',
  '/admin/pages',
  '/admin/review',
  '/admin/trash',
  '/admin/media',
  '/admin/books',
  '/admin/comments',
  '/admin/comments/privacy',
  '/admin/analytics',
  '/admin/subscribers',
  '/admin/subscribers/import',
  '/admin/categories',
  '/admin/tags',
  '/admin/settings',
  '/admin/import',
  '/admin/users',
  '/admin/audit',
  '/admin/profile',
  '/admin/account/two-factor',
  '/admin/account/sessions',
];

beforeAll(async () => {
  ({ app, base, browser } = await siteWithOwner());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signedIn(context: BrowserContext, next = '/admin'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}${next}`);
  await page.fill('#login-email', 'olive@example.org');
  await page.fill('#login-password', OWNER_PASSWORD);
  await Promise.all([page.waitForURL(`${base}${next}`), page.locator('form button[type="submit"]').click()]);
  return page;
}

describe('the admin frame', () => {
  it('on a phone: the navigation is behind "Menu", which opens it, and Escape closes it and gives focus back', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await signedIn(context);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    await expect(nav.isVisible()).resolves.toBe(false);
    // The page starts high on the screen: the bar above it is one line.
    const top = await page.locator('h1').evaluate((h) => h.getBoundingClientRect().top);
    expect(top).toBeLessThan(140);

    const menu = page.getByRole('button', { name: 'Menu', exact: true });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await expect(nav.isVisible()).resolves.toBe(true);
    // Focus went into the navigation; Tab reaches its links.
    expect(await page.evaluate(() => document.activeElement?.closest('nav')?.id)).toBe('admin-nav');
    await page.keyboard.press('Escape');
    await expect(nav.isVisible()).resolves.toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Menu');

    // Opened again, a link goes where it says.
    await menu.click();
    await Promise.all([page.waitForURL(`${base}/admin/settings`), nav.getByRole('link', { name: 'Settings' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Site settings');
    await context.close();
  });

  it('without script, "Menu" is a link that shows the navigation', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await signedIn(context);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    await expect(nav.isVisible()).resolves.toBe(false);
    await page.getByRole('link', { name: 'Menu', exact: true }).click();
    await expect(nav.isVisible()).resolves.toBe(true);
    await nav.getByRole('link', { name: 'Close the menu' }).click();
    await expect(nav.isVisible()).resolves.toBe(false);
    await context.close();
  });

  it('on a wide screen: the navigation is beside the page, and folds away until unfolded, on every page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedIn(context);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    const link = nav.getByRole('link', { name: 'Posts' });
    await expect(link.isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Menu', exact: true }).isVisible()).resolves.toBe(false);
    const mainLeft = () => page.locator('main').evaluate((m) => m.getBoundingClientRect().left);
    const before = await mainLeft();
    expect(before).toBeGreaterThan(200);

    await page.getByRole('button', { name: 'Fold the menu away' }).click();
    await expect(link.isVisible()).resolves.toBe(false);
    expect(await mainLeft()).toBeLessThan(before);
    await page.goto(`${base}/admin/posts`);
    await expect(link.isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Show the menu' }).click();
    await expect(link.isVisible()).resolves.toBe(true);
    expect(await link.getAttribute('aria-current')).toBe('page');
    await context.close();
  });

  it('shows a saved notice as a toast that can be dismissed', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedIn(context, '/admin/settings');
    await Promise.all([
      page.waitForURL(`${base}/admin/settings?saved=1`),
      page.getByRole('button', { name: 'Save the settings' }).click(),
    ]);
    const toast = page.getByRole('status');
    expect(await toast.textContent()).toBe('The settings are saved.');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    expect(await toast.count()).toBe(0);
    await context.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    // Contrast does not depend on the width: dark mode is checked wide only.
    const widths = colorScheme === 'light' ? [360, 1280] : [1280];
    it(`passes axe on every admin page at ${widths.join(' and ')} px, in ${colorScheme}, with nothing wider than the screen`, async () => {
      const problems: string[] = [];
      for (const width of widths) {
        const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme });
        const page = await signedIn(context);
        for (const url of PAGES) {
          const res = await page.goto(`${base}${url}`);
          expect(res?.status(), url).toBe(200);
          problems.push(...(await seriousAxeViolations(page, `${url} at ${width}px (${colorScheme})`)));
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          if (wide > width) problems.push(`${url} at ${width}px (${colorScheme}): ${wide}px wide`);
        }
        await context.close();
      }
      expect(problems).toEqual([]);
    }, 240_000);
  }

  it('serves every admin page as valid HTML (Nu checker)', async () => {
    const context = await browser.newContext();
    const page = await signedIn(context);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-admin-html-'));
    try {
      const files: string[] = [];
      for (const url of PAGES) {
        const res = await page.request.get(`${base}${url}`);
        expect(res.status(), url).toBe(200);
        const file = path.join(dir, `${url.replace(/\W+/g, '_') || 'admin'}.html`);
        fs.writeFileSync(file, await res.text());
        files.push(file);
      }
      expect(htmlErrors(files)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await context.close();
    }
  }, 120_000);
});
