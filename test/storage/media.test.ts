import fs from 'node:fs';
import path from 'node:path';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MediaService } from '../../src/domain/media/index.js';
import { HearthError } from '../../src/errors.js';
import { createServices, type Services } from '../../src/services.js';
import { createDiskMediaStore } from '../../src/storage/index.js';
import { animatedGif, noisyPhoto, phoneJpeg, pngBomb } from '../helpers/photos.js';
import { dialects, type TestDatabase } from './dialects.js';

/** Every file below a folder, relative to it. */
function filesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

/** The error a promise rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<HearthError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HearthError);
    return error as HearthError;
  }
  throw new Error('expected a refusal');
}

/**
 * Photos through the media service, on every dialect: what is stored (read back from
 * the media store), what is refused, and the library operations.
 */
describe.each(dialects)('media on $name', (dialect) => {
  let t: TestDatabase;
  let s: Services;
  let mediaDir: string;
  let authorId: number;

  beforeAll(async () => {
    t = await dialect.open();
    await t.database.migrate();
    s = createServices(t.database, loadConfig({ HEARTH_DATA_DIR: t.dataDir }));
    mediaDir = path.join(t.dataDir, 'media');
    authorId = (await s.users.create({ name: 'Ida Writer', email: 'ida@example.org', role: 'author' })).id;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const store = () => createDiskMediaStore(mediaDir);
  const mediaRows = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('media')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  /** Runs a refused upload and checks that it left no file and no row behind. */
  async function refusedCleanly(upload: () => Promise<unknown>): Promise<HearthError> {
    const files = filesIn(mediaDir);
    const rows = await mediaRows();
    const error = await refusal(upload());
    expect(filesIn(mediaDir)).toEqual(files);
    expect(await mediaRows()).toBe(rows);
    return error;
  }

  describe('the stored photo', () => {
    it('loses its GPS position and all EXIF in the original and every variant, and keeps its colour profile', async () => {
      const upload = await phoneJpeg(1200, 800);
      const before = await sharp(upload).metadata();
      expect(exifReader(before.exif as Buffer).GPSInfo?.GPSLatitude).toEqual([51, 30, 12.34]);
      expect(before.icc).toBeDefined();

      const item = await s.media.ingest({ data: upload, name: 'PXL_20260601_101010.jpg', alt: 'A walk' });
      const paths = [item.path, ...item.variants.map((v) => v.path)];
      expect(new Set(item.variants.map((v) => v.format))).toEqual(new Set(['avif', 'webp', 'jpeg']));
      for (const p of paths) {
        const data = await store().read(p);
        expect(data, p).toBeDefined();
        const meta = await sharp(data).metadata();
        expect(meta.exif, p).toBeUndefined();
        expect(meta.xmp, p).toBeUndefined();
        expect(meta.iptc, p).toBeUndefined();
        expect(meta.icc, p).toBeDefined();
        // No EXIF block of any kind in the bytes either: neither its header nor the camera's name.
        expect(data?.includes('Exif\0\0'), p).toBe(false);
        expect(data?.includes('Pixelphone'), p).toBe(false);
      }
    });

    it('applies the EXIF orientation: a turned photo is stored upright, width and height swapped', async () => {
      // 600 × 400 pixels stored, orientation 6: shown turned a quarter clockwise, 400 × 600.
      const top = await sharp({ create: { width: 600, height: 200, channels: 3, background: '#ff0000' } })
        .png()
        .toBuffer();
      const upload = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#0000ff' } })
        .composite([{ input: top, top: 0, left: 0 }])
        .jpeg()
        .withMetadata({ orientation: 6 })
        .toBuffer();
      expect((await sharp(upload).metadata()).orientation).toBe(6);

      const item = await s.media.ingest({ data: upload, name: 'turned.jpg' });
      expect([item.width, item.height]).toEqual([400, 600]);
      for (const v of item.variants) {
        const meta = await sharp(await store().read(v.path)).metadata();
        expect(meta.orientation ?? 1, v.path).toBe(1);
        expect([meta.width, meta.height], v.path).toEqual([v.width, v.height]);
        expect(v.height).toBeGreaterThan(v.width);
      }
      // The red top edge of the sensor is now the right-hand side.
      const { data, info } = await sharp(await store().read(item.path))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [
        ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
      ];
      expect(pixel(390, 300)[0]).toBeGreaterThan(200);
      expect(pixel(10, 300)[2]).toBeGreaterThan(200);
    });

    it('is never upscaled: a 700-pixel photo gets 480 and 700, in AVIF, WebP and JPEG', async () => {
      const item = await s.media.ingest({ data: await phoneJpeg(700, 467), name: 'small.jpg' });
      const widths = (format: string) =>
        item.variants
          .filter((v) => v.format === format)
          .map((v) => v.width)
          .sort((a, b) => a - b);
      expect(widths('avif')).toEqual([480, 700]);
      expect(widths('webp')).toEqual([480, 700]);
      expect(widths('jpeg')).toEqual([480, 700]);
      for (const v of item.variants) {
        expect((await sharp(await store().read(v.path)).metadata()).width).toBe(v.width);
      }
    });

    it('makes 480, 960, 1600 and 2400 from a large photo and keeps the original out of srcset', async () => {
      // Wide and short, so that the test encodes few pixels.
      const item = await s.media.ingest({ data: await noisyPhoto(3000, 300).jpeg().toBuffer(), name: 'big.jpg' });
      expect([item.width, item.height]).toEqual([3000, 300]);
      const avif = item.variants.filter((v) => v.format === 'avif').map((v) => v.width);
      expect(avif.sort((a, b) => a - b)).toEqual([480, 960, 1600, 2400]);
      expect(item.image.sources.map((x) => x.type)).toEqual(['image/avif', 'image/webp', 'image/jpeg']);
      expect(item.image.sources[2]?.srcset).not.toContain(item.path);
      expect(item.image.src).toMatch(/-1600\.jpg$/);
      expect((await sharp(await store().read(item.path)).metadata()).width).toBe(3000);
    });

    it('decides the type from the bytes: a PNG named .gif is a PNG, with a PNG fallback', async () => {
      const png = await noisyPhoto(500, 300).png().toBuffer();
      const item = await s.media.ingest({ data: png, name: 'holiday.gif' });
      expect(item.mimeType).toBe('image/png');
      expect(item.path).toMatch(/^\d{4}\/\d{2}\/holiday-[0-9a-f]{10}\.png$/);
      expect((await sharp(await store().read(item.path)).metadata()).format).toBe('png');
      expect(item.originalName).toBe('holiday.gif');
    });

    it('accepts WebP and AVIF uploads; a transparent one falls back to PNG', async () => {
      const webp = await s.media.ingest({ data: await noisyPhoto(500, 300).webp().toBuffer(), name: 'a.webp' });
      expect(webp.mimeType).toBe('image/jpeg');
      const clear = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#ff000080' } })
        .avif()
        .toBuffer();
      const avif = await s.media.ingest({ data: clear, name: 'a.avif' });
      expect(avif.mimeType).toBe('image/png');
      expect((await sharp(await store().read(avif.path)).metadata()).hasAlpha).toBe(true);
    });

    it('keeps an animated GIF animated: animated WebP sources and the whole GIF as fallback', async () => {
      const item = await s.media.ingest({ data: await animatedGif(600, 300, 3), name: 'wave.gif' });
      expect(item.mimeType).toBe('image/gif');
      expect([item.width, item.height]).toEqual([600, 300]);
      expect(item.image.sources.map((x) => x.type)).toEqual(['image/webp', 'image/gif']);
      for (const v of item.variants) {
        const meta = await sharp(await store().read(v.path)).metadata();
        expect(meta.pages, v.path).toBe(3);
        expect(meta.width, v.path).toBe(v.width);
      }
    });
  });

  describe('refused uploads, each with a clear error and nothing stored', () => {
    it('refuses an SVG even when it is named .jpg', async () => {
      const svg = Buffer.from(
        '<?xml version="1.0"?>\n<!-- a drawing -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
      );
      const error = await refusedCleanly(() => s.media.ingest({ data: svg, name: 'kitten.jpg' }));
      expect(error.code).toBe('HEARTH_ERR_MEDIA_SVG');
      expect(error.status).toBe(415);
      expect(error.field).toBe('file');
      expect(error.message).toContain('"kitten.jpg" is an SVG drawing');
      const bare = await refusal(s.media.ingest({ data: Buffer.from('<svg viewBox="0 0 1 1"/>'), name: 'x.png' }));
      expect(bare.code).toBe('HEARTH_ERR_MEDIA_SVG');
    });

    it('refuses a file that is not an image, naming what it is', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
      const error = await refusedCleanly(() => s.media.ingest({ data: pdf, name: 'photo.jpg' }));
      expect(error.code).toBe('HEARTH_ERR_MEDIA_TYPE');
      expect(error.message).toMatch(/"photo\.jpg" is a PDF file \(application\/pdf\), not a photo/);
      const text = await refusal(s.media.ingest({ data: Buffer.from('just words'), name: 'a.png' }));
      expect(text.message).toContain('is not an image, not a photo');
      const tiff = await noisyPhoto(20, 20).tiff().toBuffer();
      expect((await refusal(s.media.ingest({ data: tiff, name: 'scan.jpg' }))).message).toContain('a TIF file');
    });

    it('refuses a decompression bomb from its header, in milliseconds and without decoding it', async () => {
      const bomb = await pngBomb(50_000, 50_000);
      expect(bomb.length).toBeLessThan(100);
      const rss = process.memoryUsage().rss;
      let elapsed = Number.POSITIVE_INFINITY;
      const error = await refusedCleanly(async () => {
        const started = performance.now();
        try {
          await s.media.ingest({ data: bomb, name: 'bomb.png' });
        } finally {
          elapsed = performance.now() - started;
        }
      });
      expect(error.code).toBe('HEARTH_ERR_MEDIA_TOO_MANY_PIXELS');
      expect(error.status).toBe(413);
      expect(error.message).toBe(
        'The image "bomb.png" is 50000 × 50000 pixels (2500 megapixels); the limit is 100 megapixels. Make it smaller and upload it again.',
      );
      // Decoding 2.5 gigapixels would take seconds and gigabytes; a header read takes neither.
      expect(elapsed).toBeLessThan(200);
      expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
    });

    it('refuses a file over the byte limit, and a photo over the pixel limit, as configured', async () => {
      const strict = new MediaService({
        db: t.database.db,
        store: store(),
        limits: { maxBytes: 50_000, maxPixels: 250_000 },
      });
      const heavy = await noisyPhoto(400, 400).png().toBuffer();
      const tooBig = await refusedCleanly(() => strict.ingest({ data: heavy, name: 'heavy.png' }));
      expect(tooBig.code).toBe('HEARTH_ERR_MEDIA_TOO_LARGE');
      expect(tooBig.message).toMatch(/^The file "heavy\.png" is \d+ KB; a photo can be at most 49 KB\./);
      const wide = await sharp({ create: { width: 1000, height: 300, channels: 3, background: '#abc' } })
        .png()
        .toBuffer();
      const tooWide = await refusedCleanly(() => strict.ingest({ data: wide, name: 'wide.png' }));
      expect(tooWide.code).toBe('HEARTH_ERR_MEDIA_TOO_MANY_PIXELS');
      // Frames count too: three 300 × 300 frames are 270,000 pixels.
      const gif = await animatedGif(300, 300, 3);
      const frames = await refusedCleanly(() => strict.ingest({ data: gif, name: 'a.gif' }));
      expect(frames.message).toContain('300 × 900 pixels');
    });

    it('refuses a truncated JPEG and stores nothing', async () => {
      const whole = await phoneJpeg(1000, 700);
      const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
      const error = await refusedCleanly(() => s.media.ingest({ data: truncated, name: 'upload.jpg' }));
      expect(error.code).toBe('HEARTH_ERR_MEDIA_CORRUPT');
      expect(error.status).toBe(422);
      expect(error.message).toMatch(
        /^The file "upload\.jpg" looks like a JPEG image but cannot be read \(.+\)\. It may be damaged or only partly uploaded; nothing was stored\.$/,
      );
      expect(error.cause).toBeDefined();
    });

    it('refuses a corrupt PNG whose header is fine but whose data is not', async () => {
      const png = Buffer.from(await noisyPhoto(200, 200).png().toBuffer());
      png.fill(0x5a, 60, 400);
      const error = await refusedCleanly(() => s.media.ingest({ data: png, name: 'broken.png' }));
      expect(error.code).toBe('HEARTH_ERR_MEDIA_CORRUPT');
    });

    it('removes the files already written when writing one of them fails', async () => {
      const disk = store();
      let writes = 0;
      const failing = new MediaService({
        db: t.database.db,
        store: {
          ...disk,
          put: async (p, data) => {
            if (++writes === 4) throw new Error('disk full');
            await disk.put(p, data);
          },
        },
      });
      const files = filesIn(mediaDir);
      const rows = await mediaRows();
      await expect(failing.ingest({ data: await phoneJpeg(1000, 600), name: 'x.jpg' })).rejects.toThrow('disk full');
      expect(writes).toBeGreaterThan(4);
      expect(filesIn(mediaDir)).toEqual(files);
      expect(await mediaRows()).toBe(rows);
    });
  });

  describe('the media library', () => {
    it('lists newest first, page by page', async () => {
      const all = await s.media.list({ page: 1, perPage: 100 });
      expect(all.total).toBeGreaterThanOrEqual(7);
      const first = await s.media.list({ page: 1, perPage: 3 });
      const second = await s.media.list({ page: 2, perPage: 3 });
      expect(first.items).toHaveLength(3);
      expect(first.pages).toBe(Math.ceil(all.total / 3));
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual(all.items.slice(0, 6).map((i) => i.id));
      const ids = all.items.map((i) => i.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      await expect(s.media.list({ page: 0 })).rejects.toThrow(/page/);
      await expect(s.media.list({ perPage: 1000 })).rejects.toThrow(/perPage/);
    });

    it('updates alt text, caption and credit, trimmed and bounded', async () => {
      const item = await s.media.ingest({ data: await phoneJpeg(500, 300), name: 'a.jpg' });
      const updated = await s.media.update(
        item.id,
        { alt: '  Two children on a rug  ', credit: 'Photo: Ana' },
        'system',
      );
      expect(updated).toMatchObject({ alt: 'Two children on a rug', caption: '', credit: 'Photo: Ana' });
      expect((await s.media.get(item.id))?.image.alt).toBe('Two children on a rug');
      await expect(s.media.update(item.id, { alt: 'x'.repeat(1001) }, 'system')).rejects.toThrow(/alt/);
      expect((await refusal(s.media.update(999_999, { alt: 'x' }, 'system'))).code).toBe('HEARTH_ERR_MEDIA_NOT_FOUND');
    });

    it('refuses to delete a photo a post uses, names the posts, and deletes it when forced', async () => {
      const feature = await s.media.ingest({ data: await phoneJpeg(500, 300), name: 'feature.jpg', alt: 'Feature' });
      const inline = await s.media.ingest({ data: await phoneJpeg(500, 300), name: 'inline.jpg', alt: 'Inline' });
      const loose = await s.media.ingest({ data: await phoneJpeg(500, 300), name: 'loose.jpg' });
      const withFeature = await s.posts.create({
        title: 'Bath time',
        body: 'Text.',
        status: 'draft',
        authorId,
        featureImageId: feature.id,
      });
      // A body may link a variant rather than the original.
      const variant = inline.variants.find((v) => v.width === 480)?.path;
      const withInline = await s.posts.create({
        title: 'On the rug',
        body: `Look:\n\n![](/media/${variant})`,
        status: 'published',
        publishedAt: '2026-05-01T10:00:00Z',
        authorId,
      });

      expect(await s.media.usage(feature.id)).toEqual({
        posts: [
          { id: withFeature.id, type: 'post', title: 'Bath time', slug: 'bath-time', status: 'draft', as: ['feature'] },
        ],
        profiles: [],
      });
      expect((await s.media.usage(inline.id)).posts.map((p) => [p.id, p.as])).toEqual([[withInline.id, ['body']]]);

      const refused = await refusal(s.media.delete(feature.id, { by: 'system' }));
      expect(refused.code).toBe('HEARTH_ERR_MEDIA_IN_USE');
      expect(refused.status).toBe(409);
      expect(refused.message).toContain('is used by 1 post (“Bath time”)');
      expect(await s.media.get(feature.id)).toBeDefined();
      expect(await store().read(feature.path)).toBeDefined();
      await expect(s.media.delete(inline.id, { by: 'system' })).rejects.toThrow(/On the rug/);

      await s.media.delete(loose.id, { by: 'system' });
      expect(await s.media.get(loose.id)).toBeUndefined();
      for (const p of [loose.path, ...loose.variants.map((v) => v.path)]) expect(await store().read(p)).toBeUndefined();

      await s.media.delete(feature.id, { force: true, by: 'system' });
      expect(await s.media.get(feature.id)).toBeUndefined();
      expect(await store().read(feature.path)).toBeUndefined();
      const post = await t.database.db
        .selectFrom('posts')
        .select('feature_image_id')
        .where('id', '=', withFeature.id)
        .executeTakeFirst();
      expect(post?.feature_image_id).toBeNull();
      expect((await refusal(s.media.delete(feature.id, { by: 'system' }))).code).toBe('HEARTH_ERR_MEDIA_NOT_FOUND');
    });

    it('finds the images of a post that lack alt text, as readers would get them', async () => {
      const described = await s.media.ingest({ data: await phoneJpeg(500, 300), name: 'd.jpg', alt: 'A pear' });
      const bare = await s.media.ingest({ data: await phoneJpeg(500, 300), name: 'b.jpg' });
      const body = [
        `![](${described.url})`, // the library's alt is used
        `![A plum](${bare.url})`, // the Markdown's alt is used
        `![](${bare.url} "A caption is not alt text")`,
        '![][ref]',
        '',
        '[ref]: https://example.org/elsewhere.png',
      ].join('\n\n');
      expect(await s.media.missingAlt({ body, featureImageId: bare.id })).toEqual([
        { src: bare.url, in: 'feature', mediaId: bare.id },
        { src: bare.url, in: 'body', mediaId: bare.id },
        { src: 'https://example.org/elsewhere.png', in: 'body' },
      ]);
      expect(await s.media.missingAlt({ body: '', featureImageId: bare.id, featureImageAlt: 'A plum' })).toEqual([]);
      expect(await s.media.missingAlt({ body: `![](${described.url})`, featureImageId: described.id })).toEqual([]);

      const draft = await s.posts.create({ title: 'Fruit', body, status: 'draft', authorId });
      await s.posts.create({ title: 'Described', body: `![](${described.url})`, status: 'draft', authorId });
      const flagged = await s.media.postsMissingAlt();
      expect(flagged.map((p) => p.title)).toContain('Fruit');
      expect(flagged.map((p) => p.title)).not.toContain('Described');
      expect(flagged.find((p) => p.id === draft.id)?.images).toHaveLength(2);

      await s.media.update(bare.id, { alt: 'A plum on a plate' }, 'system');
      expect(await s.media.missingAlt({ body, featureImageId: bare.id })).toEqual([
        { src: 'https://example.org/elsewhere.png', in: 'body' },
      ]);
    });
  });
});
