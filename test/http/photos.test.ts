import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaItem } from '../../src/domain/media/index.js';
import type { App } from '../../src/main.js';
import { createTestApp } from '../helpers/app.js';
import { phoneJpeg } from '../helpers/photos.js';

let app: App;
let photo: MediaItem;
let html: string;
const get = (url: string) => app.server.inject({ method: 'GET', url });

/** The attributes of the first element matching a tag in some HTML. */
function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

beforeAll(async () => {
  app = await createTestApp();
  // A phone photo, 2000 pixels wide, with a GPS position, uploaded and put in a post.
  photo = await app.services.media.ingest({
    data: await phoneJpeg(2000, 1200),
    name: 'IMG_2041.jpg',
    alt: 'Two children building a den of cushions',
    caption: 'The den, before the roof fell in.',
  });
  const author = await app.database.db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow();
  await app.services.posts.create({
    title: 'A den of cushions',
    body: `We built a den.\n\n![](${photo.url})\n\nIt fell down.`,
    status: 'published',
    publishedAt: '2026-01-01T10:00:00Z',
    authorId: author.id,
  });
  const res = await get('/a-den-of-cushions/');
  expect(res.statusCode).toBe(200);
  html = res.body;
});
afterAll(async () => {
  await app?.close();
});

describe('an uploaded photo in a post page', () => {
  it('is a <picture> with AVIF, then WebP sources, each with srcset and sizes, and an <img> fallback', () => {
    const figure = html.match(/<figure class="figure"><picture>[\s\S]*?<\/figure>/)?.[0] ?? '';
    const sources = [...figure.matchAll(/<source [^>]*>/g)].map((m) => attributes(m[0]));
    expect(sources.map((s) => s.type)).toEqual(['image/avif', 'image/webp']);
    const stem = photo.path.replace(/\.jpg$/, '');
    for (const [source, ext] of [
      [sources[0], 'avif'],
      [sources[1], 'webp'],
    ] as const) {
      expect(source?.srcset).toBe(
        `/media/${stem}-480.${ext} 480w, /media/${stem}-960.${ext} 960w, /media/${stem}-1600.${ext} 1600w, /media/${stem}.${ext} 2000w`,
      );
      expect(source?.sizes).toBe('(min-width: 48rem) 44rem, 100vw');
    }
    const img = attributes(figure.match(/<img [^>]*>/)?.[0] ?? '');
    expect(img).toMatchObject({
      src: `/media/${stem}-1600.jpg`,
      srcset: `/media/${stem}-480.jpg 480w, /media/${stem}-960.jpg 960w, /media/${stem}-1600.jpg 1600w, /media/${stem}.jpg 2000w`,
      alt: 'Two children building a den of cushions',
      width: '2000',
      height: '1200',
      loading: 'lazy',
      decoding: 'async',
    });
    expect(figure).toContain('<figcaption>The den, before the roof fell in.</figcaption>');
    expect(figure).not.toContain('IMG_2041');
  });

  it('serves every file of every srcset, of its type and width, with no EXIF and no GPS', async () => {
    const candidates = [...html.matchAll(/srcset="([^"]+)"/g)]
      .flatMap((m) => (m[1] ?? '').split(', '))
      .filter((c) => c.startsWith(`/media/${photo.path.replace(/\.jpg$/, '')}`));
    expect(candidates).toHaveLength(12);
    for (const candidate of candidates) {
      const [url, width] = candidate.split(' ') as [string, string];
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      const ext = url.split('.').pop() as string;
      expect(res.headers['content-type'], url).toBe({ avif: 'image/avif', webp: 'image/webp', jpg: 'image/jpeg' }[ext]);
      const meta = await sharp(res.rawPayload).metadata();
      expect(`${meta.width}w`, url).toBe(width);
      expect(meta.exif, url).toBeUndefined();
      // No EXIF block of any kind: neither its JPEG/WebP header nor the camera's name.
      expect(res.rawPayload.includes('Exif\0\0'), url).toBe(false);
      expect(res.rawPayload.includes('Pixelphone'), url).toBe(false);
    }
  });
});

describe('editing a photo in the library', () => {
  it('shows the new alt text of a feature image on its post page at once, past the page cache', async () => {
    const page = '/benefits-of-infant-massage/';
    const before = (await get(page)).body;
    const feature = before.match(/<div class="post-feature wrap"><picture>[\s\S]*?<\/picture>/)?.[0] ?? '';
    expect(feature).toContain('type="image/avif"');
    const src = feature.match(/<img src="\/media\/([^"]+)"/)?.[1] ?? '';
    const row = await app.database.db
      .selectFrom('media')
      .select('id')
      .where('path', '=', src)
      .executeTakeFirstOrThrow();
    await app.services.media.update(row.id, { alt: 'A parent’s hands on a baby’s tummy, after the bath' }, 'system');
    const after = (await get(page)).body;
    expect(after).toContain('alt="A parent’s hands on a baby’s tummy, after the bath"');
  });
});
