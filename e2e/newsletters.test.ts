import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { startSmtpServer } from '../test/helpers/smtp.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

/**
 * A newsletter's page in Chromium: its script follows the send live (the counts move while
 * it sends, slowly here) and the page shows the end; the list and the page pass axe.
 */
let app: App;
let base: string;
let browser: Browser;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  // 120 a minute: one message every half second.
  ({ app, base, browser } = await siteWithOwner({ smtpUrl: smtp.url, newsletterRate: 120 }));
  const now = new Date().toISOString();
  await app.database.db
    .insertInto('subscribers')
    .values(
      Array.from({ length: 8 }, (_, i) => ({
        email: `reader-${i + 1}@example.test`,
        token: `e2e-token-${i + 1}`,
        status: 'active' as const,
        consent_at: now,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
});

describe('following a newsletter in a browser', () => {
  it('shows the send’s progress as it goes, then that it is sent', async () => {
    const post = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const page = await browser.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', OWNER_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    const send = await app.services.newsletters.schedule({ postId: post.id });
    await page.goto(`${base}/admin/newsletters/${send.id}`);
    expect(await seriousAxeViolations(page, 'newsletter page')).toEqual([]);
    // The counts move without a reload, then the page says it is sent.
    await page.waitForFunction(
      () => /^[1-7] of 8 sent/.test(document.getElementById('newsletter-counts')?.textContent ?? ''),
      null,
      {
        timeout: 15_000,
      },
    );
    await page.waitForSelector('text=Sent to 8 of 8', { timeout: 30_000 });
    expect(await page.locator('#newsletter-progress').getAttribute('value')).toBe('8');
    expect(smtp.received).toHaveLength(8);
    await page.goto(`${base}/admin/newsletters`);
    expect(await page.locator('table').textContent()).toContain('8 of 8');
    expect(await seriousAxeViolations(page, 'newsletters list')).toEqual([]);
    await page.close();
  });
});
