import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { createTestApp } from '../test/helpers/app.js';
import { htmlErrors } from '../test/helpers/nu-checker.js';
import { launchChromium, listen, seriousAxeViolations } from './browser.js';

const resultsDir = path.resolve('test-results');
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(resultsDir, { recursive: true });
  app = await createTestApp();
  base = await listen(app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Scrolls through the page so that lazy images load, then back to the top. */
async function loadLazyImages(page: Page) {
  const height = await page.evaluate(() => document.body.scrollHeight);
  for (let y = 0; y < height; y += 500) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(30);
  }
  await page.waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: 15_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
}

describe('the demo post in Chromium', () => {
  it('shows every part of the reference page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/benefits-of-infant-massage/`);
    await loadLazyImages(page);
    const visible = (selector: string) => page.locator(selector).first().isVisible();

    // 1. header and navigation with categories
    expect(await visible('.site-title')).toBe(true);
    expect(await page.locator('nav.site-nav a[href^="/category/"]').count()).toBeGreaterThanOrEqual(3);
    // 2. category label linked to its archive; 3. title
    expect(await page.locator('.post-header a.label').getAttribute('href')).toBe('/category/green-living/');
    expect(await page.locator('h1').innerText()).toBe('Benefits of Infant Massage');
    // 4. editor's note, signed; 5. P.S. about the photos
    expect(await visible('.editor-note')).toBe(true);
    expect(await page.locator('.editor-note__signature').innerText()).toMatch(/— \w+/);
    expect(await visible('.postscript')).toBe(true);
    // 6. the guest post, linking an earlier guest post
    expect(await page.locator('.prose a[href^="/"]').count()).toBeGreaterThanOrEqual(1);
    // 7. inline photos with captions that are not file names, all loaded
    const captions = await page.locator('.prose figure figcaption').allInnerTexts();
    expect(captions.length).toBeGreaterThanOrEqual(3);
    for (const c of captions) expect(c).not.toMatch(/\.(jpe?g|png|webp)\b|IMG_\d/i);
    const broken = await page.evaluate(() =>
      [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.src),
    );
    expect(broken).toEqual([]);
    // 8. how-to steps
    expect(await page.locator('.howto-steps > li').count()).toBeGreaterThanOrEqual(5);
    // 9. share links, and the copy-link button that script reveals
    expect(await page.locator('.share__link').count()).toBeGreaterThanOrEqual(4);
    expect(await visible('[data-copy-link]')).toBe(true);
    // 10. three related posts with thumbnails
    expect(await page.locator('.related .card').count()).toBe(3);
    expect(await page.locator('.related .card img').count()).toBe(3);
    // 11. comments with name, date and text; the organisation linked
    expect(await page.locator('.comment').count()).toBe(3);
    expect(await page.locator('.comment__author a[rel="nofollow ugc noopener"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.comment__date time').first().innerText()).toMatch(
      /^\w+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M$/,
    );
    // 12. comment form and footer
    expect(await visible('form.comment-form')).toBe(true);
    expect(await visible('footer.site-footer')).toBe(true);

    await page.screenshot({ path: path.join(resultsDir, 'post-page.png'), fullPage: true });
    await page.close();
  });

  it('makes no request to any other host', async () => {
    const page = await browser.newPage();
    const hosts = new Set<string>();
    page.on('request', (r) => hosts.add(new URL(r.url()).host));
    await page.goto(`${base}/benefits-of-infant-massage/`);
    await loadLazyImages(page);
    expect([...hosts]).toEqual([new URL(base).host]);
    await page.close();
  });

  it('works with JavaScript off: reading and commenting', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/benefits-of-infant-massage/`);
    expect(await page.locator('h1').innerText()).toBe('Benefits of Infant Massage');
    await page.fill('#comment-name', 'Noor');
    await page.fill('#comment-body', 'Read with scripts off, and it all works.');
    await Promise.all([page.waitForURL(/comment=pending/), page.click('.comment-form button[type="submit"]')]);
    expect(await page.locator('.notice--success').innerText()).toContain('awaiting moderation');
    await page.fill('#comment-name', '');
    await page.fill('#comment-body', 'No name this time.');
    await page.click('.comment-form button[type="submit"]');
    expect(await page.locator('#comment-name-error').innerText()).toContain('enter your name');
    expect(await page.locator('#comment-body').inputValue()).toBe('No name this time.');
    await context.close();
  });
});

describe('standards', () => {
  const pages = [
    ['home', '/'],
    ['post', '/benefits-of-infant-massage/'],
    ['category', '/category/green-living/'],
    ['about', '/about/'],
    ['search', '/search/?q=massage'],
    ['not-found', '/nothing-here/'],
  ] as const;

  it('passes axe-core with no serious or critical violations', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    for (const [name, url] of pages) {
      const page = await context.newPage();
      await page.goto(`${base}${url}`);
      expect(await seriousAxeViolations(page, name)).toEqual([]);
      await page.close();
    }
    await context.close();
  });

  it('passes the Nu HTML checker with no errors', async () => {
    const files: string[] = [];
    for (const [name, url] of pages) {
      const res = await fetch(`${base}${url}`);
      const file = path.join(resultsDir, `${name}.html`);
      fs.writeFileSync(file, await res.text());
      files.push(file);
    }
    expect(htmlErrors(files)).toEqual([]);
  });
});
