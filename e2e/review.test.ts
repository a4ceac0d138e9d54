import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { startSmtpServer } from '../test/helpers/smtp.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

/*
 * The guest writer's review end to end in Chromium (issue 18): a contributor writes a draft
 * with a photo and submits it; the owner and the editor get an email; the editor finds it
 * under Review, leaves a note (the writer gets an email), adds an editor's note and
 * publishes it (the writer gets an email); the published post shows the note.
 */

const PASSWORD = OWNER_PASSWORD;
const TITLE = 'Letters from the allotment';
let app: App;
let base: string;
let browser: Browser;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const cspViolations: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpServer();
  ({ app, base, browser } = await siteWithOwner({ demo: false, smtpUrl: smtp.url }));
  await app.services.users.create({ name: 'Ed Editor', email: 'ed@example.org', password: PASSWORD, role: 'editor' });
  await app.services.users.create({
    name: 'Cy Contributor',
    email: 'cy@example.org',
    password: PASSWORD,
    role: 'contributor',
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
});

async function signedIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy: ${e.violatedDirective}`),
    );
  });
  await page.goto(`${base}/admin/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/admin`);
  return { context, page };
}

/** The mail that arrived since the last call, once everything started has been sent. */
async function mail() {
  await app.services.reviews.settled();
  return smtp.received.splice(0).map((m) => ({ to: (m.to as { text: string }).text, subject: m.subject ?? '' }));
}

describe('the guest writer’s review in Chromium', () => {
  it('goes from a contributor’s draft with a photo to a published post, with its emails', async () => {
    const cy = await signedIn('cy@example.org');
    await cy.page.goto(`${base}/admin/posts/new`);
    await cy.page.waitForSelector('#editor[data-editor-ready="yes"]');
    await cy.page.fill('#post-title', TITLE);
    const text = cy.page.getByRole('textbox', { name: 'Text (Markdown)' });
    await text.fill('The beans came up at last.\n');
    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6a4' } })
      .jpeg()
      .toBuffer();
    const chooser = cy.page.waitForEvent('filechooser');
    await cy.page.click('button[data-md="image"]');
    await (await chooser).setFiles({ name: 'beans.jpg', mimeType: 'image/jpeg', buffer: photo });
    await expect.poll(() => cy.page.inputValue('#post-body'), { timeout: 15_000 }).toMatch(/!\[\]\(\/media\/[^)]+\)/);
    const body = (await cy.page.inputValue('#post-body')).replace('![]', '![Bean plants on their poles]');
    await text.fill(body);
    await cy.page.click('#editor button[type="submit"]');
    await cy.page.waitForURL(/\/admin\/posts\/\d+\?saved=1/);
    const postUrl = cy.page.url().replace('?saved=1', '');
    await Promise.all([
      cy.page.waitForURL(/review=submitted/),
      cy.page.getByRole('button', { name: 'Submit for review' }).click(),
    ]);
    expect(await cy.page.locator('.notice--success').textContent()).toContain('Submitted for review');
    expect(await cy.page.locator('#editor button[type="submit"]').count()).toBe(0);
    const submitted = await mail();
    expect(submitted.map((m) => m.to).sort()).toEqual(['ed@example.org', 'olive@example.org']);
    expect(submitted.every((m) => m.subject === `“${TITLE}” is waiting for review`)).toBe(true);

    const ed = await signedIn('ed@example.org');
    const reviewLink = ed.page.getByRole('link', { name: /^Review/ });
    expect(await reviewLink.textContent()).toContain('(1 waiting)');
    await reviewLink.click();
    await ed.page.waitForURL(`${base}/admin/review`);
    await ed.page.getByRole('link', { name: TITLE }).click();
    await ed.page.waitForURL(`${postUrl}#review`);

    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await ed.context.storageState() });
    const checked = await axeContext.newPage();
    for (const path of ['/admin/review', new URL(postUrl).pathname]) {
      await checked.goto(`${base}${path}`);
      expect(await seriousAxeViolations(checked, path)).toEqual([]);
    }
    await axeContext.close();

    await ed.page.fill('#review-note', 'Could you name the variety?');
    await Promise.all([
      ed.page.waitForURL(/review=noted/),
      ed.page.getByRole('button', { name: 'Leave the note' }).click(),
    ]);
    expect(await mail()).toEqual([{ to: 'cy@example.org', subject: `A note on “${TITLE}”` }]);

    await ed.page.fill('#post-editorNote', 'Cy writes from plot 12.');
    await ed.page.check('#status-published');
    await ed.page.click('#editor button[type="submit"]');
    await ed.page.waitForURL(/\?saved=1/);
    expect(await mail()).toEqual([{ to: 'cy@example.org', subject: `“${TITLE}” is published` }]);

    await cy.page.goto(postUrl);
    const thread = await cy.page.locator('.review-notes').textContent();
    expect(thread).toContain('Could you name the variety?');
    expect(thread).toContain('published it');
    const reader = await browser.newPage();
    await reader.goto(`${base}/letters-from-the-allotment/`);
    expect(await reader.textContent('body')).toContain('Cy writes from plot 12.');
    expect(await reader.textContent('body')).not.toContain('Could you name the variety?');
    expect(cspViolations).toEqual([]);
    await cy.context.close();
    await ed.context.close();
  });
});
