import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';
import { htmlErrors } from '../helpers/nu-checker.js';
import { phoneJpeg } from '../helpers/photos.js';

/**
 * The admin's book pages (issue 17) through HTTP, as a browser without script uses them:
 * the owner, an author and a contributor of the demo blog signed in.
 */
const PASSWORD = 'correct horse battery';
let app: App;
let owner: AdminClient;
let author: AdminClient;
let contributor: AdminClient;

beforeAll(async () => {
  app = await createTestApp();
  // These tests start from a blog with no book: the demo's is removed (books.test.ts checks it).
  const maren = await app.database.db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('slug', '=', 'maren-ashby')
    .executeTakeFirstOrThrow();
  await app.services.books.delete(maren, 'ten-quiet-minutes');
  const people = [
    ['owner', '192.0.2.20'],
    ['author', '192.0.2.21'],
    ['contributor', '192.0.2.22'],
  ] as const;
  const clients: AdminClient[] = [];
  for (const [role, ip] of people) {
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

/** The book form's fields as the page shows them, changed by `changes`: what a browser would send. */
function formOf(body: string, changes: Record<string, string> = {}): Record<string, string> {
  const form = /<form method="post" action="\/admin\/books\/(?:new|\d+)"[^>]*>([\s\S]*?)<\/form>/.exec(body)?.[1] ?? '';
  const fields: Record<string, string> = {};
  const unescapeHtml = (s: string) =>
    s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name) continue;
    const type = /type="([^"]+)"/.exec(attrs)?.[1] ?? 'text';
    if ((type === 'checkbox' || type === 'radio') && !/ checked/.test(attrs)) continue;
    fields[name] = unescapeHtml(/value="([^"]*)"/.exec(attrs)?.[1] ?? (type === 'checkbox' ? 'on' : ''));
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    fields[m[1] as string] = unescapeHtml(m[2] ?? '');
  for (const m of form.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2] ?? '');
    fields[m[1] as string] = selected?.[1] ?? /<option value="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
  }
  return { ...fields, ...changes };
}

/** The titles of the parts and chapters in the form, in order. */
function rowTitles(body: string): string[] {
  return [
    ...body.matchAll(
      /<li class="book-row book-row--(\w+)[^"]*"[\s\S]*?(?:<span data-title>([^<]*)<|name="entry\.\d+\.title" type="text"(?: value="([^"]*)")?)/g,
    ),
  ].map((m) => (m[1] === 'part' ? `part:${m[3] ?? ''}` : (m[2] ?? m[3] ?? '')));
}

const bookId = async (slug: string) =>
  (await app.database.db.selectFrom('books').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;

describe('the book pages of the admin', () => {
  it('shows an empty list with a way to start, and a Books link for those who make books only', async () => {
    const list = await owner.get('/admin/books');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('There are no books yet');
    expect(list.body).toContain('href="/admin/books/new"');
    expect(list.body).toContain('<a href="/admin/books" aria-current="page">Books</a>');
    expect((await author.get('/admin')).body).toContain('href="/admin/books"');
    expect((await contributor.get('/admin')).body).not.toContain('href="/admin/books"');
  });

  it('refuses a contributor with 403, and does not make the book', async () => {
    expect((await contributor.get('/admin/books')).statusCode).toBe(403);
    expect((await contributor.get('/admin/books/new')).statusCode).toBe(403);
    await contributor.get('/admin');
    const res = await contributor.post('/admin/books/new', { title: 'Sneaky', language: 'en', action: 'save' });
    expect(res.statusCode).toBe(403);
    expect(await app.database.db.selectFrom('books').selectAll().execute()).toEqual([]);
  });

  it('shows each wrong field next to it with a 400, keeping what was typed', async () => {
    const page = await owner.get('/admin/books/new');
    const res = await owner.post(
      '/admin/books/new',
      formOf(page.body, { title: '', subtitle: 'Kept as typed', isbn: '978-0-00-000000-1', language: 'english' }),
    );
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'book-title')).toBe('Please give the book a title.');
    expect(fieldError(res.body, 'book-isbn')).toContain('is not an ISBN');
    expect(fieldError(res.body, 'book-language')).toContain('is not a language tag');
    expect(res.body).toContain('value="Kept as typed"');
    expect(res.body).toContain('href="#book-title"');
    expect(await app.database.db.selectFrom('books').selectAll().execute()).toEqual([]);
  });

  it('makes a book with authors, a post chapter, a text chapter and a part, then reorders them without script', async () => {
    let page = await author.get('/admin/books/new');
    const massage = await postIdBySlug(app, 'benefits-of-infant-massage');
    const soup = await postIdBySlug(app, 'autumn-lentil-soup');
    // Rows are added one button at a time; nothing is saved until "Save the book".
    page = await author.post(
      '/admin/books/new',
      formOf(page.body, { title: 'Small Rituals', newPost: String(massage), action: 'add-post' }),
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The post is added at the end');
    page = await author.post('/admin/books/new', formOf(page.body, { newPost: String(soup), action: 'add-post' }));
    page = await author.post('/admin/books/new', formOf(page.body, { action: 'add-part' }));
    page = await author.post('/admin/books/new', formOf(page.body, { 'entry.3.title': 'Winter', action: 'add-text' }));
    page = await author.post(
      '/admin/books/new',
      formOf(page.body, { 'entry.4.title': 'A note on soup', 'entry.4.body': 'Stir *slowly*.', action: 'add-author' }),
    );
    expect(await app.database.db.selectFrom('books').selectAll().execute()).toEqual([]);
    expect(rowTitles(page.body)).toEqual([
      'Benefits of Infant Massage',
      'Our Autumn Lentil Soup',
      'part:Winter',
      'A note on soup',
    ]);
    // The soup moves down below the part, by the button a keyboard or a browser without script uses.
    page = await author.post(
      '/admin/books/new',
      formOf(page.body, { 'author.1.name': 'Jo Writer', action: 'entry-down.2' }),
    );
    expect(page.body).toContain('is now number 3');
    expect(rowTitles(page.body)).toEqual([
      'Benefits of Infant Massage',
      'part:Winter',
      'Our Autumn Lentil Soup',
      'A note on soup',
    ]);
    const saved = await author.post('/admin/books/new', formOf(page.body, { action: 'save' }));
    expect(saved.statusCode).toBe(303);
    const id = await bookId('small-rituals');
    expect(saved.headers.location).toBe(`/admin/books/${id}?done=created`);
    const contents = await app.services.books.contents(id);
    expect(contents.map((e) => [e.kind, e.title, e.kind === 'chapter' ? e.partPosition : null])).toEqual([
      ['chapter', 'Benefits of Infant Massage', null],
      ['part', 'Winter', null],
      ['chapter', 'Our Autumn Lentil Soup', 2],
      ['chapter', 'A note on soup', 2],
    ]);
    const book = await app.services.books.get(id);
    expect(book?.authors).toEqual([{ userId: null, name: 'Jo Writer', fileAs: '', role: 'aut' }]);
    const edit = await author.get(saved.headers.location as string);
    expect(edit.body).toContain('The book is made.');
    expect(edit.body).toContain('id="book-builds"');
  });

  it('edits a book: moves a chapter up, names a wrong row, and saves', async () => {
    const id = await bookId('small-rituals');
    let page = await author.get(`/admin/books/${id}`);
    page = await author.post(`/admin/books/${id}`, formOf(page.body, { action: 'entry-up.4' }));
    // A second author, a user of the blog: named from the profile, then moved first.
    const ownerId = (
      await app.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'owner@example.org')
        .executeTakeFirstOrThrow()
    ).id;
    page = await author.post(`/admin/books/${id}`, formOf(page.body, { action: 'add-author' }));
    page = await author.post(
      `/admin/books/${id}`,
      formOf(page.body, { 'author.2.user': String(ownerId), 'author.2.role': 'edt', action: 'author-up.2' }),
    );
    expect(page.body).toContain(`<option value="${ownerId}" selected>owner person</option>`);
    expect(rowTitles(page.body)).toEqual([
      'Benefits of Infant Massage',
      'part:Winter',
      'A note on soup',
      'Our Autumn Lentil Soup',
    ]);
    // A part without a title is refused, naming the row; what was typed stays.
    const bad = await author.post(
      `/admin/books/${id}`,
      formOf(page.body, { 'entry.2.title': '', subtitle: 'Typed', action: 'save' }),
    );
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'book-entries.2.title')).toBe('Please give the part a title.');
    expect(bad.body).toContain('value="Typed"');
    expect((await app.services.books.get(id))?.subtitle).toBe('');
    const ok = await author.post(`/admin/books/${id}`, formOf(page.body, { subtitle: 'Typed', action: 'save' }));
    expect(ok.statusCode).toBe(303);
    expect((await app.services.books.contents(id)).map((e) => e.title)).toEqual([
      'Benefits of Infant Massage',
      'Winter',
      'A note on soup',
      'Our Autumn Lentil Soup',
    ]);
    expect((await app.services.books.get(id))?.subtitle).toBe('Typed');
    expect((await app.services.books.get(id))?.authors).toEqual([
      { userId: ownerId, name: 'owner person', fileAs: '', role: 'edt' },
      { userId: null, name: 'Jo Writer', fileAs: '', role: 'aut' },
    ]);
    const list = await author.get('/admin/books');
    expect(list.body).toContain('Small Rituals');
    expect(list.body).toMatch(/data-label="Chapters">3/);
    expect(list.body).toMatch(/data-label="Parts">1/);
  });

  it('refuses a bad ISBN on edit, and another author’s change of the book with 403', async () => {
    const id = await bookId('small-rituals');
    const page = await author.get(`/admin/books/${id}`);
    const res = await author.post(`/admin/books/${id}`, formOf(page.body, { isbn: '0-306-40615-3', action: 'save' }));
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'book-isbn')).toContain('check digit is wrong');
    await app.services.users.create({
      name: 'Other Author',
      email: 'other@example.org',
      password: PASSWORD,
      role: 'author',
    });
    const other = new AdminClient(app.server, { ip: '192.0.2.23' });
    await other.signIn('other@example.org', PASSWORD);
    const theirs = await other.get(`/admin/books/${id}`);
    const refused = await other.post(`/admin/books/${id}`, formOf(theirs.body, { title: 'Mine now', action: 'save' }));
    expect(refused.statusCode).toBe(403);
    expect((await app.services.books.get(id))?.title).toBe('Small Rituals');
  });

  it('previews the book: title page, contents, each chapter, and the missing ones at the top', async () => {
    const id = await bookId('small-rituals');
    const soup = await postIdBySlug(app, 'autumn-lentil-soup');
    await app.services.posts.update(soup, { status: 'draft' });
    const res = await author.get(`/admin/books/${id}/preview`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('One chapter is missing');
    expect(res.body).toContain('Number 4, “Our Autumn Lentil Soup”: its post is not published');
    expect(res.body).toContain('<h1>Small Rituals</h1>');
    expect(res.body).toContain('<a href="#chapter-1">Benefits of Infant Massage</a>');
    expect(res.body).toContain('<li class="book-preview__part">Winter</li>');
    expect(res.body).toContain('Stir <em>slowly</em>.');
    await app.services.posts.update(soup, { status: 'published' });
    expect((await author.get(`/admin/books/${id}/preview`)).body).not.toContain('is missing');
    expect((await author.get('/admin/books/999999/preview')).statusCode).toBe(404);
  });
});

describe('the public page of a book', () => {
  it('is not found until the book has a public page', async () => {
    expect((await app.server.inject('/books/small-rituals/')).statusCode).toBe(404);
    expect((await app.server.inject('/books/no-such-book/')).statusCode).toBe(404);
    const index = await app.server.inject('/books/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('There are no books here yet.');
  });

  it('shows the title, authors, description and contents linking to the posts, once made public', async () => {
    const id = await bookId('small-rituals');
    const page = await author.get(`/admin/books/${id}`);
    const saved = await author.post(
      `/admin/books/${id}`,
      formOf(page.body, { public: 'on', description: 'Small things we do each day.\n\nMostly soup.', action: 'save' }),
    );
    expect(saved.statusCode).toBe(303);
    const res = await app.server.inject('/books/small-rituals/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 id="book-title" class="post-title" lang="en">Small Rituals</h1>');
    expect(res.body).toContain('Typed');
    expect(res.body).toContain('By owner person (editor), Jo Writer');
    expect(res.body).toContain('<p>Small things we do each day.</p><p>Mostly soup.</p>');
    expect(res.body).toContain('<a href="/benefits-of-infant-massage/">Benefits of Infant Massage</a>');
    expect(res.body).toMatch(
      /<span class="book-toc__part-title">Winter<\/span>\s*<ol><li>A note on soup<\/li><li><a href="\/autumn-lentil-soup\/">/,
    );
    // No build yet: no downloads section.
    expect(res.body).not.toContain('Download the book');
    expect(res.body).toContain('"@type":"Book"');
    const index = await app.server.inject('/books/');
    expect(index.body).toContain('<a href="/books/small-rituals/" lang="en">Small Rituals</a>');
    const edit = await author.get(`/admin/books/${id}`);
    expect(edit.body).toContain('href="/books/small-rituals/"');
  });

  it('changes after an edit: the cached page is dropped', async () => {
    const id = await bookId('small-rituals');
    // Seen twice, so the second answer came from the page cache.
    await app.server.inject('/books/small-rituals/');
    await app.server.inject('/books/');
    let page = await author.get(`/admin/books/${id}`);
    page = await author.post(`/admin/books/${id}`, formOf(page.body, { action: 'entry-remove.1' }));
    const saved = await author.post(
      `/admin/books/${id}`,
      formOf(page.body, { title: 'Smaller Rituals', action: 'save' }),
    );
    expect(saved.statusCode).toBe(303);
    const res = await app.server.inject('/books/small-rituals/');
    expect(res.body).toContain('Smaller Rituals');
    expect(res.body).not.toContain('Benefits of Infant Massage');
    expect((await app.server.inject('/books/')).body).toContain('Smaller Rituals');
    // Taken off the blog: the page is gone at once, cached or not.
    page = await author.get(`/admin/books/${id}`);
    await author.post(`/admin/books/${id}`, formOf(page.body, { public: null as unknown as string, action: 'save' }));
    expect((await app.server.inject('/books/small-rituals/')).statusCode).toBe(404);
    expect((await app.server.inject('/books/')).body).not.toContain('Smaller Rituals');
    page = await author.get(`/admin/books/${id}`);
    await author.post(`/admin/books/${id}`, formOf(page.body, { public: 'on', action: 'save' }));
  });

  it('shows the cover photo chosen from the media library; an uploaded cover needs a photo', async () => {
    const id = await bookId('small-rituals');
    const photo = await app.services.media.ingest({
      data: await phoneJpeg(600, 900),
      name: 'cover-linen.jpg',
      alt: 'Folded linen',
    });
    let page = await author.get(`/admin/books/${id}`);
    expect(page.body).toContain(`<option value="${photo.id}">cover-linen.jpg (Folded linen)</option>`);
    const refused = await author.post(
      `/admin/books/${id}`,
      formOf(page.body, { coverMode: 'upload', coverMediaId: '', action: 'save' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'book-coverMediaId')).toContain('An uploaded cover needs a photo');
    page = await author.get(`/admin/books/${id}`);
    const saved = await author.post(
      `/admin/books/${id}`,
      formOf(page.body, { coverMode: 'upload', coverMediaId: String(photo.id), action: 'save' }),
    );
    expect(saved.statusCode).toBe(303);
    expect(await app.services.books.get(id)).toMatchObject({ coverMediaId: photo.id, coverMode: 'upload' });
    const edit = await author.get(`/admin/books/${id}`);
    expect(edit.body).toContain(`<option value="${photo.id}" selected>`);
    expect(edit.body).toMatch(/id="book-coverMode-upload" name="coverMode" value="upload" checked/);
    const res = await app.server.inject('/books/small-rituals/');
    expect(res.body).toMatch(/<img[^>]*class="book-cover"|class="book-cover"[^>]*>/);
    expect(res.body).toContain('alt="The cover of Smaller Rituals"');
    expect(res.body).toContain(`<meta property="og:image" content="http://blog.test${photo.url}">`);
  });

  it('is valid HTML, as are the admin book pages', async () => {
    const id = await bookId('small-rituals');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-books-'));
    const pages: [string, string][] = [
      ['book', (await app.server.inject('/books/small-rituals/')).body],
      ['books', (await app.server.inject('/books/')).body],
      ['admin-list', (await owner.get('/admin/books')).body],
      ['admin-edit', (await owner.get(`/admin/books/${id}`)).body],
      ['admin-preview', (await owner.get(`/admin/books/${id}/preview`)).body],
      ['admin-delete', (await owner.get(`/admin/books/${id}/delete`)).body],
    ];
    const bad = await owner.get('/admin/books/new');
    pages.push([
      'admin-errors',
      (await owner.post('/admin/books/new', formOf(bad.body, { title: '', action: 'save' }))).body,
    ]);
    const files = pages.map(([name, html]) => {
      const file = path.join(dir, `${name}.html`);
      fs.writeFileSync(file, html);
      return file;
    });
    expect(htmlErrors(files)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('deleting a book', () => {
  it('asks first, then deletes the book but not its posts; its public page is gone', async () => {
    const id = await bookId('small-rituals');
    const confirm = await author.get(`/admin/books/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('The posts stay on the blog');
    expect((await contributor.post(`/admin/books/${id}/delete`)).statusCode).toBe(403);
    const res = await author.post(`/admin/books/${id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/books?done=deleted');
    expect(await app.services.books.get(id)).toBeUndefined();
    expect(await postIdBySlug(app, 'autumn-lentil-soup')).toBeGreaterThan(0);
    expect((await app.server.inject('/books/small-rituals/')).statusCode).toBe(404);
    expect((await author.get('/admin/books?done=deleted')).body).toContain('The book is deleted.');
    expect((await author.get(`/admin/books/${id}`)).statusCode).toBe(404);
  });
});

describe('a chapter whose post was deleted', () => {
  it('is shown as such in the form, which cannot be saved until it is removed', async () => {
    const me = await app.database.db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('email', '=', 'owner@example.org')
      .executeTakeFirstOrThrow();
    const post = await app.services.posts.create({
      title: 'A post soon gone',
      body: 'Here today.',
      status: 'published',
      publishedAt: '2026-11-01T09:00:00.000Z',
      authorId: me.id,
    });
    const book = await app.services.books.create(me, { title: 'With a Hole', language: 'en' });
    await app.services.books.setContents(me, book.id, [{ post: 'autumn-lentil-soup' }, { post: post.id }]);
    await app.database.db.deleteFrom('posts').where('id', '=', post.id).execute();
    let page = await owner.get(`/admin/books/${book.id}`);
    expect(page.body).toContain('A post soon gone</span> <span class="badge">its post was deleted');
    const refused = await owner.post(`/admin/books/${book.id}`, formOf(page.body, { action: 'save' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(`Entry 2: there is no post or page &#34;${post.id}&#34;.`);
    page = await owner.post(`/admin/books/${book.id}`, formOf(page.body, { action: 'entry-remove.2' }));
    expect((await owner.post(`/admin/books/${book.id}`, formOf(page.body, { action: 'save' }))).statusCode).toBe(303);
    expect((await app.services.books.contents(book.id)).map((e) => e.title)).toEqual(['Our Autumn Lentil Soup']);
  });
});
