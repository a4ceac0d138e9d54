import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { createTestApp } from '../test/helpers/app.js';
import { htmlErrors } from '../test/helpers/nu-checker.js';
import { launchChromium, listen, seriousAxeViolations } from './browser.js';

/** The public theme as a visitor on a phone sees it: the folding menu, dark mode, standards. */
const resultsDir = path.resolve('test-results');
let app: App;
let base: string;
let browser: Browser;
const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

beforeAll(async () => {
  fs.mkdirSync(resultsDir, { recursive: true });
  app = await createTestApp();
  await app.services.settings.update({
    description: 'Green living with small children, written down between naps.',
    footerText: 'Words and photos shared under CC BY-SA 4.0.',
    footerLinks: [{ label: 'Privacy', url: '/about/' }],
    socialLinks: [{ label: 'Mastodon', url: 'https://mastodon.example/@hearth' }],
  });
  const author = (await app.services.users.forExport())[0];
  if (!author) throw new Error('the demo has no author');
  // A post with no photo at all: its card must still look made.
  await app.services.posts.create({
    title: 'Ümit’s list of small habits',
    body: 'Turn the tap off while brushing. Mend before buying.',
    status: 'published',
    publishedAt: new Date().toISOString(),
    authorId: author.id,
  });
  base = await listen(app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the header on a phone', () => {
  it('takes under a quarter of the first screen, and its menu opens and closes by keyboard', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${base}/benefits-of-infant-massage/`);
    const header = await page.locator('.site-header').boundingBox();
    expect(header?.height ?? 999).toBeLessThan(667 * 0.25);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    const toggle = page.locator('.site-menu__toggle');
    // Tab from the top: skip link, site title, then the menu button.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBeNull(); // summary's state comes from details
    await page.keyboard.press('Enter');
    expect(await nav.isVisible()).toBe(true);
    expect(await page.locator('.site-menu').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    // Chromium's accessibility tree: a control named "Menu", now expanded.
    const cdp = await context.newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        role?: { value: string };
        name?: { value: string };
        properties?: { name: string; value: { value: unknown } }[];
      }[];
    };
    const menuNode = nodes.find((n) => n.name?.value === 'Menu' && n.role?.value !== 'StaticText');
    expect(menuNode?.role?.value).toMatch(/DisclosureTriangle|button/);
    expect(menuNode?.properties?.find((p) => p.name === 'expanded')?.value.value).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('nav')?.getAttribute('aria-label'))).toBe('Main');
    await page.keyboard.press('Escape');
    expect(await nav.isVisible()).toBe(false);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.screenshot({ path: path.join(resultsDir, 'theme-phone-light.png') });
    await context.close();
  });

  it('opens without JavaScript too', async () => {
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Green Living' });
    expect(await link.isVisible()).toBe(false);
    await page.locator('.site-menu__toggle').focus();
    await page.keyboard.press('Space');
    expect(await link.isVisible()).toBe(true);
    await link.click();
    await page.waitForURL(/\/category\/green-living\/$/);
    await context.close();
  });

  it('shows the menu without a button on a wide screen', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/`);
    expect(await page.locator('.site-menu__toggle').isVisible()).toBe(false);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home', exact: true }).isVisible(),
    ).toBe(true);
    expect(await page.getByRole('search').isVisible()).toBe(true);
    await page.close();
  });
});

describe('the rest of the theme', () => {
  it('keeps the reply checkbox beside its label, and a photo-less card shows a panel', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${base}/benefits-of-infant-massage/`);
    const box = await page.locator('#comment-notify').boundingBox();
    const label = await page.locator('label[for="comment-notify"]').boundingBox();
    if (!box || !label) throw new Error('the reply checkbox is missing');
    expect(box.width).toBeLessThan(40);
    expect(Math.abs(box.y + box.height / 2 - (label.y + label.height / 2))).toBeLessThan(12);
    expect(label.x).toBeGreaterThan(box.x + box.width);
    expect(label.x - (box.x + box.width)).toBeLessThan(24);
    await page.goto(`${base}/`);
    const card = page.locator('.card', { hasText: 'list of small habits' });
    const panel = await card.locator('.card__image--none').boundingBox();
    expect(panel?.height ?? 0).toBeGreaterThan(100);
    expect(await card.locator('.card__initial').innerText()).toBe('Ü');
    await card.screenshot({ path: path.join(resultsDir, 'theme-card-without-photo.png') });
    await context.close();
  });

  it('shows the site texts from the settings in the footer, and loads its own fonts', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const footer = page.locator('footer.site-footer');
    expect(await footer.innerText()).toContain('written down between naps');
    expect(await footer.innerText()).toContain('CC BY-SA 4.0');
    expect(await footer.getByRole('link', { name: 'Mastodon' }).getAttribute('rel')).toBe('me noopener');
    await page.evaluate(() => document.fonts.ready);
    const loaded = await page.evaluate(() =>
      [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family} ${f.weight}`),
    );
    expect(loaded).toEqual(expect.arrayContaining(['Literata 600 800', 'Source Sans 3 300 500']));
    await page.close();
  });
});

describe('standards in light and dark', () => {
  const pages = [
    ['home', '/'],
    ['post', '/benefits-of-infant-massage/'],
    ['list', '/category/green-living/'],
    ['page', '/about/'],
    ['search', '/search/?q=massage'],
  ] as const;

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: axe finds nothing serious, the Nu checker no error, no request leaves 127.0.0.1`, async () => {
      for (const width of [375, 1280]) {
        const context = await browser.newContext({
          viewport: { width, height: 800 },
          colorScheme: scheme,
          bypassCSP: true,
        });
        const hosts = new Set<string>();
        context.on('request', (r) => hosts.add(new URL(r.url()).hostname));
        const files: string[] = [];
        for (const [name, url] of pages) {
          const page = await context.newPage();
          await page.goto(`${base}${url}`, { waitUntil: 'networkidle' });
          expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(scheme === 'dark');
          if (width === 375) await page.locator('.site-menu__toggle').click();
          expect(await seriousAxeViolations(page, `${scheme} ${width} ${name}`)).toEqual([]);
          const file = path.join(resultsDir, `theme-${scheme}-${width}-${name}.html`);
          fs.writeFileSync(file, await (await fetch(`${base}${url}`)).text());
          files.push(file);
          if (name === 'post' && width === 375) {
            await page.locator('.site-menu__toggle').click();
            await page.screenshot({ path: path.join(resultsDir, `theme-post-${scheme}.png`) });
          }
          await page.close();
        }
        expect([...hosts]).toEqual(['127.0.0.1']);
        if (width === 375) expect(htmlErrors(files)).toEqual([]);
        await context.close();
      }
    });
  }
});
