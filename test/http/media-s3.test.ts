import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { isHearthError } from '../../src/errors.js';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { phoneJpeg } from '../helpers/photos.js';
import { startS3Server } from '../helpers/s3.js';

const PASSWORD = 'correct horse battery';
let s3: Awaited<ReturnType<typeof startS3Server>>;
let app: App & { dataDir: string };
let uploaded: { id: number; path: string; url: string; variants: { path: string }[] };

/** The media settings Hearth reads from the environment an operator would set, on s3rver. */
const mediaSettings = (env: Record<string, string>): Partial<Config> => {
  const config = loadConfig({ ...s3.env, ...env });
  return { media: config.media, mediaPublicUrl: config.mediaPublicUrl };
};

beforeAll(async () => {
  const server = await startS3Server(['media']);
  s3 = server;
  app = await createTestApp({ demo: false, ...mediaSettings({ HEARTH_MEDIA_URL: 's3://media/blog' }) });
  await app.services.users.create({ name: 'Oona Owner', email: 'oona@example.org', password: PASSWORD, role: 'owner' });
  const client = new AdminClient(app.server, { ip: '192.0.2.40' });
  expect((await client.signIn('oona@example.org', PASSWORD)).statusCode).toBe(303);
  await client.get('/admin/media');
  const boundary = '----hearths3';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA loaf cooling on a rack\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="loaf.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const res = await client.request({
    method: 'POST',
    url: '/admin/media/upload',
    payload: Buffer.concat([Buffer.from(head), await phoneJpeg(1000, 700), Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'x-csrf-token': client.csrf,
      accept: 'application/json',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const item = await app.services.media.get((res.json() as { id: number }).id);
  if (!item) throw new Error('the upload made no library item');
  uploaded = item;
});
afterAll(async () => {
  await app?.close();
  await s3?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => app.server.inject({ method: 'GET', url, headers });

describe('media in an S3-compatible bucket, served through Hearth', () => {
  it('keeps an admin upload in the bucket, not in the data folder', async () => {
    expect(fs.existsSync(path.join(app.dataDir, 'media', uploaded.path))).toBe(false);
    const original = await app.services.mediaStore.stat(uploaded.path);
    expect(original?.contentType).toBe('image/jpeg');
    // The original went up from a temporary file, whole: the library records its size.
    expect(original?.size).toBe((await app.services.media.get(uploaded.id))?.bytes);
    expect(app.services.mediaStore.location).toBe('s3://media/blog');
    // Under the prefix, as s3rver keeps the objects on disk.
    expect(fs.readdirSync(path.join(s3.directory, 'media'), { recursive: true }).join('\n')).toContain(
      path.join('blog', uploaded.path.split('/')[0] ?? ''),
    );
  });

  it('streams the original and each variant with ETag, Last-Modified and a year of caching', async () => {
    for (const file of [uploaded.path, ...uploaded.variants.map((v) => v.path)]) {
      const res = await get(`/media/${file}`);
      expect(res.statusCode, file).toBe(200);
      const stat = await app.services.mediaStore.stat(file);
      expect(res.headers.etag).toBe(stat?.etag);
      expect(res.headers['last-modified']).toBe(stat?.lastModified.toUTCString());
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
      const format = (await sharp(res.rawPayload).metadata()).format;
      expect(`image/${format === 'heif' ? 'avif' : format}`, file).toBe(res.headers['content-type']);
    }
  });

  it('answers 304 to a visitor whose copy is current, and 200 to one whose copy is not', async () => {
    const first = await get(uploaded.url);
    const again = await get(uploaded.url, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(uploaded.url, { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
    const since = await get(uploaded.url, { 'if-modified-since': String(first.headers['last-modified']) });
    expect(since.statusCode).toBe(304);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await app.server.inject({ method: 'HEAD', url: uploaded.url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(1000);
    expect(res.headers.etag).toMatch(/^"/);
  });

  it('answers 404 for a file that is not there and for paths that climb out, never 500', async () => {
    for (const url of [
      '/media/2026/01/no-such-photo.jpg',
      '/media/',
      '/media/..%2F..%2Fetc%2Fpasswd',
      '/media/2026/%2e%2e/%2e%2e/secret.jpg',
      '/media/2026//x.jpg',
      '/media/a%5Cb.jpg',
      '/media/a%00b.jpg',
    ]) {
      expect((await get(url)).statusCode, url).toBe(404);
      expect((await app.server.inject({ method: 'HEAD', url })).statusCode, url).toBe(404);
    }
  });

  it('gives book builds the photo bytes through media.readFile', async () => {
    const bytes = await app.services.media.readFile(uploaded.url);
    expect(bytes?.equals((await get(uploaded.url)).rawPayload)).toBe(true);
    expect(await app.services.media.readFile('/media/2026/01/gone.jpg')).toBeUndefined();
  });

  it('removes the files from the bucket when the photo is deleted', async () => {
    const extra = await app.services.media.ingest({ data: await phoneJpeg(300, 200), name: 'pan.jpg', alt: 'A pan' });
    expect((await get(extra.url)).statusCode).toBe(200);
    await app.services.media.delete(extra.id, { by: 'system' });
    expect((await get(extra.url)).statusCode).toBe(404);
    expect(await app.services.mediaStore.stat(extra.variants[0]?.path ?? extra.path)).toBeUndefined();
  });
});

describe('media behind a public bucket or CDN address', () => {
  it('redirects /media/ there, path kept and escaped', async () => {
    const cdn = await createTestApp({
      demo: false,
      ...mediaSettings({
        HEARTH_MEDIA_URL: 's3://media/blog',
        HEARTH_MEDIA_PUBLIC_URL: 'https://cdn.example.org/blog/',
      }),
    });
    try {
      const res = await cdn.server.inject({ method: 'GET', url: `/media/${uploaded.path}` });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe(`https://cdn.example.org/blog/${uploaded.path}`);
      const spaced = await cdn.server.inject({ method: 'GET', url: '/media/2026/01/a%20b%C3%BC.jpg' });
      expect(spaced.headers.location).toBe('https://cdn.example.org/blog/2026/01/a%20b%C3%BC.jpg');
      expect((await cdn.server.inject({ method: 'GET', url: '/media/..%2Fx' })).statusCode).toBe(404);
    } finally {
      await cdn.close();
    }
  });
});

describe('a bucket that cannot be used stops start-up', () => {
  it('names a bucket that does not exist', async () => {
    const error = await createTestApp({
      demo: false,
      ...mediaSettings({ HEARTH_MEDIA_URL: 's3://missing-bucket' }),
    }).then(
      (started) => started.close(),
      (e: unknown) => e,
    );
    expect(isHearthError(error) && error.code).toBe('HEARTH_ERR_MEDIA_STORE');
    expect((error as Error).message).toContain('the bucket "missing-bucket" does not exist');
  });
});

describe('a bucket that stops answering', () => {
  it('answers 502 for a photo, not 500, and says so in the log only', async () => {
    const brief = await startS3Server(['media']);
    const config = loadConfig({ ...brief.env, HEARTH_MEDIA_URL: 's3://media' });
    const lonely = await createTestApp({ demo: false, media: config.media });
    try {
      await brief.close();
      const res = await lonely.server.inject({ method: 'GET', url: '/media/2026/01/photo.jpg' });
      expect(res.statusCode).toBe(502);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toBe('The media store did not answer.\n');
    } finally {
      await lonely.close();
    }
  });
});
