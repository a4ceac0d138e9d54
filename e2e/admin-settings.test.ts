import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

const PASSWORD = OWNER_PASSWORD;
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ({ app, base, browser } = await siteWithOwner());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('site settings in Chromium, on a phone', () => {
  it('signs in, changes the title and the menu, and the public site shows them', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    // Seen before the change, so that the page cache holds the old home page.
    await page.goto(`${base}/`);
    expect(await page.locator('.site-title span').textContent()).not.toBe('Evening Notes');

    await page.goto(`${base}/admin/settings`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/settings`), page.locator('form button[type="submit"]').click()]);

    expect(await seriousAxeViolations(page, '/admin/settings at 390px')).toEqual([]);
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.fill('#settings-title', 'Evening Notes');
    await page.fill('#settings-menu-1-label', 'Soup');
    await page.fill('#settings-menu-1-url', '/autumn-lentil-soup/');
    await page.fill('#settings-menu-2-label', 'Elsewhere');
    await page.fill('#settings-menu-2-url', 'https://example.org/');
    await page.fill('#settings-menu-2-position', '0');
    await Promise.all([
      page.waitForURL(`${base}/admin/settings?saved=1`),
      page.getByRole('button', { name: 'Save the settings' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain('The settings are saved.');

    await page.goto(`${base}/`);
    expect(await page.locator('.site-title span').textContent()).toBe('Evening Notes');
    const menu = await page.locator('.site-nav a').allTextContents();
    expect(menu).toEqual(['Elsewhere', 'Soup']);
    await page.locator('.site-menu__toggle').click(); // on a phone the menu is folded
    await page.locator('.site-nav').getByRole('link', { name: 'Soup', exact: true }).click();
    await page.waitForURL(`${base}/autumn-lentil-soup/`);
    expect(await page.locator('.site-nav a[aria-current="page"]').textContent()).toBe('Soup');

    await page.goto(`${base}/admin/settings`);
    await page.fill('#settings-postsPerPage', '500');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#settings-postsPerPage-error').textContent()).toContain('from 1 to 50');
    expect(await seriousAxeViolations(page, '/admin/settings with an error at 390px')).toEqual([]);
    await context.close();
  });
});
