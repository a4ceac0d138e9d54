import { describe, expect, it } from 'vitest';
import type { BookActor, BookService } from '../../src/domain/books/index.js';
import { can } from '../../src/domain/roles/index.js';
import { HearthError, ValidationError } from '../../src/errors.js';
import { postIdBySlug, useTestApp } from '../helpers/app.js';

/**
 * Books (issue 17) through the real services on a real database (SQLite, or PostgreSQL
 * under `npm run test:postgres`), on the demo blog: Maren (administrator), Jonah (author),
 * Tess (contributor), and an editor made here.
 */
const t = useTestApp();
const books = (): BookService => t.app.services.books;

async function actor(slug: string): Promise<BookActor> {
  const row = await t.app.database.db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('slug', '=', slug)
    .executeTakeFirstOrThrow();
  return row;
}

/** The fields a ValidationError names, with their reasons. */
async function fieldsOf(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).fields;
}

async function codeOf(promise: Promise<unknown>): Promise<HearthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  return error as HearthError;
}

describe('making a book', () => {
  it('stores the fields, a canonical language tag, a generated urn:uuid and rendered front matter', async () => {
    const maren = await actor('maren-ashby');
    const book = await books().create(maren, {
      title: '  Gentle Hands  ',
      subtitle: 'Massage for babies and toddlers',
      language: 'EN-gb',
      description: 'A year of small rituals, from the blog.',
      publisher: 'Willowfold',
      rights: '© 2026 Maren Ashby',
      subjects: ['Infant massage', 'Parenting', 'Infant massage'],
      frontMatter: 'For Idris, who *fell asleep* halfway through the first class.',
      public: true,
    });
    expect(book).toMatchObject({
      slug: 'gentle-hands',
      title: 'Gentle Hands',
      language: 'en-GB',
      subjects: ['Infant massage', 'Parenting'],
      coverMode: 'drawn',
      coverMediaId: null,
      public: true,
      createdBy: maren.id,
      // The writer who makes a book is its first author until the authors are set.
      authors: [{ userId: maren.id, name: 'Maren Ashby', fileAs: '', role: 'aut' }],
    });
    expect(book.identifier).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(book.frontMatterHtml).toContain('<em>fell asleep</em>');
    expect(await books().get('gentle-hands')).toEqual(book);
    expect(await books().get(book.id)).toEqual(book);

    // The same title again gets a free slug; a valid ISBN-13 (hyphens allowed) becomes the identifier.
    const again = await books().create(maren, { title: 'Gentle hands', language: 'en', isbn: '978-0-306-40615-7' });
    expect(again.slug).toBe('gentle-hands-2');
    expect(again.identifier).toBe('urn:isbn:9780306406157');
    const ten = await books().update(maren, again.id, { isbn: '0 306 40615 2' });
    expect(ten.identifier).toBe('urn:isbn:0306406152');
    // Clearing the ISBN gives the book a UUID again.
    expect((await books().update(maren, again.id, { isbn: '' })).identifier).toMatch(/^urn:uuid:/);
    await books().delete(maren, again.id);
    expect(await books().get(again.id)).toBeUndefined();
  });

  it('refuses each bad field with a clear reason naming it, and writes nothing', async () => {
    const maren = await actor('maren-ashby');
    const before = (await books().list()).length;
    const ok = { title: 'A fine book', language: 'en' };
    expect(await fieldsOf(books().create(maren, { ...ok, title: '   ' }))).toEqual({
      title: 'Please give the book a title.',
    });
    expect((await fieldsOf(books().create(maren, { ...ok, title: 'x'.repeat(251) }))).title).toMatch(/at most 250/);
    expect((await fieldsOf(books().create(maren, { ...ok, title: 'Bell\u0007 book' }))).title).toMatch(/one line/);
    expect((await fieldsOf(books().create(maren, { ...ok, title: 'Half \uD800 a pair' }))).title).toMatch(
      /cannot carry/,
    );
    expect((await fieldsOf(books().create(maren, { ...ok, subtitle: 'y'.repeat(251) }))).subtitle).toMatch(/250/);
    expect((await fieldsOf(books().create(maren, { ...ok, slug: 'Not a/slug' }))).slug).toMatch(/single hyphens/);
    expect((await fieldsOf(books().create(maren, { ...ok, language: '' }))).language).toMatch(/language/);
    expect((await fieldsOf(books().create(maren, { ...ok, language: 'english' }))).language).toBe(
      '“english” is not a language tag (BCP 47), such as en, en-GB or pt-BR.',
    );
    expect((await fieldsOf(books().create(maren, { ...ok, language: 'en_GB' }))).language).toMatch(/BCP 47/);
    expect((await fieldsOf(books().create(maren, { ...ok, language: 'zz' }))).language).toMatch(/BCP 47/);
    expect((await fieldsOf(books().create(maren, { ...ok, isbn: '978-0-306-40615-8' }))).isbn).toBe(
      '“978-0-306-40615-8” is not an ISBN. Its check digit is wrong: check the ISBN-13.',
    );
    expect((await fieldsOf(books().create(maren, { ...ok, isbn: '0-306-40615-3' }))).isbn).toMatch(/ISBN-10/);
    expect((await fieldsOf(books().create(maren, { ...ok, isbn: '12345' }))).isbn).toMatch(/10 or 13 digits/);
    expect((await fieldsOf(books().create(maren, { ...ok, description: 'd'.repeat(4001) }))).description).toMatch(
      /4000/,
    );
    expect((await fieldsOf(books().create(maren, { ...ok, publisher: 'p'.repeat(201) }))).publisher).toMatch(/200/);
    expect((await fieldsOf(books().create(maren, { ...ok, rights: 'r'.repeat(501) }))).rights).toMatch(/500/);
    const subjects = Array.from({ length: 31 }, (_, i) => `subject ${i}`);
    expect((await fieldsOf(books().create(maren, { ...ok, subjects }))).subjects).toMatch(/at most 30/);
    expect((await fieldsOf(books().create(maren, { ...ok, coverMediaId: 999_999 }))).coverMediaId).toMatch(
      /no photo with the id 999999/,
    );
    expect((await fieldsOf(books().create(maren, { ...ok, coverMode: 'upload' }))).coverMediaId).toMatch(
      /uploaded cover needs a photo/,
    );
    expect((await fieldsOf(books().create(maren, { ...ok, coverMode: 'painted' as never }))).coverMode).toBeDefined();
    expect((await fieldsOf(books().create(maren, { ...ok, frontMatter: 'Nul\u0000 here' }))).frontMatter).toMatch(
      /control characters/,
    );
    // Several at once: each field is named.
    expect(Object.keys(await fieldsOf(books().create(maren, { title: '', language: 'x y', isbn: '1' })))).toEqual([
      'title',
      'language',
      'isbn',
    ]);
    // A photo of the library is a cover.
    const photo = await t.app.database.db.selectFrom('media').select('id').orderBy('id').executeTakeFirstOrThrow();
    const covered = await books().create(maren, {
      ...ok,
      slug: 'covered',
      coverMediaId: photo.id,
      coverMode: 'upload',
    });
    expect(covered).toMatchObject({ coverMediaId: photo.id, coverMode: 'upload' });
    const taken = await codeOf(books().create(maren, { ...ok, slug: 'covered' }));
    expect(taken.code).toBe('HEARTH_ERR_BOOK_SLUG_TAKEN');
    expect(taken.message).toBe('Another book already has the slug "covered". Choose another slug.');
    await books().delete(maren, 'covered');
    expect((await books().list()).length).toBe(before);
  });

  it('keeps authors in order: users of the blog (named from their profile) and free text', async () => {
    const maren = await actor('maren-ashby');
    const jonah = await actor('jonah-pereira');
    const book = await books().create(maren, { title: 'Carried', language: 'en' });
    const withAuthors = await books().setAuthors(maren, book.id, [
      { userId: maren.id, fileAs: 'Ashby, Maren' },
      { userId: jonah.id, role: 'ctb' },
      { name: 'Ida Lund', fileAs: 'Lund, Ida', role: 'ill' },
    ]);
    expect(withAuthors.authors).toEqual([
      { userId: maren.id, name: 'Maren Ashby', fileAs: 'Ashby, Maren', role: 'aut' },
      { userId: jonah.id, name: 'Jonah Pereira', fileAs: '', role: 'ctb' },
      { userId: null, name: 'Ida Lund', fileAs: 'Lund, Ida', role: 'ill' },
    ]);
    const bad = await fieldsOf(
      books().setAuthors(maren, book.id, [{ name: '' }, { userId: 999_999 }, { name: 'X', role: 'boss' as never }]),
    );
    expect(bad).toEqual({
      'authors.1.name': 'Please give the author’s name.',
      'authors.2.user': 'There is no user with the id 999999.',
      'authors.3.role': 'The role must be one of aut, edt, ill, pht, trl, ctb, aui (MARC relator codes).',
    });
    // Nothing was changed by the refused list.
    expect((await books().get(book.id))?.authors).toHaveLength(3);
    await books().delete(maren, book.id);
  });
});

describe('parts and chapters', () => {
  it('keeps the demo blog’s massage book in parts, in order, with a chapter written for the book', async () => {
    const maren = await actor('maren-ashby');
    const book = await books().create(maren, { title: 'Gentle Hands: the book', language: 'en' });
    const massage = await postIdBySlug(t.app, 'benefits-of-infant-massage');
    const toc = await books().setContents(maren, book.id, [
      { title: 'Before you begin', body: 'Warm your hands. See [the first post](post:benefits-of-infant-massage).' },
      { part: 'Touch', chapters: [{ post: massage }, { post: 'babywearing-for-beginners' }] },
      { part: 'Growing up', chapters: [{ post: 'reading-aloud-to-toddlers' }, { post: 'slow-family-walks' }] },
    ]);
    expect(toc.map((e) => [e.position, e.kind, e.title, e.kind === 'chapter' ? e.partPosition : null])).toEqual([
      [1, 'chapter', 'Before you begin', null],
      [2, 'part', 'Touch', null],
      [3, 'chapter', 'Benefits of Infant Massage', 2],
      [4, 'chapter', "Babywearing for Beginners: What I Wish I'd Known", 2],
      [5, 'part', 'Growing up', null],
      [6, 'chapter', 'Why We Still Read the Same Book Every Night', 5],
      [7, 'chapter', 'Slow Walks: Puddles, Sticks and Snails', 5],
    ]);
    const intro = toc[0];
    expect(intro?.kind === 'chapter' && intro.bodyHtml).toContain('<a href="/benefits-of-infant-massage/">');

    const resolved = await books().resolve(book.slug);
    expect(resolved.missing).toEqual([]);
    expect(resolved.parts).toEqual([
      { position: 2, title: 'Touch' },
      { position: 5, title: 'Growing up' },
    ]);
    expect(resolved.chapters.map((c) => [c.origin, c.slug, c.partPosition])).toEqual([
      ['text', null, null],
      ['post', 'benefits-of-infant-massage', 2],
      ['post', 'babywearing-for-beginners', 2],
      ['post', 'reading-aloud-to-toddlers', 5],
      ['post', 'slow-family-walks', 5],
    ]);
    const post = await t.app.database.db
      .selectFrom('posts')
      .select('html')
      .where('id', '=', massage)
      .executeTakeFirstOrThrow();
    expect(resolved.chapters[1]?.html).toBe(post.html);

    const list = await books().list();
    expect(list.find((b) => b.slug === book.slug)).toMatchObject({ chapters: 5, parts: 2, sources: [] });
    await books().delete(maren, book.id);
  });

  it('refuses a post chosen twice, naming it and both entries, and keeps the old contents', async () => {
    const maren = await actor('maren-ashby');
    const book = await books().create(maren, { title: 'Twice', language: 'en' });
    await books().setContents(maren, book.id, [{ post: 'slow-family-walks' }]);
    const massage = await postIdBySlug(t.app, 'benefits-of-infant-massage');
    const error = await codeOf(
      books().setContents(maren, book.id, [
        { part: 'One', chapters: [{ post: 'benefits-of-infant-massage' }] },
        { part: 'Two', chapters: [{ post: 'autumn-lentil-soup' }, { post: massage }] },
      ]),
    );
    expect(error.code).toBe('HEARTH_ERR_BOOK_DUPLICATE_POST');
    expect(error.message).toBe(
      'The post "Benefits of Infant Massage" is in the book twice (entries 2 and 5): a post can be one chapter only.',
    );
    const unknown = await codeOf(books().setContents(maren, book.id, [{ post: 'no-such-post' }]));
    expect(unknown.message).toBe('Entry 1: there is no post or page "no-such-post".');
    const untitled = await fieldsOf(
      books().setContents(maren, book.id, [{ part: ' ', chapters: [{ title: '', body: 'Text' }] }]),
    );
    expect(untitled).toEqual({
      'entries.1.title': 'Please give the part a title.',
      'entries.2.title': 'Please give the chapter a title.',
    });
    const kept = await books().contents(book.id);
    expect(kept.map((e) => e.title)).toEqual(['Slow Walks: Puddles, Sticks and Snails']);
    await books().delete(maren, book.id);
  });

  it('takes chapters from a category or a tag, oldest first, after the chosen ones and without repeats', async () => {
    const jonah = await actor('jonah-pereira');
    const book = await books().create(jonah, { title: 'Natural parenting', language: 'en' });
    await books().setSources(jonah, book.id, [{ kind: 'category', term: 'natural-parenting' }]);
    const byCategory = await books().resolve(book.id);
    expect(byCategory.chapters.map((c) => [c.origin, c.slug])).toEqual([
      ['source', 'babywearing-for-beginners'],
      ['source', 'reading-aloud-to-toddlers'],
      ['source', 'slow-family-walks'],
    ]);
    const dates = byCategory.chapters.map((c) => c.publishedAt ?? '');
    expect([...dates].sort()).toEqual(dates);

    // A chosen chapter comes first; the tag's posts follow, the chosen one not repeated.
    await books().setContents(jonah, book.id, [{ post: 'benefits-of-infant-massage' }]);
    await books().setSources(jonah, book.id, [{ kind: 'tag', term: 'babies' }]);
    const byTag = await books().resolve(book.id);
    expect(byTag.chapters.map((c) => c.slug)).toEqual([
      'benefits-of-infant-massage',
      'batch-cooking-baby-food',
      'cloth-nappies-without-the-fuss',
      'babywearing-for-beginners',
      'secondhand-baby-kit',
    ]);
    expect((await books().list()).find((b) => b.id === book.id)?.sources).toEqual(['tag:babies']);
    const missing = await codeOf(books().setSources(jonah, book.id, [{ kind: 'tag', term: 'no-such-tag' }]));
    expect(missing.message).toBe('There is no tag "no-such-tag" to take chapters from.');
    await books().delete(jonah, book.id);
  });

  it('reports a chapter whose post was deleted or unpublished, and leaves it out of the chapters', async () => {
    const maren = await actor('maren-ashby');
    const at = '2026-11-01T09:00:00.000Z';
    const gone = await t.app.services.posts.create({
      title: 'A post that will go',
      body: 'Soon gone.',
      status: 'published',
      publishedAt: at,
      authorId: maren.id,
    });
    const drafted = await t.app.services.posts.create({
      title: 'A post taken back',
      body: 'Back to draft.',
      status: 'published',
      publishedAt: at,
      authorId: maren.id,
    });
    const book = await books().create(maren, { title: 'With holes', language: 'en' });
    await books().setContents(maren, book.id, [
      { post: 'autumn-lentil-soup' },
      { part: 'Later', chapters: [{ post: gone.id }, { post: drafted.slug }] },
    ]);
    expect((await books().resolve(book.id)).missing).toEqual([]);

    await t.app.database.db.deleteFrom('posts').where('id', '=', gone.id).execute();
    await t.app.services.posts.update(drafted.id, { status: 'draft' });
    const resolved = await books().resolve(book.id);
    expect(resolved.missing).toEqual([
      { reason: 'deleted', position: 3, postId: gone.id, title: 'A post that will go' },
      { reason: 'unpublished', position: 4, postId: drafted.id, title: 'A post taken back' },
    ]);
    expect(resolved.chapters.map((c) => c.slug)).toEqual(['autumn-lentil-soup']);
    // The chapter of the deleted post is still in the book, naming the post.
    expect((await books().contents(book.id)).map((e) => e.title)).toContain('A post that will go');
    await books().delete(maren, book.id);
  });
});

describe('who makes books', () => {
  it('lets authors and editors make books, refuses contributors, and keeps an author to their own', async () => {
    const roles = ['owner', 'administrator', 'editor', 'author', 'contributor'] as const;
    expect(roles.map((role) => can(role, 'make_books'))).toEqual([true, true, true, true, false]);
    const tess = await actor('tess-okafor');
    const jonah = await actor('jonah-pereira');
    const forbidden = await codeOf(books().create(tess, { title: 'Mine', language: 'en' }));
    expect(forbidden.code).toBe('HEARTH_ERR_FORBIDDEN');
    expect(forbidden.message).toBe('Your role (contributor) does not allow this: it needs the capability make_books.');

    const editorUser = await t.app.services.users.create({
      name: 'Edda Winter',
      email: 'edda@example.org',
      role: 'editor',
    });
    const editor: BookActor = { id: editorUser.id, role: 'editor' };
    const edited = await books().create(editor, { title: 'Edited', language: 'de' });
    const own = await books().create(jonah, { title: 'Jonah’s shelf', language: 'en' });
    expect(own.slug).toBe('jonahs-shelf');

    const notYours = await codeOf(books().update(jonah, edited.id, { title: 'Taken over' }));
    expect(notYours.code).toBe('HEARTH_ERR_BOOK_NOT_YOURS');
    expect(notYours.message).toBe(
      'The book "edited" is someone else’s: your role (author) may change only your own books.',
    );
    expect((await codeOf(books().delete(tess, own.id))).code).toBe('HEARTH_ERR_FORBIDDEN');
    // An editor changes anyone's book.
    expect((await books().update(editor, own.id, { subtitle: 'Shelves and slings' })).subtitle).toBe(
      'Shelves and slings',
    );
    const missing = await codeOf(books().resolve('no-such-book'));
    expect(missing.message).toBe('There is no book "no-such-book".');
    await books().delete(editor, own.id);
    await books().delete(editor, edited.id);
  });
});

describe('the demo blog’s book', () => {
  it('ships a public book made from the massage post and related posts, in parts, with a drawn cover', async () => {
    const summary = (await books().list()).find((b) => b.slug === 'ten-quiet-minutes');
    expect(summary).toMatchObject({ title: 'Ten Quiet Minutes', chapters: 5, parts: 2 });
    const resolved = await books().resolve('ten-quiet-minutes');
    expect(resolved.missing).toEqual([]);
    expect(resolved.book).toMatchObject({ public: true, coverMode: 'drawn', language: 'en' });
    expect(resolved.book.coverMediaId).not.toBeNull();
    expect(resolved.book.authors.map((a) => [a.name, a.fileAs, a.role])).toEqual([
      ['Maren Ashby', 'Ashby, Maren', 'aut'],
      ['Tess Okafor', 'Okafor, Tess', 'ctb'],
    ]);
    expect(resolved.parts.map((p) => p.title)).toEqual(['Touch', 'Slow days']);
    expect(resolved.chapters.map((c) => c.slug ?? c.title)).toEqual([
      'Before you begin',
      'benefits-of-infant-massage',
      'babywearing-for-beginners',
      'reading-aloud-to-toddlers',
      'slow-family-walks',
    ]);
  });
});
