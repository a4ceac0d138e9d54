import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BookActor, BookBuild, BookBuilds } from '../../src/domain/books/index.js';
import { HearthError } from '../../src/errors.js';
import { postIdBySlug, useTestApp } from '../helpers/app.js';

/**
 * Book builds as jobs (issue 17) through the real services on a real database (SQLite, or
 * PostgreSQL under `npm run test:postgres`): a job's state and progress, the file cache by
 * fingerprint, a job left running by a stopped process, and what is refused before any job.
 */
const t = useTestApp();
const builds = (): BookBuilds => t.app.services.bookBuilds;
const booksDir = () => path.join(t.app.dataDir, 'books');

async function actor(slug: string): Promise<BookActor> {
  return t.app.database.db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('slug', '=', slug)
    .executeTakeFirstOrThrow();
}

async function finished(id: number): Promise<BookBuild> {
  const until = Date.now() + 60_000;
  for (;;) {
    const build = await builds().get(id);
    if (!build) throw new Error(`no build ${id}`);
    if (build.state === 'done' || build.state === 'failed') return build;
    if (Date.now() > until) throw new Error(`build ${id} still ${build.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function errorOf(promise: Promise<unknown>): Promise<HearthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  return error as HearthError;
}

async function makeBook(title: string, posts: string[]) {
  const maren = await actor('maren-ashby');
  const book = await t.app.services.books.create(maren, { title, language: 'en' });
  await t.app.services.books.setContents(
    maren,
    book.id,
    posts.map((post) => ({ post })),
  );
  return book;
}

const filesIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe('a build is a job', () => {
  it('runs in the background with its progress, then a second build of the unchanged book uses the file', async () => {
    const maren = await actor('maren-ashby');
    const book = await makeBook('Small Hands', ['benefits-of-infant-massage', 'babywearing-for-beginners']);
    const first = await builds().start(maren, book.slug, 'epub');
    expect(first).toMatchObject({ bookId: book.id, format: 'epub', state: 'queued', fromCache: false });
    const done = await finished(first.id);
    expect(done).toMatchObject({ state: 'done', done: 2, total: 2, chapters: 2, error: '', fromCache: false });
    expect(done.images).toBeGreaterThan(0);
    expect(done.bytes).toBeGreaterThan(1000);
    const [file, ...others] = await builds().files(book.id);
    expect(others).toEqual([]);
    expect(file?.format).toBe('epub');
    expect(fs.statSync(file?.path as string).size).toBe(done.bytes);
    expect(
      fs
        .readFileSync(file?.path as string)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    const again = await builds().start(maren, book.id, 'epub');
    expect(again).toMatchObject({ state: 'done', fromCache: true, bytes: done.bytes, chapters: 2 });
    expect(again.id).not.toBe(first.id);
    expect(await builds().upToDate(book.id, 'epub')).toBe(true);
    expect((await builds().list(book.id)).map((b) => b.id)).toEqual([again.id, first.id]);
  });

  it('builds again when a chapter changed, and keeps only the newest file', async () => {
    const maren = await actor('maren-ashby');
    const book = await makeBook('Walks and Soup', ['slow-family-walks', 'autumn-lentil-soup']);
    const first = await finished((await builds().start(maren, book.id, 'epub')).id);
    const before = (await builds().files(book.id))[0]?.path as string;
    expect(fs.existsSync(before)).toBe(true);

    const soup = await postIdBySlug(t.app, 'autumn-lentil-soup');
    await t.app.services.posts.update(soup, { title: 'Autumn Lentil Soup, Again' });
    expect(await builds().upToDate(book.id, 'epub')).toBe(false);
    const second = await builds().start(maren, book.id, 'epub');
    expect(second.fromCache).toBe(false);
    expect((await finished(second.id)).state).toBe('done');
    const after = (await builds().files(book.id))[0]?.path as string;
    expect(after).not.toBe(before);
    // The older file is removed just after the new build is marked done.
    for (let i = 0; i < 50 && fs.existsSync(before); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(before)).toBe(false);
    expect(filesIn(booksDir())).toContain(path.basename(after));
    expect(first.state).toBe('done');
  });

  it('gives the same job to a second ask while the first is waiting or running', async () => {
    const maren = await actor('maren-ashby');
    const book = await makeBook('Two Asks', ['visible-mending-for-beginners']);
    const [a, b] = await Promise.all([builds().start(maren, book.id, 'epub'), builds().start(maren, book.id, 'epub')]);
    await finished(a.id);
    await finished(b.id);
    const rows = await builds().list(book.id);
    expect(rows.filter((r) => !r.fromCache)).toHaveLength(1);
  });

  it('runs again a job a stopped process left running, writing one file', async () => {
    const maren = await actor('maren-ashby');
    const book = await makeBook('Interrupted', ['balcony-herb-garden']);
    const fingerprint = await builds().fingerprint(book.id, 'epub', { leaveOutMissing: false });
    // As a process killed in the middle of a build leaves it: running, half done, a temporary file.
    const row = await t.app.database.db
      .insertInto('book_builds')
      .values({
        book_id: book.id,
        format: 'epub',
        options: JSON.stringify({ leaveOutMissing: false }),
        fingerprint,
        state: 'running',
        done: 1,
        total: 2,
        step: 'Balcony herbs',
        started_by: maren.id,
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await builds().resume();
    const done = await finished(row.id);
    expect(done).toMatchObject({ state: 'done', chapters: 1 });
    expect(filesIn(booksDir()).filter((n) => n.startsWith(fingerprint))).toEqual([`${fingerprint}.epub`]);
    // Asked again, the same file is used: nothing is built twice.
    expect((await builds().start(maren, book.id, 'epub')).fromCache).toBe(true);
  });

  it('leaves alone a build another process is running, and takes it up once that process is silent', async () => {
    const maren = await actor('maren-ashby');
    const book = await makeBook('Elsewhere', ['cloth-nappies-without-the-fuss']);
    const fingerprint = await builds().fingerprint(book.id, 'epub', { leaveOutMissing: false });
    const running = (heartbeat: Date) =>
      t.app.database.db
        .insertInto('book_builds')
        .values({
          book_id: book.id,
          format: 'epub',
          options: JSON.stringify({ leaveOutMissing: false }),
          fingerprint,
          state: 'running',
          heartbeat_at: heartbeat.toISOString(),
          created_at: new Date().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    // Alive a second ago: asking again gives that job, still running elsewhere.
    const alive = await running(new Date(Date.now() - 1000));
    const asked = await builds().start(maren, book.id, 'epub');
    expect(asked).toMatchObject({ id: alive.id, state: 'running' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await builds().get(alive.id))?.state).toBe('running');
    // Silent for two minutes: its process stopped; the next ask puts it back in the queue and it runs here.
    await t.app.database.db
      .updateTable('book_builds')
      .set({ heartbeat_at: new Date(Date.now() - 120_000).toISOString() })
      .where('id', '=', alive.id)
      .execute();
    const again = await builds().start(maren, book.id, 'epub');
    expect(again.id).toBe(alive.id);
    expect(await finished(alive.id)).toMatchObject({ state: 'done', chapters: 1 });
  });

  it('keeps the standard file offered when a one-off build (another page size) is made', async () => {
    const maren = await actor('maren-ashby');
    const book = await makeBook('Two Sizes', ['secondhand-baby-kit']);
    const a5 = await finished((await builds().start(maren, book.id, 'pdf')).id);
    expect(a5).toMatchObject({ state: 'done', pageSize: 'a5' });
    // "Leave out" changes nothing when no chapter is missing: the same file.
    expect((await builds().start(maren, book.id, 'pdf', { leaveOutMissing: true })).fromCache).toBe(true);
    const letter = await finished((await builds().start(maren, book.id, 'pdf', { pageSize: 'letter' })).id);
    expect(letter).toMatchObject({ state: 'done', pageSize: 'letter', fromCache: false });
    const offered = await builds().offered(book.id);
    expect(offered.map((f) => f.format)).toEqual(['pdf']);
    expect(fs.statSync(offered[0]?.path as string).size).toBe(a5.bytes);
    // Both files are kept: the newest of each variant.
    expect(filesIn(booksDir()).filter((n) => n.endsWith('.pdf')).length).toBeGreaterThanOrEqual(2);
    expect((await builds().files(book.id)).find((f) => f.format === 'pdf')?.bytes).toBe(letter.bytes);
  }, 60_000);

  it('records a failed build with its reason', async () => {
    const maren = await actor('maren-ashby');
    const book = await t.app.services.books.create(maren, { title: 'Lost Photo', language: 'en' });
    await t.app.services.books.setContents(maren, book.id, [
      { title: 'A page', body: 'Before.\n\n![A jar of herbs](/media/2020/01/nowhere-0123456789.jpg)\n\nAfter.' },
    ]);
    const failed = await finished((await builds().start(maren, book.id, 'epub')).id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('/media/2020/01/nowhere-0123456789.jpg');
    expect(await builds().files(book.id)).toEqual([]);
  });
});

describe('refused before any job', () => {
  it('refuses a contributor, an unknown format, an empty book and a missing chapter, naming each', async () => {
    const maren = await actor('maren-ashby');
    const tess = await actor('tess-okafor');
    const book = await makeBook('Refusals', ['homemade-natural-cleaners']);
    const count = async () => (await builds().list(book.id)).length;

    expect((await errorOf(builds().start(tess, book.id, 'epub'))).status).toBe(403);
    expect((await errorOf(builds().start(maren, book.id, 'mobi'))).code).toBe('HEARTH_ERR_BOOK_FORMAT');
    expect((await errorOf(builds().start(maren, 'no-such-book', 'epub'))).code).toBe('HEARTH_ERR_BOOK_MISSING');

    const empty = await t.app.services.books.create(maren, { title: 'Nothing Yet', language: 'en' });
    expect((await errorOf(builds().start(maren, empty.id, 'epub'))).code).toBe('HEARTH_ERR_BOOK_EMPTY');

    await t.app.services.books.setAuthors(maren, book.id, []);
    const anonymous = await errorOf(builds().start(maren, book.id, 'epub'));
    expect([anonymous.code, anonymous.status]).toEqual(['HEARTH_ERR_BOOK_NO_AUTHOR', 422]);
    expect(anonymous.message).toContain('Add one under Authors');
    await t.app.services.books.setAuthors(maren, book.id, [{ name: 'Maren Ashby' }]);

    const cleaners = await postIdBySlug(t.app, 'homemade-natural-cleaners');
    await t.app.services.posts.update(cleaners, { status: 'draft' });
    const missing = await errorOf(builds().start(maren, book.id, 'epub'));
    expect(missing.code).toBe('HEARTH_ERR_BOOK_CHAPTERS_MISSING');
    expect(missing.message).toContain('Homemade');
    expect(await count()).toBe(0);
    await t.app.services.posts.update(cleaners, { status: 'published' });
  });
});
