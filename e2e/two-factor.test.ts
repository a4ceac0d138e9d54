import fs from 'node:fs';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { decodeQr } from '../test/helpers/qr.js';
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

/** Collects what Chromium reports as Content-Security-Policy violations on a page. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) seen.push(m.text());
  });
  return seen;
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.fill('#login-email', 'olive@example.org');
  await page.fill('#login-password', PASSWORD);
  await page.click('button[type="submit"]');
}

/** Runs axe on the pages of a signed-in context (JavaScript on, the CSP set aside for axe's script). */
async function axeOn(context: BrowserContext, urls: string[]): Promise<string[]> {
  const checked = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
  const found: string[] = [];
  for (const url of urls) {
    const page = await checked.newPage();
    await page.goto(`${base}${url}`);
    found.push(...(await seriousAxeViolations(page, url)));
    await page.close();
  }
  await checked.close();
  return found;
}

describe('two-factor sign-in in Chromium, without JavaScript', () => {
  it('is turned on from a QR code, gives recovery codes to save, and a recovery code signs in once', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
    const page = await context.newPage();
    const violations = cspViolations(page);
    await signIn(page);
    await page.waitForURL(`${base}/admin`);

    // The setup page: a QR code drawn by the server (an image Chromium shows under the
    // admin's CSP), the same address as the link, and the key as text.
    await page.goto(`${base}/admin/account/two-factor`);
    const qr = page.locator('#totp-qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await qr.getAttribute('alt')).toBe('QR code of the setup address for your authenticator app');
    const uri = (await page.locator('a[href^="otpauth://"]').getAttribute('href')) as string;
    expect(await decodeQr(await qr.screenshot())).toBe(uri);
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replaceAll(' ', '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(await axeOn(context, ['/admin/account/two-factor'])).toEqual([]);
    fs.mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: path.join('test-results', 'two-factor-setup.png'), fullPage: true });

    // The code an authenticator app computes from the key turns it on.
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
    await page.fill('#totp-code', code);
    await page.click('button:has-text("Turn two-factor sign-in on")');
    expect(await page.locator('h1').textContent()).toBe('Your recovery codes');
    const codes = await page.locator('#recovery-codes code').allTextContents();
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await page.screenshot({ path: path.join('test-results', 'two-factor-recovery-codes.png'), fullPage: true });

    // Saved as a text file, as a person would.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a:has-text("Download them as a text file")'),
    ]);
    expect(download.suggestedFilename()).toBe('recovery-codes.txt');
    const file = fs.readFileSync((await download.path()) as string, 'utf8');
    for (const c of codes) expect(file).toContain(c);

    // Signed out, then in with the password and a recovery code instead of the app.
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/admin\/login\?done=signed-out/);
    await signIn(page);
    await page.waitForURL(/\/admin\/login\/two-factor/);
    await page.fill('#verify-code', codes[0] as string);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${base}/admin`);
    expect(await page.locator('main').textContent()).toContain('Signed in as Olive Owner');
    await page.goto(`${base}/admin/account/two-factor`);
    expect(await page.locator('main').textContent()).toContain('You have 9 unused recovery codes left.');

    // The same code a second time is refused, named next to the field.
    await page.click('button:has-text("Sign out")');
    await signIn(page);
    await page.waitForURL(/\/admin\/login\/two-factor/);
    await page.fill('#verify-code', codes[0] as string);
    await page.click('button:has-text("Sign in")');
    expect(await page.locator('#verify-code-error').textContent()).toContain(
      'The two-factor code is not right or was used already.',
    );
    expect(page.url()).toContain('/admin/login/two-factor');
    await page.fill('#verify-code', codes[1] as string);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${base}/admin`);

    expect(violations).toEqual([]);
    const used = await app.database.db
      .selectFrom('recovery_codes')
      .select('used_at')
      .where('used_at', 'is not', null)
      .execute();
    expect(used).toHaveLength(2);

    // axe on the pages of this part: two-factor on, sessions, the code step, new codes.
    expect(await axeOn(context, ['/admin/account/two-factor', '/admin/account/sessions'])).toEqual([]);
    await page.goto(`${base}/admin/account/sessions`);
    await page.screenshot({ path: path.join('test-results', 'sessions.png'), fullPage: true });
    const withScript = await browser.newContext({ bypassCSP: true });
    const step = await withScript.newPage();
    await signIn(step);
    await step.waitForURL(/\/admin\/login\/two-factor/);
    expect(await seriousAxeViolations(step, '/admin/login/two-factor')).toEqual([]);
    await step.fill('#verify-code', codes[2] as string);
    await step.click('button:has-text("Sign in")');
    await step.waitForURL(`${base}/admin`);
    await step.goto(`${base}/admin/account/two-factor`);
    await step.fill('#totp-confirm', PASSWORD);
    await step.click('button:has-text("Make new recovery codes")');
    expect(await step.locator('#recovery-codes code').count()).toBe(10);
    expect(await seriousAxeViolations(step, 'new recovery codes')).toEqual([]);
    await withScript.close();
    await context.close();
  });
});
