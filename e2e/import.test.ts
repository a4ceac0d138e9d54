import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

/**
 * The admin's import page in Chromium: the owner chooses a WordPress export, follows the
 * progress bar (the page's script), reads the report; the imported pages pass axe.
 */
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/cli/bin.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  ({ app, base, browser } = await siteWithOwner());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('importing from the admin, in a browser', () => {
  it('uploads an export, shows progress, then the report; the imported pages are accessible', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', OWNER_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    await page.goto(`${base}/admin/import`);
    expect(await seriousAxeViolations(page, 'import form')).toEqual([]);
    await page.setInputFiles('#import-export', path.resolve('test/fixtures/wxr-family-blog.xml'));
    await Promise.all([
      page.waitForURL(/\/admin\/import\/[0-9a-f]{16}$/),
      page.click('form[enctype] button[type="submit"]'),
    ]);
    // The page's script follows the import and reloads with the report when it ends.
    await page.waitForSelector('text=The import is finished.', { timeout: 60_000 });
    expect(await page.locator('table caption').textContent()).toContain('acorns.example.com');
    expect(await page.locator('progress').getAttribute('value')).toBe('13');
    expect(await seriousAxeViolations(page, 'import report')).toEqual([]);
    for (const url of [
      '/raised-beds/',
      '/first-steps/',
      '/tea-and-toast/',
      '/our-garden/',
      '/category/sleep/',
      '/207/',
    ]) {
      const response = await page.goto(`${base}${url}`);
      expect(response?.status(), url).toBe(200);
      expect(await seriousAxeViolations(page, url)).toEqual([]);
    }
    // An old address, followed by the browser.
    await page.goto(`${base}/2023/04/raised-beds/`);
    expect(new URL(page.url()).pathname).toBe('/raised-beds/');
    await page.close();
  });
});
