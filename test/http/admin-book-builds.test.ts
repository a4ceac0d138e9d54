import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { openZip } from '../../src/shared/zip.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';

/**
 * Building books from the admin (issue 17) and the downloads a public book page offers,
 * through HTTP on the demo blog, whose book (Ten Quiet Minutes) is built when the demo is
 * installed.
 */
const PASSWORD = 'correct horse battery';
let app: App & { dataDir: string };
let owner: AdminClient;
let author: AdminClient;
let contributor: AdminClient;

beforeAll(async () => {
  app = await createTestApp();
  const clients: AdminClient[] = [];
  for (const [role, ip] of [
    ['owner', '192.0.2.30'],
    ['author', '192.0.2.31'],
    ['contributor', '192.0.2.32'],
  ] as const) {
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
    const client = new AdminClient(app.server, { ip });
    expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
    clients.push(client);
  }
  [owner, author, contributor] = clients as [AdminClient, AdminClient, AdminClient];
});
afterAll(async () => {
  await app?.close();
});

const saveHtml = (name: string, html: string) => {
  const file = path.join(app.dataDir, name);
  fs.writeFileSync(file, html);
  return file;
};

const bookId = async (slug: string) =>
  (await app.database.db.selectFrom('books').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;

interface Panel {
  running: boolean;
  lines: {
    format: string;
    available: boolean;
    latest: { state: string; summary: string; fromCache: boolean } | null;
    file: { url: string; upToDate: boolean } | null;
  }[];
}

async function settled(id: number): Promise<Panel> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await owner.request({
      method: 'GET',
      url: `/admin/books/${id}/builds.json`,
      headers: { accept: 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const panel = JSON.parse(res.body) as Panel;
    if (!panel.running) return panel;
    if (Date.now() > until) throw new Error('the build did not end');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the demo book', () => {
  it('is built when the demo is installed, and its public page offers the EPUB to download', async () => {
    const id = await bookId('ten-quiet-minutes');
    const panel = await settled(id);
    const epub = panel.lines.find((l) => l.format === 'epub');
    expect(epub?.latest?.state).toBe('done');
    // Built by the template's install, for another address than these tests' (links point there).
    expect(epub?.file?.url).toBe(`/admin/books/${id}/download/epub`);

    const page = await app.server.inject({ method: 'GET', url: '/books/ten-quiet-minutes/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/books/ten-quiet-minutes/ten-quiet-minutes.epub"');

    const file = await app.server.inject({ method: 'GET', url: '/books/ten-quiet-minutes/ten-quiet-minutes.epub' });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/epub+zip');
    expect(file.headers['content-disposition']).toBe('attachment; filename="ten-quiet-minutes.epub"');
    expect(file.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const saved = path.join(app.dataDir, 'downloaded.epub');
    fs.writeFileSync(saved, file.rawPayload);
    const zip = await openZip(saved);
    try {
      const names = zip.entries.map((e) => e.name);
      expect(names[0]).toBe('mimetype');
      expect(names.some((n) => n.endsWith('.opf'))).toBe(true);
    } finally {
      zip.close();
    }
    const again = await app.server.inject({
      method: 'GET',
      url: '/books/ten-quiet-minutes/ten-quiet-minutes.epub',
      headers: { 'if-none-match': file.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);

    // The PDF too (Chromium is there in the tests).
    expect(page.body).toContain('href="/books/ten-quiet-minutes/ten-quiet-minutes.pdf"');
    const pdf = await app.server.inject({ method: 'GET', url: '/books/ten-quiet-minutes/ten-quiet-minutes.pdf' });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // The cover as the book's files have it: drawn over the chosen photo, at its own address.
    const coverSrc = /<img class="book-cover" src="([^"]+)"/.exec(page.body)?.[1] as string;
    expect(coverSrc).toMatch(/^\/books\/ten-quiet-minutes\/cover-[0-9a-f]{12}\.jpg$/);
    const cover = await app.server.inject({ method: 'GET', url: coverSrc });
    expect(cover.statusCode).toBe(200);
    expect(cover.headers['content-type']).toBe('image/jpeg');
    expect(cover.headers['cache-control']).toContain('immutable');
    const meta = await sharp(cover.rawPayload).metadata();
    expect([meta.width, meta.height, meta.exif]).toEqual([1067, 1600, undefined]);
    // Kept in the media store, so that every instance sharing it sends the same drawing.
    const book = await app.database.db
      .selectFrom('books')
      .select('id')
      .where('slug', '=', 'ten-quiet-minutes')
      .executeTakeFirstOrThrow();
    const kept = await app.services.mediaStore.read(`cache/book-covers/${book.id}-${coverSrc.split('/').pop()}`);
    expect(kept?.equals(cover.rawPayload)).toBe(true);
    const old = await app.server.inject({ method: 'GET', url: '/books/ten-quiet-minutes/cover-000000000000.jpg' });
    expect([old.statusCode, old.headers.location]).toEqual([301, coverSrc]);

    for (const url of [
      '/books/ten-quiet-minutes/cover.jpg',
      '/books/ten-quiet-minutes/other-name.epub',
      '/books/ten-quiet-minutes/ten-quiet-minutes.mobi',
      '/books/no-such-book/no-such-book.epub',
    ]) {
      expect((await app.server.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });
});

describe('the Build panel', () => {
  it('builds a book from its page, follows the job, downloads it, and keeps an unchanged book’s file', async () => {
    const page = await author.get('/admin/books/new');
    expect(page.statusCode).toBe(200);
    const made = await app.services.books.create(
      await app.database.db
        .selectFrom('users')
        .select(['id', 'role'])
        .where('email', '=', 'author@example.org')
        .executeTakeFirstOrThrow(),
      { title: 'Soup and Walks', language: 'en', public: true, offerDownloads: true },
    );
    const user = await app.database.db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('email', '=', 'author@example.org')
      .executeTakeFirstOrThrow();
    await app.services.books.setContents(user, made.id, [
      { post: 'autumn-lentil-soup' },
      { post: 'slow-family-walks' },
    ]);

    const edit = await author.get(`/admin/books/${made.id}`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('id="book-builds-panel"');
    expect(edit.body).toContain('Not built yet.');
    expect(htmlErrors([saveHtml('edit.html', edit.body)])).toEqual([]);

    // Without script: the form posts, and the page comes back.
    const posted = await author.post(`/admin/books/${made.id}/builds`, { format: 'epub' });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe(`/admin/books/${made.id}#book-builds`);
    const panel = await settled(made.id);
    const line = panel.lines.find((l) => l.format === 'epub');
    expect(line?.latest).toMatchObject({ state: 'done', fromCache: false });
    expect(line?.file?.url).toBe(`/admin/books/${made.id}/download/epub`);

    const download = await author.get(`/admin/books/${made.id}/download/epub`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe('attachment; filename="soup-and-walks.epub"');
    expect(download.rawPayload.subarray(0, 2).toString()).toBe('PK');

    // With script: JSON in, the panel's state out; nothing changed, so the file is kept.
    const json = await author.request({
      method: 'POST',
      url: `/admin/books/${made.id}/builds`,
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ format: 'epub', _csrf: author.csrf }).toString(),
    });
    expect(json.statusCode).toBe(202);
    const kept = JSON.parse(json.body) as Panel;
    expect(kept.lines.find((l) => l.format === 'epub')?.latest).toMatchObject({ state: 'done', fromCache: true });

    // The public page offers what was built, while it matches the book.
    expect((await app.server.inject({ method: 'GET', url: '/books/soup-and-walks/' })).body).toContain(
      '/books/soup-and-walks/soup-and-walks.epub',
    );

    const before = await app.server.inject({ method: 'GET', url: '/books/soup-and-walks/soup-and-walks.epub' });
    expect(before.statusCode).toBe(200);

    // A chapter changes: the file is older than the book, so the page stops offering it, until
    // the server builds the book again by itself (a few seconds later) and offers the new file.
    await app.services.posts.update(await postIdBySlug(app, 'autumn-lentil-soup'), {
      title: 'Lentil Soup for Cold Days',
    });
    const stale = await settled(made.id);
    expect(stale.lines.find((l) => l.format === 'epub')?.file?.upToDate).toBe(false);
    expect((await author.get(`/admin/books/${made.id}`)).body).toContain('older than the book');
    expect(
      (await app.server.inject({ method: 'GET', url: '/books/soup-and-walks/soup-and-walks.epub' })).statusCode,
    ).toBe(404);
    const until = Date.now() + 60_000;
    for (;;) {
      const panel = await settled(made.id);
      if (panel.lines.find((l) => l.format === 'epub')?.file?.upToDate) break;
      if (Date.now() > until) throw new Error('the book was not built again after its chapter changed');
      await new Promise((r) => setTimeout(r, 250));
    }
    const rebuilt = await app.server.inject({ method: 'GET', url: '/books/soup-and-walks/soup-and-walks.epub' });
    expect(rebuilt.statusCode).toBe(200);
    expect(rebuilt.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(rebuilt.headers.etag).not.toBe(before.headers.etag);

    // Unticked, the page offers nothing.
    await app.services.books.update(user, made.id, { offerDownloads: false });
    const page2 = await app.server.inject({ method: 'GET', url: '/books/soup-and-walks/' });
    expect(page2.body).not.toContain('soup-and-walks.epub');
    expect(
      (await app.server.inject({ method: 'GET', url: '/books/soup-and-walks/soup-and-walks.epub' })).statusCode,
    ).toBe(404);
  }, 120_000);

  it('says why a book cannot be built, with a 4xx, and lets only those who make books build', async () => {
    const user = await app.database.db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('email', '=', 'owner@example.org')
      .executeTakeFirstOrThrow();
    const empty = await app.services.books.create(user, { title: 'Empty Shelf', language: 'en' });
    const refused = await owner.post(`/admin/books/${empty.id}/builds`, { format: 'epub' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('has no chapters to build');
    expect(htmlErrors([saveHtml('refused.html', refused.body)])).toEqual([]);

    const json = await owner.request({
      method: 'POST',
      url: `/admin/books/${empty.id}/builds`,
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ format: 'epub', _csrf: owner.csrf }).toString(),
    });
    expect(json.statusCode).toBe(422);
    expect(JSON.parse(json.body)).toMatchObject({ code: 'HEARTH_ERR_BOOK_EMPTY' });

    expect((await owner.post(`/admin/books/${empty.id}/builds`, { format: 'mobi' })).statusCode).toBe(400);
    expect((await owner.post(`/admin/books/${empty.id}/builds`, { format: 'epub', _csrf: null })).statusCode).toBe(403);
    expect((await owner.post('/admin/books/999999/builds', { format: 'epub' })).statusCode).toBe(404);
    expect((await owner.get(`/admin/books/${empty.id}/download/epub`)).statusCode).toBe(404);

    // Another writer's book is not an author's to build; a contributor builds nothing.
    expect((await author.post(`/admin/books/${empty.id}/builds`, { format: 'epub' })).statusCode).toBe(403);
    const demo = await bookId('ten-quiet-minutes');
    expect((await contributor.post(`/admin/books/${demo}/builds`, { format: 'epub' })).statusCode).toBe(403);
    expect((await contributor.get(`/admin/books/${demo}/download/epub`)).statusCode).toBe(403);
    expect((await contributor.get(`/admin/books/${demo}/builds.json`)).statusCode).toBe(403);
    // An author opens, builds and downloads only their own books.
    expect((await author.get(`/admin/books/${demo}`)).statusCode).toBe(403);
    expect((await author.get(`/admin/books/${demo}/builds.json`)).statusCode).toBe(403);
    expect((await author.get(`/admin/books/${demo}/download/epub`)).statusCode).toBe(403);
    expect((await author.get(`/admin/books/${demo}/preview`)).statusCode).toBe(403);
  });
});
