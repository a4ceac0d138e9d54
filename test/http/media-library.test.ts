import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';

const PASSWORD = 'correct horse battery';
let app: App;
let owner: AdminClient;
let shade = 0;

beforeAll(async () => {
  app = await createTestApp({ demo: false });
  await app.services.users.create({
    name: 'Olga Owner',
    email: 'owner@example.org',
    password: PASSWORD,
    role: 'owner',
  });
  owner = new AdminClient(app.server, { ip: '192.0.2.90' });
  expect((await owner.signIn('owner@example.org', PASSWORD)).statusCode).toBe(303);
});
afterAll(async () => {
  await app?.close();
});

/** A small JPEG of its own colour: no two calls give the same bytes. */
async function jpeg(): Promise<Buffer> {
  shade += 1;
  const background = { r: (shade * 37) % 256, g: (shade * 91) % 256, b: (shade * 13) % 256 };
  return sharp({ create: { width: 64 + (shade % 7), height: 48, channels: 3, background } })
    .jpeg()
    .toBuffer();
}

const store = async (name: string, texts: { alt?: string; caption?: string } = {}) =>
  app.services.media.ingest({ data: await jpeg(), name, ...texts, uploadedBy: null });

function multipart(file: Buffer, name: string) {
  const boundary = '----hearthlibrary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA kettle on the stove\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function upload(file: Buffer, name: string, json = true) {
  await owner.get('/admin/media');
  const { payload, headers } = multipart(file, name);
  return owner.request({
    method: 'POST',
    url: json ? '/admin/media/upload' : `/admin/media/upload?_csrf=${owner.csrf}`,
    payload,
    headers: { ...headers, ...(json ? { 'x-csrf-token': owner.csrf, accept: 'application/json' } : {}) },
  });
}

async function publish(title: string, body: string, extra: Record<string, string> = {}): Promise<number> {
  await owner.get('/admin/posts/new');
  const res = await owner.post('/admin/posts/new', { title, body, status: 'published', ...extra });
  expect(res.statusCode, res.body).toBe(303);
  return Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
}

const mediaRows = async () =>
  Number(
    (
      await app.database.db
        .selectFrom('media')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the media library', () => {
  it('shows thumbnails, finds photos by file name, alt text and caption, filters unused and missing alt, in pages', async () => {
    const heron = await store('grey-heron.jpg', { alt: 'A heron on one leg', caption: 'At the weir' });
    const fox = await store('IMG_0042.jpg', { alt: 'A fox crossing the lane' });
    const bare = await store('untitled.jpg');
    await publish('The weir in March', `Look: ![](${heron.url})`);

    const all = await owner.get('/admin/media');
    expect(all.statusCode).toBe(200);
    // A thumbnail is the narrowest stored width, never the original.
    const thumb = heron.variants.filter((v) => v.format === 'jpeg').sort((a, b) => a.width - b.width)[0];
    expect(all.body).toContain(`src="/media/${thumb?.path}"`);
    expect(all.body).toContain(`href="/admin/media/${heron.id}"`);

    const byName = (await owner.get('/admin/media?q=HERON')).body;
    expect(byName).toContain(`href="/admin/media/${heron.id}"`);
    expect(byName).not.toContain(`href="/admin/media/${fox.id}"`);
    const byAlt = (await owner.get(`/admin/media?q=${encodeURIComponent('fox crossing')}`)).body;
    expect(byAlt).toContain(`href="/admin/media/${fox.id}"`);
    expect(byAlt).not.toContain(`href="/admin/media/${heron.id}"`);
    // The editor's picker asks the same search as JSON.
    const json = await owner.request({
      method: 'GET',
      url: '/admin/media?q=heron',
      headers: { accept: 'application/json' },
    });
    expect(json.json()).toMatchObject({
      total: 1,
      items: [
        { id: heron.id, name: 'grey-heron.jpg', alt: 'A heron on one leg', thumb: { src: `/media/${thumb?.path}` } },
      ],
    });
    const byCaption = (await owner.get('/admin/media?q=weir')).body;
    expect(byCaption).toContain(`href="/admin/media/${heron.id}"`);
    // LIKE's wildcards are taken as themselves.
    expect((await owner.get('/admin/media?q=%25')).body).toContain('No photo matches');

    const unused = (await owner.get('/admin/media?filter=unused')).body;
    expect(unused).toContain(`href="/admin/media/${fox.id}"`);
    expect(unused).toContain(`href="/admin/media/${bare.id}"`);
    expect(unused).not.toContain(`href="/admin/media/${heron.id}"`);
    const noAlt = (await owner.get('/admin/media?filter=noalt')).body;
    expect(noAlt).toContain(`href="/admin/media/${bare.id}"`);
    expect(noAlt).not.toContain(`href="/admin/media/${fox.id}"`);
    expect(noAlt).toContain('No alt text');

    expect((await owner.get('/admin/media?filter=everything')).statusCode).toBe(400);
    expect((await owner.get('/admin/media?page=0')).statusCode).toBe(400);

    // 24 a page: with 26 photos, the second page holds the two oldest.
    for (let i = 0; i < 23; i++) await store(`pebble-${i}.jpg`, { alt: `Pebble ${i}` });
    const first = (await owner.get('/admin/media')).body;
    expect(first).toContain('page 1 of 2');
    expect(first).toContain('href="/admin/media?page=2" rel="next"');
    const second = (await owner.get('/admin/media?page=2')).body;
    expect(second).toContain(`href="/admin/media/${heron.id}"`);
    expect(second).toContain(`href="/admin/media/${fox.id}"`);
    expect(second).not.toContain('pebble-5.jpg');
    const filtered = (await owner.get('/admin/media?q=pebble&page=1')).body;
    expect(filtered).toContain('23 photos');
  });

  it('edits a photo’s alt text once for every post that shows it, and purges their pages', async () => {
    const photo = await store('lighthouse.jpg', { alt: 'A lighthouse' });
    const first = await publish('Lighthouse walk', `We walked there.\n\n![](${photo.url})`);
    await publish('Lighthouse again', `Back again.\n\n![](${photo.url})`);
    const own = await publish('Written alt', `Mine:\n\n![A white tower](${photo.url})`);
    const slugs = await app.database.db.selectFrom('posts').select(['id', 'slug']).execute();
    const slug = (id: number) => slugs.find((s) => s.id === id)?.slug;

    // Read the page once, so that the page cache holds it.
    const before = await app.server.inject(`/${slug(first)}/`);
    expect(before.body).toContain('alt="A lighthouse"');
    expect((await app.server.inject(`/${slug(first)}/`)).body).toContain('alt="A lighthouse"');

    const page = await owner.get(`/admin/media/${photo.id}`);
    expect(page.body).toContain(`href="/admin/posts/${first}"`);
    expect(page.body).toContain('Lighthouse again');
    const saved = await owner.post(`/admin/media/${photo.id}`, {
      alt: 'A red and white lighthouse on the rocks',
      caption: 'North head, at dusk',
      credit: 'Olga',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/media/${photo.id}?saved=1`);

    const after = (await app.server.inject(`/${slug(first)}/`)).body;
    expect(after).toContain('alt="A red and white lighthouse on the rocks"');
    expect(after).toContain('North head, at dusk');
    expect(after).not.toContain('alt="A lighthouse"');
    // A post that wrote its own alt text keeps it; the caption is the library's.
    const written = (await app.server.inject(`/${slug(own)}/`)).body;
    expect(written).toContain('alt="A white tower"');
    expect(written).toContain('North head, at dusk');
  });

  it('names the field of a text too long, keeping what was typed', async () => {
    const photo = await store('kettle.jpg', { alt: 'A kettle' });
    await owner.get(`/admin/media/${photo.id}`);
    const res = await owner.post(`/admin/media/${photo.id}`, { alt: 'x'.repeat(1001), caption: 'Steam', credit: '' });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'media-alt')).toContain('at most 1000 characters');
    expect(res.body).toContain('value="Steam"');
    expect((await app.services.media.get(photo.id))?.alt).toBe('A kettle');
  });

  it('refuses to delete a photo in use, listing the posts, and deletes it once confirmed', async () => {
    const photo = await store('harbour.jpg', { alt: 'Boats in the harbour' });
    const post = await publish('Harbour days', 'Some text.', { featureImageId: String(photo.id) });
    await owner.get(`/admin/media/${photo.id}`);
    const refused = await owner.post(`/admin/media/${photo.id}/delete`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`<a href="/admin/posts/${post}">Harbour days</a>`);
    expect(refused.body).toContain('feature image');
    expect(refused.body).toContain('name="force" value="yes"');
    expect(await app.services.media.get(photo.id)).toBeDefined();

    const confirmed = await owner.post(`/admin/media/${photo.id}/delete`, { force: 'yes' });
    expect(confirmed.statusCode).toBe(303);
    expect(await app.services.media.get(photo.id)).toBeUndefined();
    expect((await owner.get(`/admin/media/${photo.id}`)).statusCode).toBe(404);

    // Unused: deleted at once.
    const spare = await store('spare.jpg', { alt: 'A spare photo' });
    await owner.get(`/admin/media/${spare.id}`);
    expect((await owner.post(`/admin/media/${spare.id}/delete`)).statusCode).toBe(303);
  });

  it('answers an upload of the same bytes with the photo already there', async () => {
    const bytes = await jpeg();
    const first = await upload(bytes, 'kettle-on.jpg');
    expect(first.statusCode, first.body).toBe(201);
    const { id } = first.json() as { id: number };
    const rows = await mediaRows();

    const again = await upload(bytes, 'copy-of-kettle.jpg');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      id,
      duplicate: true,
      message: expect.stringContaining('already in the library'),
    });
    const form = await upload(bytes, 'kettle-again.jpg', false);
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe(`/admin/media/${id}?duplicate=1`);
    expect((await owner.get(form.headers.location as string)).body).toContain('already in the library');
    expect(await mediaRows()).toBe(rows);

    const stored = await app.database.db
      .selectFrom('media')
      .select(['sha256', 'file_sha256'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.file_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds a re-upload of a photo stored before hashes were kept, by its stored original', async () => {
    const bytes = await jpeg();
    const old = await app.services.media.ingest({ data: bytes, name: 'before.jpg', alt: 'From before' });
    await app.database.db.updateTable('media').set({ sha256: null, file_sha256: null }).execute();
    const rows = await mediaRows();
    const again = await upload(bytes, 'before-again.jpg');
    expect(again.json()).toMatchObject({ id: old.id, duplicate: true });
    expect(await mediaRows()).toBe(rows);
    // The photos without a hash got theirs on the way.
    const missing = await app.database.db.selectFrom('media').select('id').where('file_sha256', 'is', null).execute();
    expect(missing).toEqual([]);
  });

  it('picks the feature image by thumbnail, offering the post’s first photo first, and saves the choice', async () => {
    const inPost = await store('first-in-post.jpg', { alt: 'A bowl of cherries' });
    const newest = await store('newest.jpg', { alt: 'A teapot' });
    const post = await publish('Cherries', `Ripe now.\n\n![](${inPost.url})\n\nMore.`);

    const editor = (await owner.get(`/admin/posts/${post}`)).body;
    const options = [...editor.matchAll(/<input type="radio" id="feature-(\d+)" name="featureImageId"/g)].map((m) =>
      Number(m[1]),
    );
    expect(options[0]).toBe(inPost.id);
    expect(options).toContain(newest.id);
    expect(editor).toContain('The first photo of this post');
    const thumb = newest.variants.filter((v) => v.format === 'jpeg').sort((a, b) => a.width - b.width)[0];
    expect(editor).toContain(`<img src="/media/${thumb?.path}" alt=""`);
    // Nothing is chosen for the writer: "no feature image" stays checked until they pick one.
    expect(editor).toMatch(/id="post-featureImageId" name="featureImageId" value="" checked>/);

    const form = Object.fromEntries(
      [...editor.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    const saved = await owner.post(`/admin/posts/${post}`, {
      title: 'Cherries',
      body: `Ripe now.\n\n![](${inPost.url})\n\nMore.`,
      status: 'published',
      updatedAt: form.updatedAt ?? '',
      featureImageId: String(inPost.id),
    });
    expect(saved.statusCode, saved.body).toBe(303);
    const again = (await owner.get(`/admin/posts/${post}`)).body;
    expect(again).toContain(`id="feature-${inPost.id}" name="featureImageId" value="${inPost.id}" checked>`);
    const row = await app.database.db
      .selectFrom('posts')
      .select('feature_image_id')
      .where('id', '=', post)
      .executeTakeFirstOrThrow();
    expect(row.feature_image_id).toBe(inPost.id);
  });

  it('writes valid HTML on the library, a photo’s page (its errors and confirm step too) and the picker', async () => {
    const photo = await store('valid.jpg', { alt: 'A valid photo', caption: 'Checked' });
    const post = await publish('Valid post', `![](${photo.url})`);
    await owner.get(`/admin/media/${photo.id}`);
    const pages: [string, string][] = [
      ['library', (await owner.get('/admin/media?q=valid&filter=unused')).body],
      ['library-all', (await owner.get('/admin/media')).body],
      ['photo', (await owner.get(`/admin/media/${photo.id}?saved=1`)).body],
      ['photo-errors', (await owner.post(`/admin/media/${photo.id}`, { alt: 'x'.repeat(1001) })).body],
      ['photo-confirm', (await owner.post(`/admin/media/${photo.id}/delete`)).body],
      ['editor', (await owner.get(`/admin/posts/${post}`)).body],
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-media-html-'));
    try {
      const files = pages.map(([name, html]) => {
        const file = path.join(dir, `${name}.html`);
        fs.writeFileSync(file, html);
        return file;
      });
      expect(htmlErrors(files)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
