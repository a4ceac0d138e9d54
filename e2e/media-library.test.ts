import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/main.js';
import { OWNER_PASSWORD, seriousAxeViolations, siteWithOwner } from './browser.js';

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

/** A photo of soft bands of two colours (something to see in a thumbnail). */
async function photo(top: string, bottom: string, width = 640, height = 480): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width * 0.7}" cy="${height * 0.35}" r="${height / 8}" fill="#fff4d6"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.fill('#login-email', 'olive@example.org');
  await page.fill('#login-password', OWNER_PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/admin`);
}

describe('the media library in Chromium', () => {
  it('finds photos, edits one, and chooses a post’s feature image from thumbnails, with no serious axe findings', async () => {
    const owner = await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const shots = [
      ['dawn-over-the-bay.jpg', 'The bay at dawn, the sun low over the water', '#f6a66b', '#3d5a80'],
      ['garden-gate.jpg', 'A green gate in a garden wall', '#a7c957', '#386641'],
      ['IMG_2041.jpg', '', '#cdb4db', '#5a189a'],
      ['snow-on-the-hill.jpg', 'Snow on the hill behind the house', '#e0fbfc', '#98c1d9'],
      ['harbour-lights.jpg', 'Harbour lights at night', '#ffd166', '#073b4c'],
      ['kitchen-table.jpg', 'Bread and tea on the kitchen table', '#f4e1c1', '#9c6644'],
    ] as const;
    const items = [];
    for (const [name, alt, top, bottom] of shots) {
      items.push(await app.services.media.ingest({ data: await photo(top, bottom), name, alt, uploadedBy: owner.id }));
    }
    const [dawn, gate] = items;
    if (!dawn || !gate) throw new Error('the photos were not stored');
    // A post that shows the gate in its text: its first photo.
    const post = await app.services.posts.create({
      title: 'Through the gate',
      body: `We went out early.\n\n![](${gate.url})\n\nThe light was soft.`,
      status: 'published',
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
      authorId: owner.id,
    });

    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await signIn(page);
    await page.goto(`${base}/admin/media`);
    expect(await page.locator('.media-grid img').count()).toBe(shots.length);
    expect(await seriousAxeViolations(page, '/admin/media')).toEqual([]);

    // Search and a filter, as a form without script.
    await page.fill('#media-q', 'harbour');
    await page.click('form[role="search"] button[type="submit"]');
    await page.waitForURL(/q=harbour/);
    expect(await page.locator('.media-grid img').count()).toBe(1);
    await page.goto(`${base}/admin/media`);
    await page.selectOption('#media-filter', 'noalt');
    await page.click('form[role="search"] button[type="submit"]');
    await page.waitForURL(/filter=noalt/);
    expect(await page.locator('.media-card__name').allTextContents()).toEqual(['IMG_2041.jpg']);

    // The gate's own page: where it is used, its texts, and no serious axe findings.
    await page.goto(`${base}/admin/media/${gate.id}`);
    expect(await page.locator('section[aria-labelledby="usage-heading"] a').textContent()).toBe('Through the gate');
    expect(await seriousAxeViolations(page, `/admin/media/${gate.id}`)).toEqual([]);
    await page.fill('#media-caption', 'The gate, first thing in the morning');
    await page.click(`form[action$="/media/${gate.id}"] button[type="submit"]`);
    await page.waitForURL(/saved=1/);
    const reader = await browser.newPage();
    await reader.goto(`${base}/${post.slug}/`);
    expect(await reader.locator('figcaption').first().textContent()).toContain('The gate, first thing in the morning');

    // The editor offers the post's first photo first; the writer picks the dawn photo by its thumbnail.
    await page.goto(`${base}/admin/posts/${post.id}`);
    expect(await seriousAxeViolations(page, `/admin/posts/${post.id}`)).toEqual([]);
    const first = page.locator('.picker__option').nth(1);
    expect(await first.textContent()).toContain('The first photo of this post');
    expect(await first.locator('img').count()).toBe(1);
    expect(await page.isChecked('#post-featureImageId')).toBe(true);
    // With script, a search box asks the library and shows only the photos found.
    const snow = items[3];
    await page.fill('#feature-search', 'snow on the hill');
    await expect.poll(() => page.textContent('#feature-search-status')).toBe('1 photo matches.');
    expect(await page.isVisible(`label[for="feature-${snow?.id}"]`)).toBe(true);
    expect(await page.isVisible(`label[for="feature-${dawn.id}"]`)).toBe(false);
    await page.fill('#feature-search', 'dawn');
    await expect.poll(() => page.isVisible(`label[for="feature-${dawn.id}"]`)).toBe(true);
    await page.click(`label[for="feature-${dawn.id}"] img`);
    expect(await page.isChecked(`#feature-${dawn.id}`)).toBe(true);
    await page.click('#editor button[type="submit"]:has-text("Save")');
    await page.waitForURL(/saved=1/);
    expect(await page.isChecked(`#feature-${dawn.id}`)).toBe(true);
    const row = await app.database.db
      .selectFrom('posts')
      .select('feature_image_id')
      .where('id', '=', post.id)
      .executeTakeFirstOrThrow();
    expect(row.feature_image_id).toBe(dawn.id);
    await reader.goto(`${base}/${post.slug}/`);
    expect(await reader.locator(`img[alt="${dawn.alt}"]`).count()).toBeGreaterThan(0);
    await reader.close();
    await page.close();
  });
});
