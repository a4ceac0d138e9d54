import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { createTestApp } from '../test/helpers/app.js';
import { htmlErrors } from '../test/helpers/nu-checker.js';
import { linkIn, startSmtpServer } from '../test/helpers/smtp.js';
import { launchChromium, listen, seriousAxeViolations } from './browser.js';

/*
 * Subscribing through the form at the end of a post with JavaScript off (issue 20): the
 * plain POST, "Check your inbox", the link in the message, the button that confirms, and
 * the reader's page; each page valid HTML with nothing serious for axe.
 */

let app: App;
let base: string;
let browser: Browser;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-subscribe-e2e-'));

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>' });
  base = await listen(app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the subscribe form without JavaScript', () => {
  it('subscribes from a post page and confirms by the emailed link; every page is valid and accessible', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const files: string[] = [];
    const violations: string[] = [];
    // Script is off here: the Nu checker reads each page; axe (a script) runs below.
    const check = async (label: string) => {
      const file = path.join(dir, `${label}.html`);
      fs.writeFileSync(file, await page.content());
      files.push(file);
    };

    await page.goto(`${base}/benefits-of-infant-massage/`);
    const form = page.locator('.subscribe--post form');
    expect(await form.isVisible()).toBe(true);
    // Labels name each field for assistive technology.
    await page.getByLabel('Email address').first().fill('reader@example.org');
    await page.locator('#subscribe-post-name').fill('Rita Reader');
    await check('post');
    await Promise.all([page.waitForURL(`${base}/subscribe`), form.getByRole('button', { name: 'Subscribe' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Check your inbox');
    await check('check-inbox');

    const mail = await smtp.next();
    const link = new URL(linkIn(mail, 'http://blog.test/subscribe/confirm/'));
    await page.goto(`${base}${link.pathname}`);
    await check('confirm');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('You are subscribed');
    await check('confirmed');
    await page.getByRole('link', { name: 'your subscription page' }).click();
    await page.waitForLoadState();
    await check('preferences');
    // The blog's page (the theme), its title "… · blog title"; each radio beside its label.
    expect(await page.title()).toMatch(/^Your subscription · /);
    expect(await page.locator('.site-footer').count()).toBe(1);
    const radio = await page.locator('#preferences-every').boundingBox();
    const label = await page.locator('label[for="preferences-every"]').boundingBox();
    expect(radio && label).toBeTruthy();
    if (radio && label) {
      expect(label.x).toBeGreaterThan(radio.x + radio.width - 1);
      expect(Math.abs(label.y + label.height / 2 - (radio.y + radio.height / 2))).toBeLessThan(12);
    }
    // The link again: confirmed already, no 404.
    await page.goto(`${base}${link.pathname}`);
    expect(await page.locator('h1').textContent()).toBe('Your subscription is confirmed already');
    await check('confirmed-already');

    // A mistake comes back with the field named, still without script.
    await page.goto(`${base}/subscribe?from=/benefits-of-infant-massage/`);
    await page.locator('#subscribe-email').fill('not an address');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#subscribe-email-error').textContent()).toContain('email address');
    await check('subscribe-error');

    const row = await app.database.db
      .selectFrom('subscribers')
      .selectAll()
      .where('email', '=', 'reader@example.org')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'active',
      name: 'Rita Reader',
      source_path: '/benefits-of-infant-massage/',
    });
    expect(htmlErrors(files)).toEqual([]);
    await context.close();

    // The same pages through axe (which needs script, and the page's CSP set aside).
    const axeContext = await browser.newContext({ bypassCSP: true });
    const axePage = await axeContext.newPage();
    await axePage.goto(`${base}/benefits-of-infant-massage/`);
    violations.push(...(await seriousAxeViolations(axePage, 'post')));
    await axePage.locator('#subscribe-post-email').fill('second@example.org');
    await axePage.locator('.subscribe--post button').click();
    await axePage.waitForURL(`${base}/subscribe`);
    violations.push(...(await seriousAxeViolations(axePage, 'check-inbox')));
    const second = new URL(linkIn(await smtp.next(), 'http://blog.test/subscribe/confirm/'));
    await axePage.goto(`${base}${second.pathname}`);
    violations.push(...(await seriousAxeViolations(axePage, 'confirm')));
    await axePage.getByRole('button', { name: 'Confirm my subscription' }).click();
    await axePage.waitForLoadState();
    violations.push(...(await seriousAxeViolations(axePage, 'confirmed')));
    await axePage.goto(`${base}/subscription/${row.token}`);
    violations.push(...(await seriousAxeViolations(axePage, 'preferences')));
    await axePage.goto(`${base}/subscription/${row.token}/unsubscribe`);
    violations.push(...(await seriousAxeViolations(axePage, 'unsubscribe')));
    await axePage.goto(`${base}/subscribe`);
    await axePage.locator('#subscribe-email').fill('not an address');
    await axePage.getByRole('button', { name: 'Subscribe' }).click();
    await axePage.waitForLoadState();
    violations.push(...(await seriousAxeViolations(axePage, 'subscribe-error')));
    expect(violations).toEqual([]);
    await axeContext.close();
  }, 180_000);
});
