import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

let app: App;
let base: string;
let browser: Browser;
let bookId: number;

beforeAll(async () => {
  ({ app, base, browser } = await siteWithOwner());
  const owner = await app.database.db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('email', '=', 'olive@example.org')
    .executeTakeFirstOrThrow();
  const book = await app.services.books.create(owner, { title: 'Kitchen Year', language: 'en' });
  await app.services.books.setContents(owner, book.id, [
    { post: 'benefits-of-infant-massage' },
    { post: 'autumn-lentil-soup' },
    { title: 'Afterword', body: 'Thank you for reading.' },
  ]);
  bookId = book.id;
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const titles = async () => (await app.services.books.contents(bookId)).map((e) => e.title);
const rowTitles = (page: Page) =>
  page.$$eval('ol[data-rows="entry"] > li', (rows) =>
    rows.map(
      (r) =>
        r.querySelector('[data-title]')?.textContent?.trim() ??
        (r.querySelector('input[name$=".title"]') as HTMLInputElement | null)?.value ??
        '',
    ),
  );

describe('the book form in Chromium', () => {
  it('drags a chapter to the top, moves one by keyboard, and saves the order', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', OWNER_PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/admin`);

    await page.goto(`${base}/admin/books`);
    expect(await seriousAxeViolations(page, '/admin/books')).toEqual([]);
    await page.goto(`${base}/admin/books/${bookId}`);
    expect(await seriousAxeViolations(page, `/admin/books/${bookId}`)).toEqual([]);
    await page.waitForSelector('.book-row__handle');

    // Drag the afterword by its handle above the first chapter (the rows on screen, as a person sees them).
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.locator('ol[data-rows="entry"]').evaluate((list) => list.scrollIntoView({ block: 'start' }));
    const handle = page.locator('ol[data-rows="entry"] > li').nth(2).locator('.book-row__handle');
    const first = await page.locator('ol[data-rows="entry"] > li').nth(0).boundingBox();
    const from = await handle.boundingBox();
    if (!first || !from) throw new Error('the rows are not shown');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(first.x + 40, first.y + first.height / 2, { steps: 8 });
    await page.mouse.move(first.x + 40, first.y + 5, { steps: 4 });
    await page.mouse.up();
    expect(await rowTitles(page)).toEqual(['Afterword', 'Benefits of Infant Massage', 'Our Autumn Lentil Soup']);
    expect(await page.textContent('#book-announce')).toContain('“Afterword” is now number 1');
    // The fields follow the rows' new places, so the form sends them in this order.
    expect(await page.getAttribute('ol[data-rows="entry"] > li:first-child input[name$=".kind"]', 'name')).toBe(
      'entry.1.kind',
    );

    // By keyboard: Move down on the soup's row's sibling, without a round trip; focus stays on it.
    const down = page.locator('ol[data-rows="entry"] > li').nth(1).locator('button[value^="entry-down."]');
    await down.focus();
    await page.keyboard.press('Enter');
    expect(await rowTitles(page)).toEqual(['Afterword', 'Our Autumn Lentil Soup', 'Benefits of Infant Massage']);
    expect(await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value)).toBe('entry-up.3');
    // Nothing is saved until the book is.
    expect(await titles()).toEqual(['Benefits of Infant Massage', 'Our Autumn Lentil Soup', 'Afterword']);
    await page.locator('button[value="save"]').first().click();
    await page.waitForURL(`${base}/admin/books/${bookId}?done=saved`);
    expect(await titles()).toEqual(['Afterword', 'Our Autumn Lentil Soup', 'Benefits of Infant Massage']);
    expect(await rowTitles(page)).toEqual(['Afterword', 'Our Autumn Lentil Soup', 'Benefits of Infant Massage']);

    await page.goto(`${base}/admin/books/${bookId}/preview`);
    expect(await seriousAxeViolations(page, `/admin/books/${bookId}/preview`)).toEqual([]);
    await page.close();
  });

  it('builds the book from its page without leaving it, and offers the file when it is done', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#login-email', 'olive@example.org');
    await page.fill('#login-password', OWNER_PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/admin`);
    await page.goto(`${base}/admin/books/${bookId}`);
    const line = page.locator('.book-build-line[data-format="epub"]');
    expect(await line.locator('.book-build-state').textContent()).toContain('Not built yet.');
    // Something typed in the form above stays: the build is started by script, on the same page.
    await page.fill('#book-subtitle', 'typed, not saved');
    await line.locator('button[type="submit"]').click();
    await line.locator('.book-build-file a').waitFor({ timeout: 60_000 });
    expect(await line.locator('.book-build-state').textContent()).toMatch(/^Built: 3 chapters/);
    expect(await line.locator('.book-build-file').textContent()).toContain('up to date');
    expect(await page.inputValue('#book-subtitle')).toBe('typed, not saved');
    expect(page.url()).toBe(`${base}/admin/books/${bookId}`);
    const download = await Promise.all([page.waitForEvent('download'), line.locator('.book-build-file a').click()]);
    expect(download[0].suggestedFilename()).toBe('kitchen-year.epub');
    expect(await seriousAxeViolations(page, `/admin/books/${bookId} (built)`)).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the public book page and the list of books with no serious axe findings', async () => {
    const owner = await app.database.db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('email', '=', 'olive@example.org')
      .executeTakeFirstOrThrow();
    await app.services.books.update(owner, bookId, { public: true, description: 'A year in the kitchen.' });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    for (const url of ['/books/kitchen-year/', '/books/']) {
      await page.goto(`${base}${url}`);
      expect(await page.locator('h1').first().textContent()).toMatch(/Kitchen Year|Books/);
      expect(await seriousAxeViolations(page, url)).toEqual([]);
    }
    await context.close();
  });
});
