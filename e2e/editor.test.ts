import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { utcToZoned } from '../src/shared/zoned-time.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

const PASSWORD = OWNER_PASSWORD;
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ({ app, base, browser } = await siteWithOwner({ demo: false }));
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('writing and scheduling a post in Chromium', () => {
  it('signs in, writes a post with a photo, schedules it, sees it appear, edits it and restores a revision', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/admin`);

    await page.goto(`${base}/admin/posts/new`);
    await page.waitForSelector('#editor[data-editor-ready="yes"]');
    expect(await seriousAxeViolations(page, '/admin/posts/new')).toEqual([]);
    await page.fill('#post-title', 'Morning light');
    await page.getByRole('textbox', { name: 'Text (Markdown)' }).fill('The first version.\n');
    // The photo goes in through the editor's file picker (the toolbar's Image button).
    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#c96' } })
      .jpeg()
      .toBuffer();
    const chooser = page.waitForEvent('filechooser');
    await page.click('button[data-md="image"]');
    await (await chooser).setFiles({ name: 'window.jpg', mimeType: 'image/jpeg', buffer: photo });
    await expect.poll(() => page.inputValue('#post-body'), { timeout: 15_000 }).toMatch(/!\[\]\(\/media\/[^)]+\)/);
    // Describe the photo: its alt text goes between the brackets.
    const body = (await page.inputValue('#post-body')).replace('![]', '![Sunlight on the kitchen table]');
    await page.getByRole('textbox', { name: 'Text (Markdown)' }).fill(body);
    await expect.poll(() => page.locator('#preview img').count()).toBeGreaterThan(0);

    const { timezone } = await app.services.settings.get();
    const due = new Date(Math.ceil((Date.now() + 4000) / 60_000) * 60_000);
    await page.check('#status-scheduled');
    await page.fill('#post-publishedAt', utcToZoned(due.toISOString(), timezone));
    await page.click('#editor button[type="submit"]');
    await page.waitForURL(/\/admin\/posts\/\d+\?saved=1/);
    const editUrl = page.url().replace('?saved=1', '');

    const reader = await browser.newPage();
    expect((await reader.goto(`${base}/morning-light/`))?.status()).toBe(404);
    await expect
      .poll(async () => (await reader.goto(`${base}/morning-light/`))?.status(), {
        timeout: 90_000,
        interval: 1000,
      })
      .toBe(200);
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime());
    expect(await reader.locator('picture img').count()).toBeGreaterThan(0);

    await page.goto(editUrl);
    await page.waitForSelector('#editor[data-editor-ready="yes"]');
    const text = await page.inputValue('#post-body');
    await page
      .getByRole('textbox', { name: 'Text (Markdown)' })
      .fill(text.replace('The first version.', 'The second version.'));
    await page.click('#editor button[type="submit"]');
    await page.waitForURL(/saved=1/);
    await reader.goto(`${base}/morning-light/`);
    expect(await reader.textContent('main')).toContain('The second version.');

    await page.goto(`${editUrl}/revisions`);
    await page.locator('ol.revisions a').last().click();
    await page.click('button:has-text("Restore this revision")');
    await page.waitForURL(/restored=1/);
    expect(await page.inputValue('#post-body')).toContain('The first version.');
    await reader.goto(`${base}/morning-light/`);
    expect(await reader.textContent('main')).toContain('The first version.');
  });
});
