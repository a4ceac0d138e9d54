import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { createTestApp, postIdBySlug } from '../test/helpers/app.js';
import { launchChromium, listen, seriousAxeViolations } from './browser.js';

const PASSWORD = 'correct horse battery';
const SLUG = 'benefits-of-infant-massage';
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  app = await createTestApp();
  await app.services.users.create({ name: 'Ed Editor', email: 'ed@example.org', password: PASSWORD, role: 'editor' });
  await app.services.settings.update({ commentModeration: 'hold-all' });
  base = await listen(app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the moderation queue in Chromium', () => {
  it('approves a pending comment with the keyboard, shows it on the post, and passes axe-core', async () => {
    const postId = await postIdBySlug(app, SLUG);
    await app.services.comments.submit(
      { postId, name: 'Kit Keyboard', body: 'Approved by pressing a.' },
      { ip: '192.0.2.50', userAgent: 'test' },
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/admin/comments`);
    await page.getByLabel('Email').fill('ed@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/admin/comments`);
    expect(await page.locator('.queue__item').first().textContent()).toContain('Approved by pressing a.');

    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
    const checked = await axeContext.newPage();
    await checked.goto(`${base}/admin/comments`);
    expect(await seriousAxeViolations(checked, '/admin/comments')).toEqual([]);
    await axeContext.close();

    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await Promise.all([page.waitForURL(/done=approve/), page.keyboard.press('a')]);
    expect(await page.locator('[role="status"]').textContent()).toBe('Approved.');

    const post = await context.newPage();
    await post.goto(`${base}/${SLUG}/`);
    expect((await post.locator('.comment__body').allTextContents()).join(' ')).toContain('Approved by pressing a.');
    await context.close();
  });
});
