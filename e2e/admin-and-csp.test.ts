import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

const resultsDir = path.resolve('test-results');
const PASSWORD = OWNER_PASSWORD;
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(resultsDir, { recursive: true });
  ({ app, base, browser } = await siteWithOwner());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Opens a page and collects what Chromium reports as Content-Security-Policy violations. */
async function visit(page: Page, url: string): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy: ${e.violatedDirective}`),
    );
  });
  await page.goto(`${base}${url}`);
  await page.waitForLoadState('networkidle');
  return violations;
}

describe('the Content-Security-Policy in Chromium', () => {
  it('blocks nothing on public pages: JSON-LD is data, not script, and the theme has no inline script', async () => {
    const page = await browser.newPage();
    for (const url of ['/', '/benefits-of-infant-massage/', '/?cached=again']) {
      expect(await visit(page, url), url).toEqual([]);
      expect(await page.locator('script[type="application/ld+json"]').count(), url).toBeGreaterThan(0);
      const inline = await page.locator('script:not([src]):not([type="application/ld+json"])').count();
      expect(inline, url).toBe(0);
    }
    // The JSON-LD is still readable as data by whoever looks for it.
    const ld = await page.locator('script[type="application/ld+json"]').first().textContent();
    expect(JSON.parse(ld ?? '')['@context']).toBe('https://schema.org');
    await page.close();
  });

  it('blocks an inline script that someone slipped in', async () => {
    const page = await browser.newPage();
    await visit(page, '/');
    const violations: string[] = [];
    page.on('console', (m) => violations.push(m.text()));
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.append(s);
    });
    expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran)).toBeUndefined();
    expect(violations.join('\n')).toContain('Content Security Policy');
    await page.close();
  });
});

describe('the admin on a phone, without JavaScript', () => {
  it('signs in, shows the dashboard, and passes axe-core', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    expect(await visit(page, '/admin')).toEqual([]);
    expect(page.url()).toBe(`${base}/admin/login?next=%2Fadmin`);
    await page.screenshot({ path: path.join(resultsDir, 'admin-login-phone.png'), fullPage: true });
    await page.getByLabel('Email').fill('olive@example.org');
    await page.getByLabel('Password').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('#login-password-error').textContent()).toBe(
      'The email address or the password is not right.',
    );
    await page.screenshot({ path: path.join(resultsDir, 'admin-login-error-phone.png'), fullPage: true });
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(page.url()).toBe(`${base}/admin`);
    expect(await page.locator('main').textContent()).toContain('Signed in as Olive Owner');
    await page.goto(`${base}/admin/users`);
    await page.screenshot({ path: path.join(resultsDir, 'admin-users-phone.png'), fullPage: true });

    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
    for (const url of ['/admin/login', '/admin', '/admin/users', '/admin/account/two-factor', '/admin/forgot']) {
      const checked = await axeContext.newPage();
      await checked.goto(`${base}${url}`);
      expect(await seriousAxeViolations(checked, url)).toEqual([]);
      await checked.close();
    }
    await axeContext.close();
    await context.close();
  });
});
