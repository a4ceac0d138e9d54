import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  // With the demo blog: the owner trashes one of its posts, restores it, then removes the demo.
  ({ app, base, browser } = await siteWithOwner());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the trash and removing the demo in Chromium, without JavaScript', () => {
  it('moves a post to the trash, undoes it, deletes nothing, then removes the demo in one click', async () => {
    // Plain forms: everything here works with script off.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', OWNER_PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/admin`);

    const reader = await browser.newPage();
    expect((await reader.goto(`${base}/autumn-lentil-soup/`))?.status()).toBe(200);

    await page.goto(`${base}/admin/posts`);
    await page.click('tr:has-text("Our Autumn Lentil Soup") button:has-text("Move to trash")');
    await page.waitForURL(/\/admin\/trash\?moved=\d+/);
    expect(await page.textContent('main')).toContain('“Our Autumn Lentil Soup” is in the trash.');
    // axe needs script: the Trash view is checked in a second, scripted window.
    const scripted = await browser.newPage();
    await scripted.goto(`${base}/admin/login`);
    await scripted.fill('#login-email', 'olive@example.org');
    await scripted.fill('#login-password', OWNER_PASSWORD);
    await scripted.click('button[type="submit"]');
    await scripted.waitForURL(`${base}/admin`);
    await scripted.goto(`${base}/admin/trash`);
    expect(await seriousAxeViolations(scripted, '/admin/trash')).toEqual([]);
    await scripted.close();
    expect((await reader.goto(`${base}/autumn-lentil-soup/`))?.status()).toBe(404);
    expect(await (await reader.goto(`${base}/feed.xml`))?.text()).not.toContain('Autumn Lentil Soup');

    // Delete forever asks first; keeping it goes back to the trash.
    await page.click('tr:has-text("Our Autumn Lentil Soup") a:has-text("Delete forever")');
    await page.waitForURL(/\/admin\/trash\/\d+\/delete/);
    expect(await page.textContent('main')).toContain('This cannot be undone.');
    await page.click('a:has-text("Keep it in the trash")');
    await page.waitForURL(`${base}/admin/trash`);

    await page.click('tr:has-text("Our Autumn Lentil Soup") button:has-text("Restore")');
    await page.waitForURL(/restored=/);
    expect(await page.textContent('main')).toContain('is restored');
    expect((await reader.goto(`${base}/autumn-lentil-soup/`))?.status()).toBe(200);

    await page.goto(`${base}/admin`);
    await page.click('button:has-text("Remove the demo content")');
    await page.waitForURL(`${base}/admin?demo=removed`);
    expect(await page.textContent('main')).toContain('The demo content is removed.');
    expect(await page.locator('button:has-text("Remove the demo content")').count()).toBe(0);
    expect((await reader.goto(`${base}/autumn-lentil-soup/`))?.status()).toBe(404);
    expect(await app.services.demo.state()).toBe('removed');
    await context.close();
  });
});
