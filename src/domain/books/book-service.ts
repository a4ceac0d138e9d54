import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { MarkdownRenderer } from '../../content/markdown/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { slugify } from '../../shared/slug.js';
import { urls } from '../../shared/urls.js';
import type { BooksTable, Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService } from '../media/index.js';
import { type Capability, can } from '../roles/index.js';
import { BOOK_LIMITS, canonicalLanguage, checkLine, checkSlug, checkText, parseIsbn } from './book-input.js';
import {
  AUTHOR_ROLES,
  type AuthorRole,
  type Book,
  type BookActor,
  type BookAuthor,
  type BookAuthorInput,
  type BookInput,
  type BookSource,
  type BookSummary,
  type ChapterInput,
  type MissingChapter,
  PAGE_SIZES,
  type PageSize,
  type ResolvedBook,
  type ResolvedChapter,
  type TocEntry,
  type TocEntryInput,
} from './types.js';

export interface BookServiceDeps {
  db: Db;
  markdown: MarkdownRenderer;
  /** Sizes the photos a front matter or a book-only chapter shows, as posts do. */
  media: Pick<MediaService, 'referencedIn'>;
  /** Told after each committed write, so the book's public pages are rendered again. */
  changes?: ChangeFeed;
  now?: () => Date;
}

/** Everything the admin's book form sends: saved together, in one transaction. */
export interface BookDraft {
  fields: BookInput;
  authors: BookAuthorInput[];
  contents: TocEntryInput[];
  sources: { kind: 'category' | 'tag'; term: number | string }[];
}

/** What the admin's book form offers to choose from. */
export interface BookChoices {
  posts: { id: number; title: string; type: 'post' | 'page'; status: string }[];
  users: { id: number; name: string }[];
  photos: { id: number; name: string; alt: string }[];
  categories: { id: number; name: string }[];
  tags: { id: number; name: string }[];
}

type BookRow = Selectable<BooksTable>;
/** A book by its id or its slug. */
export type BookRef = number | string;

const MAKE_BOOKS: Capability = 'make_books';

/**
 * Books made from the blog's posts (issue 17): their fields, authors, table of contents
 * (parts and chapters, or a category or tag in date order) and `resolve`, which gives a
 * builder the chapters in reading order with their HTML and names what cannot be built.
 * Authors and editors make books (`make_books`); an author changes only their own, an
 * editor (`edit_any`) anyone's. Every multi-row write is one transaction.
 */
export class BookService {
  #db: Db;
  #markdown: MarkdownRenderer;
  #media: BookServiceDeps['media'];
  #now: () => Date;
  #changes: ChangeFeed | undefined;

  constructor(deps: BookServiceDeps) {
    this.#db = deps.db;
    this.#changes = deps.changes;
    this.#markdown = deps.markdown;
    this.#media = deps.media;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Makes a book; the slug comes from the title when not given, the identifier from the ISBN or a new UUID. */
  async create(actor: BookActor, input: BookInput): Promise<Book> {
    requireMakeBooks(actor);
    const id = await this.#db.transaction().execute(async (tx) => this.#insert(actor, input, tx));
    this.#changed(id);
    return this.#mustGet(id);
  }

  /**
   * Makes (`ref` null) or changes a book with its fields, authors, contents and sources
   * at once, in one transaction: all saved, or (with every field's problem named) none.
   */
  async save(actor: BookActor, ref: BookRef | null, draft: BookDraft): Promise<Book> {
    requireMakeBooks(actor);
    const id = await this.#db.transaction().execute(async (tx) => {
      const errors: Record<string, string> = {};
      const collect = async <T>(step: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await step();
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          Object.assign(errors, error.fields);
          return undefined;
        }
      };
      let row: BookRow | undefined;
      if (ref === null) {
        const id = await collect(() => this.#insert(actor, draft.fields, tx));
        row = id === undefined ? undefined : await findBook(tx, id);
      } else {
        row = await this.#mayChange(actor, ref, tx);
        const current = row;
        await collect(() => this.#updateFields(current, draft.fields, tx));
      }
      // Without a row (the fields were wrong on create) the rest is checked on a stand-in.
      const target = row ?? ({ id: 0 } as BookRow);
      const write = row !== undefined;
      await collect(() => this.#writeAuthors(target, draft.authors, tx, write));
      await collect(() => this.#writeContents(target, draft.contents, tx, write));
      await collect(() => this.#writeSources(target, draft.sources, tx, write));
      if (Object.keys(errors).length > 0 || !row) throw new ValidationError(errors);
      await this.#touch(row.id, tx);
      return row.id;
    });
    this.#changed(id);
    return this.#mustGet(id);
  }

  /** What the book form offers: posts and pages, users, photos of the library, categories and tags. */
  async choices(): Promise<BookChoices> {
    const [posts, users, photos, categories, tags] = await Promise.all([
      this.#db
        .selectFrom('posts')
        .select(['id', 'title', 'type', 'status'])
        // Not what is in the trash (issue 18).
        .where('trashed_at', 'is', null)
        .orderBy('type')
        .orderBy('title')
        .orderBy('id')
        .execute(),
      this.#db.selectFrom('users').select(['id', 'display_name']).orderBy('display_name').execute(),
      this.#db
        .selectFrom('media')
        .select(['id', 'original_name', 'path', 'alt'])
        .where('mime_type', 'like', 'image/%')
        .orderBy('id', 'desc')
        .execute(),
      this.#db.selectFrom('categories').select(['id', 'name']).orderBy('name').execute(),
      this.#db.selectFrom('tags').select(['id', 'name']).orderBy('name').execute(),
    ]);
    return {
      posts,
      users: users.map((u) => ({ id: u.id, name: u.display_name })),
      photos: photos.map((p) => ({ id: p.id, name: p.original_name || p.path.split('/').pop() || p.path, alt: p.alt })),
      categories,
      tags,
    };
  }

  /** Every book with a public page, by title. */
  async listPublic(): Promise<Book[]> {
    const rows = await this.#db.selectFrom('books').select('id').where('public', '=', 1).orderBy('title').execute();
    const books: Book[] = [];
    for (const row of rows) books.push(await this.#mustGet(row.id));
    return books;
  }

  async #insert(actor: BookActor, input: BookInput, tx: Db): Promise<number> {
    const fields = await this.#checkFields(input, undefined, tx);
    const slug = fields.slug ?? (await this.#freeSlug(slugify(fields.title, 'book'), tx));
    const now = this.#now().toISOString();
    const row = await tx
      .insertInto('books')
      .values({
        ...fields.values,
        slug,
        title: fields.title,
        language: fields.language,
        identifier: fields.identifier ?? `urn:uuid:${randomUUID()}`,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The writer who makes the book is its first author until the authors are set.
    const maker = await tx.selectFrom('users').select('display_name').where('id', '=', actor.id).executeTakeFirst();
    if (maker?.display_name.trim()) {
      await tx
        .insertInto('book_authors')
        .values({ book_id: row.id, position: 1, user_id: actor.id, name: maker.display_name, role: 'aut' })
        .execute();
    }
    return row.id;
  }

  async #updateFields(row: BookRow, input: BookInput, tx: Db): Promise<void> {
    const fields = await this.#checkFields(input, row, tx);
    await tx
      .updateTable('books')
      .set({
        ...fields.values,
        ...(fields.slug !== undefined ? { slug: fields.slug } : {}),
        title: fields.title,
        language: fields.language,
        ...(fields.identifier !== undefined ? { identifier: fields.identifier } : {}),
        updated_at: this.#now().toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
  }

  /** Tells the page cache that the book's pages (and the list of books) changed. */
  #changed(id: number): void {
    this.#changes?.publish({ kind: 'book', bookId: id });
  }

  /** Changes the fields given; `isbn: ''` replaces an ISBN with a new UUID. */
  async update(actor: BookActor, ref: BookRef, input: BookInput): Promise<Book> {
    const id = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#mayChange(actor, ref, tx);
      await this.#updateFields(row, input, tx);
      return row.id;
    });
    this.#changed(id);
    return this.#mustGet(id);
  }

  /** Removes a book with its authors, contents and sources (never a post). */
  async delete(actor: BookActor, ref: BookRef): Promise<void> {
    const id = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#mayChange(actor, ref, tx);
      await tx.deleteFrom('books').where('id', '=', row.id).execute();
      return row.id;
    });
    this.#changed(id);
  }

  /** Replaces a book's authors, in order: users of the blog or names given as text. */
  async setAuthors(actor: BookActor, ref: BookRef, authors: BookAuthorInput[]): Promise<Book> {
    const id = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#mayChange(actor, ref, tx);
      await this.#writeAuthors(row, authors, tx);
      await this.#touch(row.id, tx);
      return row.id;
    });
    this.#changed(id);
    return this.#mustGet(id);
  }

  /** Checks the authors and (when `write`) replaces the book's; a ValidationError names each wrong one. */
  async #writeAuthors(row: Pick<BookRow, 'id'>, authors: BookAuthorInput[], tx: Db, write = true): Promise<void> {
    const errors: Record<string, string> = {};
    if (authors.length > BOOK_LIMITS.authors)
      errors.authors = `A book can have at most ${BOOK_LIMITS.authors} authors.`;
    const values: {
      book_id: number;
      position: number;
      user_id: number | null;
      name: string;
      file_as: string;
      role: string;
    }[] = [];
    for (const [i, author] of authors.entries()) {
      const field = `authors.${i + 1}`;
      let name = author.name ?? '';
      if (author.userId !== undefined) {
        const user = await tx
          .selectFrom('users')
          .select('display_name')
          .where('id', '=', author.userId)
          .executeTakeFirst();
        if (!user) {
          errors[`${field}.user`] = `There is no user with the id ${author.userId}.`;
          continue;
        }
        if (name.trim() === '') name = user.display_name;
      }
      name = checkLine(errors, `${field}.name`, name, BOOK_LIMITS.authorName, 'A name');
      if (name === '' && !errors[`${field}.name`]) errors[`${field}.name`] = 'Please give the author’s name.';
      const fileAs = checkLine(errors, `${field}.fileAs`, author.fileAs ?? '', BOOK_LIMITS.authorName, '“File as”');
      const role: AuthorRole = author.role ?? 'aut';
      if (!AUTHOR_ROLES.includes(role))
        errors[`${field}.role`] = `The role must be one of ${AUTHOR_ROLES.join(', ')} (MARC relator codes).`;
      values.push({ book_id: row.id, position: i + 1, user_id: author.userId ?? null, name, file_as: fileAs, role });
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    if (!write) return;
    await tx.deleteFrom('book_authors').where('book_id', '=', row.id).execute();
    if (values.length > 0) await tx.insertInto('book_authors').values(values).execute();
  }

  /**
   * Replaces a book's table of contents: chapters (posts or pages by id or slug, or text
   * written for the book) and parts grouping chapters, in reading order. A post can be one
   * chapter only; a post that does not exist is refused, naming the entry.
   */
  async setContents(actor: BookActor, ref: BookRef, entries: TocEntryInput[]): Promise<TocEntry[]> {
    const id = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#mayChange(actor, ref, tx);
      await this.#writeContents(row, entries, tx);
      await this.#touch(row.id, tx);
      return row.id;
    });
    this.#changed(id);
    return this.contents(id);
  }

  /** Checks the table of contents and (when `write`) replaces the book's. */
  async #writeContents(row: Pick<BookRow, 'id'>, entries: TocEntryInput[], tx: Db, write = true): Promise<void> {
    const errors: Record<string, string> = {};
    const values: {
      book_id: number;
      position: number;
      kind: 'part' | 'chapter';
      title: string;
      post_id: number | null;
      body: string;
      body_html: string;
      part_position: number | null;
    }[] = [];
    const seen = new Map<number, number>();
    let position = 0;
    const addChapter = async (chapter: ChapterInput, partPosition: number | null) => {
      position += 1;
      const field = `entries.${position}`;
      if ('post' in chapter) {
        const post = await findPost(tx, chapter.post);
        if (!post)
          throw new HearthError('HEARTH_ERR_BOOK_POST_MISSING', { entry: position, post: String(chapter.post) });
        const first = seen.get(post.id);
        if (first !== undefined)
          throw new HearthError('HEARTH_ERR_BOOK_DUPLICATE_POST', { post: post.title, first, second: position });
        seen.set(post.id, position);
        values.push({
          book_id: row.id,
          position,
          kind: 'chapter',
          title: post.title,
          post_id: post.id,
          body: '',
          body_html: '',
          part_position: partPosition,
        });
        return;
      }
      const title = checkLine(errors, `${field}.title`, chapter.title ?? '', BOOK_LIMITS.title, 'A title');
      if (title === '' && !errors[`${field}.title`]) errors[`${field}.title`] = 'Please give the chapter a title.';
      const body = checkText(errors, `${field}.body`, chapter.body ?? '', BOOK_LIMITS.chapterBody, 'A chapter');
      values.push({
        book_id: row.id,
        position,
        kind: 'chapter',
        title,
        post_id: null,
        body,
        body_html: errors[`${field}.body`] ? '' : await this.#render(body, tx),
        part_position: partPosition,
      });
    };
    for (const entry of entries) {
      if ('part' in entry) {
        position += 1;
        const field = `entries.${position}`;
        const title = checkLine(errors, `${field}.title`, entry.part ?? '', BOOK_LIMITS.partTitle, 'A part’s title');
        if (title === '' && !errors[`${field}.title`]) errors[`${field}.title`] = 'Please give the part a title.';
        const partPosition = position;
        values.push({
          book_id: row.id,
          position,
          kind: 'part',
          title,
          post_id: null,
          body: '',
          body_html: '',
          part_position: null,
        });
        for (const chapter of entry.chapters ?? []) await addChapter(chapter, partPosition);
      } else {
        await addChapter(entry, null);
      }
    }
    if (position > BOOK_LIMITS.entries)
      errors.entries = `A book can have at most ${BOOK_LIMITS.entries} parts and chapters.`;
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    if (!write) return;
    await tx.deleteFrom('book_items').where('book_id', '=', row.id).execute();
    for (let i = 0; i < values.length; i += 200)
      await tx
        .insertInto('book_items')
        .values(values.slice(i, i + 200))
        .execute();
  }

  /**
   * Replaces the categories and tags (by id or slug) that feed the book: their published
   * posts become chapters after the chosen ones, oldest first.
   */
  async setSources(
    actor: BookActor,
    ref: BookRef,
    sources: { kind: 'category' | 'tag'; term: number | string }[],
  ): Promise<BookSource[]> {
    const id = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#mayChange(actor, ref, tx);
      await this.#writeSources(row, sources, tx);
      await this.#touch(row.id, tx);
      return row.id;
    });
    this.#changed(id);
    return this.sources(id);
  }

  /** Checks the categories and tags and (when `write`) replaces the book's. */
  async #writeSources(
    row: Pick<BookRow, 'id'>,
    sources: { kind: 'category' | 'tag'; term: number | string }[],
    tx: Db,
    write = true,
  ): Promise<void> {
    const values: { book_id: number; position: number; kind: 'category' | 'tag'; term_id: number }[] = [];
    for (const [i, source] of sources.entries()) {
      if (source.kind !== 'category' && source.kind !== 'tag')
        throw new ValidationError({ [`sources.${i + 1}.kind`]: 'A source is a category or a tag.' });
      const table = source.kind === 'category' ? 'categories' : 'tags';
      const term = await tx
        .selectFrom(table)
        .select('id')
        .where(typeof source.term === 'number' ? 'id' : 'slug', '=', source.term)
        .executeTakeFirst();
      if (!term)
        throw new HearthError('HEARTH_ERR_BOOK_TERM_MISSING', { kind: source.kind, term: String(source.term) });
      if (values.some((v) => v.kind === source.kind && v.term_id === term.id)) continue;
      values.push({ book_id: row.id, position: values.length + 1, kind: source.kind, term_id: term.id });
    }
    if (!write) return;
    await tx.deleteFrom('book_sources').where('book_id', '=', row.id).execute();
    if (values.length > 0) await tx.insertInto('book_sources').values(values).execute();
  }

  /** Every book, by title. */
  async list(): Promise<BookSummary[]> {
    const books = await this.#db.selectFrom('books').selectAll().orderBy('title').orderBy('id').execute();
    const items = await this.#db
      .selectFrom('book_items')
      .select(['book_id', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['book_id', 'kind'])
      .execute();
    const sources = await this.#db
      .selectFrom('book_sources')
      .leftJoin('categories', (j) =>
        j.onRef('categories.id', '=', 'book_sources.term_id').on('book_sources.kind', '=', 'category'),
      )
      .leftJoin('tags', (j) => j.onRef('tags.id', '=', 'book_sources.term_id').on('book_sources.kind', '=', 'tag'))
      .select([
        'book_sources.book_id',
        'book_sources.kind',
        'book_sources.term_id',
        'categories.slug as category',
        'tags.slug as tag',
      ])
      .orderBy('book_sources.book_id')
      .orderBy('book_sources.position')
      .execute();
    const count = (id: number, kind: string) => Number(items.find((i) => i.book_id === id && i.kind === kind)?.n ?? 0);
    return books.map((b) => ({
      id: b.id,
      slug: b.slug,
      title: b.title,
      chapters: count(b.id, 'chapter'),
      parts: count(b.id, 'part'),
      sources: sources
        .filter((s) => s.book_id === b.id)
        .map((s) => `${s.kind}:${s.category ?? s.tag ?? `#${s.term_id} (deleted)`}`),
      updatedAt: b.updated_at,
    }));
  }

  /** A book by id or slug, with its authors. */
  async get(ref: BookRef): Promise<Book | undefined> {
    const row = await findBook(this.#db, ref);
    if (!row) return undefined;
    const authors = await this.#db
      .selectFrom('book_authors')
      .selectAll()
      .where('book_id', '=', row.id)
      .orderBy('position')
      .execute();
    return toBook(
      row,
      authors.map((a) => ({ userId: a.user_id, name: a.name, fileAs: a.file_as, role: a.role })),
    );
  }

  /** A book's table of contents as stored, in reading order. */
  async contents(ref: BookRef): Promise<TocEntry[]> {
    const book = await this.#mustFind(ref);
    const rows = await this.#db
      .selectFrom('book_items')
      .selectAll()
      .where('book_id', '=', book.id)
      .orderBy('position')
      .execute();
    return rows.map((r) =>
      r.kind === 'part'
        ? { position: r.position, kind: 'part', title: r.title }
        : {
            position: r.position,
            kind: 'chapter',
            title: r.title,
            postId: r.post_id,
            body: r.body,
            bodyHtml: r.body_html,
            partPosition: r.part_position,
          },
    );
  }

  /** The categories and tags that feed a book, in order. */
  async sources(ref: BookRef): Promise<BookSource[]> {
    const book = await this.#mustFind(ref);
    const rows = await this.#db
      .selectFrom('book_sources')
      .selectAll()
      .where('book_id', '=', book.id)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({ kind: r.kind, termId: r.term_id }));
  }

  /**
   * The book as a builder needs it: parts, and the chapters in reading order with their
   * title and HTML (a post's as the blog stores it, or the book's own text), then the
   * published posts of its categories and tags, oldest first (a post already chosen is
   * not repeated). A chapter whose post was deleted or is not published (draft, scheduled),
   * or a category or tag that is gone, is left out of `chapters` and listed in `missing`.
   */
  async resolve(ref: BookRef): Promise<ResolvedBook> {
    const book = await this.get(ref);
    if (!book) throw new HearthError('HEARTH_ERR_BOOK_MISSING', { book: String(ref) });
    const now = this.#now().toISOString();
    const items = await this.contents(book.id);
    const postIds = items.flatMap((i) => (i.kind === 'chapter' && i.postId !== null ? [i.postId] : []));
    const posts = new Map(
      (postIds.length === 0
        ? []
        : await this.#db
            .selectFrom('posts')
            .select(['id', 'slug', 'title', 'html', 'status', 'published_at'])
            .where('id', 'in', postIds)
            .execute()
      ).map((p) => [p.id, p]),
    );
    const published = (p: { status: string; published_at: string | null }) =>
      p.status === 'published' && p.published_at !== null && p.published_at <= now;
    const chapters: ResolvedChapter[] = [];
    const missing: MissingChapter[] = [];
    for (const item of items) {
      if (item.kind === 'part') continue;
      if (item.postId === null) {
        chapters.push({
          position: item.position,
          partPosition: item.partPosition,
          origin: 'text',
          title: item.title,
          html: item.bodyHtml,
          postId: null,
          slug: null,
          publishedAt: null,
        });
        continue;
      }
      const post = posts.get(item.postId);
      if (!post) {
        missing.push({ reason: 'deleted', position: item.position, postId: item.postId, title: item.title });
      } else if (!published(post)) {
        missing.push({ reason: 'unpublished', position: item.position, postId: post.id, title: post.title });
      } else {
        chapters.push({
          position: item.position,
          partPosition: item.partPosition,
          origin: 'post',
          title: post.title,
          html: post.html,
          postId: post.id,
          slug: post.slug,
          publishedAt: post.published_at,
        });
      }
    }
    const chosen = new Set(postIds);
    for (const source of await this.sources(book.id)) {
      const table = source.kind === 'category' ? 'categories' : 'tags';
      const term = await this.#db.selectFrom(table).select('id').where('id', '=', source.termId).executeTakeFirst();
      if (!term) {
        missing.push({
          reason: 'source-deleted',
          position: null,
          postId: null,
          title: `${source.kind} ${source.termId}`,
        });
        continue;
      }
      let query = this.#db
        .selectFrom('posts')
        .select(['posts.id', 'posts.slug', 'posts.title', 'posts.html', 'posts.published_at'])
        .where('posts.type', '=', 'post')
        .where('posts.status', '=', 'published')
        .where('posts.published_at', '<=', now);
      query =
        source.kind === 'category'
          ? query.where('posts.category_id', '=', source.termId)
          : query.where((eb) =>
              eb.exists(
                eb
                  .selectFrom('post_tags')
                  .select('post_tags.post_id')
                  .whereRef('post_tags.post_id', '=', 'posts.id')
                  .where('post_tags.tag_id', '=', source.termId),
              ),
            );
      for (const post of await query.orderBy('posts.published_at').orderBy('posts.id').execute()) {
        if (chosen.has(post.id)) continue;
        chosen.add(post.id);
        chapters.push({
          position: null,
          partPosition: null,
          origin: 'source',
          title: post.title,
          html: post.html,
          postId: post.id,
          slug: post.slug,
          publishedAt: post.published_at,
        });
      }
    }
    const parts = items.flatMap((i) => (i.kind === 'part' ? [{ position: i.position, title: i.title }] : []));
    return { book, parts, chapters, missing };
  }

  async #mustGet(id: number): Promise<Book> {
    const book = await this.get(id);
    if (!book) throw new HearthError('HEARTH_ERR_BOOK_MISSING', { book: String(id) });
    return book;
  }

  /** The book, if this person may change it (and so build it); refused as a change would be. */
  async authorize(actor: BookActor, ref: BookRef): Promise<Book> {
    const row = await this.#mayChange(actor, ref, this.#db);
    return (await this.get(row.id)) as Book;
  }

  async #mustFind(ref: BookRef): Promise<BookRow> {
    const row = await findBook(this.#db, ref);
    if (!row) throw new HearthError('HEARTH_ERR_BOOK_MISSING', { book: String(ref) });
    return row;
  }

  /** The book, if this person may change it: make_books, and their own book or edit_any. */
  async #mayChange(actor: BookActor, ref: BookRef, tx: Db): Promise<BookRow> {
    requireMakeBooks(actor);
    const row = await findBook(tx, ref);
    if (!row) throw new HearthError('HEARTH_ERR_BOOK_MISSING', { book: String(ref) });
    if (row.created_by !== actor.id && !can(actor.role, 'edit_any'))
      throw new HearthError('HEARTH_ERR_BOOK_NOT_YOURS', { book: row.slug, role: actor.role });
    return row;
  }

  /** Checks the fields given (all on create), merged over the stored row on update. */
  async #checkFields(input: BookInput, current: BookRow | undefined, tx: Db) {
    const errors: Record<string, string> = {};
    const values: {
      subtitle?: string;
      description?: string;
      publisher?: string;
      rights?: string;
      subjects?: string;
      cover_media_id?: number | null;
      cover_mode?: 'upload' | 'drawn';
      page_size?: PageSize;
      front_matter?: string;
      front_matter_html?: string;
      public?: number;
      offer_downloads?: number;
    } = {};
    const title = checkLine(errors, 'title', input.title ?? current?.title ?? '', BOOK_LIMITS.title, 'A title');
    if (title === '' && !errors.title) errors.title = 'Please give the book a title.';
    if (input.subtitle !== undefined)
      values.subtitle = checkLine(errors, 'subtitle', input.subtitle, BOOK_LIMITS.subtitle, 'A subtitle');
    if (input.description !== undefined)
      values.description = checkText(
        errors,
        'description',
        input.description.trim(),
        BOOK_LIMITS.description,
        'A description',
      );
    if (input.publisher !== undefined)
      values.publisher = checkLine(errors, 'publisher', input.publisher, BOOK_LIMITS.publisher, 'A publisher');
    if (input.rights !== undefined)
      values.rights = checkText(errors, 'rights', input.rights.trim(), BOOK_LIMITS.rights, 'The rights');
    let slug: string | undefined;
    if (input.slug !== undefined && input.slug.trim() !== '') {
      slug = checkSlug(errors, input.slug);
      if (slug !== undefined && slug !== current?.slug) {
        const taken = await tx.selectFrom('books').select('id').where('slug', '=', slug).executeTakeFirst();
        if (taken) throw new HearthError('HEARTH_ERR_BOOK_SLUG_TAKEN', { slug, field: 'slug' });
      }
    }
    const typedLanguage = input.language ?? current?.language ?? '';
    const language = canonicalLanguage(typedLanguage) ?? '';
    if (typedLanguage.trim() === '') errors.language = 'Please give the book’s language, e.g. en or en-GB.';
    else if (language === '')
      errors.language = `“${typedLanguage.trim()}” is not a language tag (BCP 47), such as en, en-GB or pt-BR.`;
    let identifier: string | undefined;
    if (input.isbn !== undefined) {
      if (input.isbn.trim() === '') {
        if (!current || current.identifier.startsWith('urn:isbn:')) identifier = `urn:uuid:${randomUUID()}`;
      } else {
        const isbn = parseIsbn(input.isbn);
        if ('reason' in isbn) errors.isbn = `“${input.isbn.trim()}” is not an ISBN. ${isbn.reason}`;
        else identifier = isbn.urn;
      }
    }
    if (input.subjects !== undefined) {
      const subjects: string[] = [];
      if (!Array.isArray(input.subjects)) errors.subjects = 'Subjects are a list of words or phrases.';
      else {
        if (input.subjects.length > BOOK_LIMITS.subjects)
          errors.subjects = `A book can have at most ${BOOK_LIMITS.subjects} subjects.`;
        for (const subject of input.subjects) {
          const text = checkLine(errors, 'subjects', String(subject), BOOK_LIMITS.subject, 'A subject');
          if (text !== '' && !subjects.includes(text)) subjects.push(text);
        }
      }
      values.subjects = JSON.stringify(subjects);
    }
    if (input.coverMode !== undefined) {
      if (input.coverMode !== 'upload' && input.coverMode !== 'drawn')
        errors.coverMode = 'The cover is either an uploaded photo (upload) or drawn by Hearth (drawn).';
      else values.cover_mode = input.coverMode;
    }
    if (input.pageSize !== undefined) {
      if (!(PAGE_SIZES as readonly unknown[]).includes(input.pageSize))
        errors.pageSize = 'The page size is one of a5, us-trade (6 x 9 in), a4 or letter.';
      else values.page_size = input.pageSize;
    }
    if (input.coverMediaId !== undefined) {
      values.cover_media_id = input.coverMediaId;
      if (input.coverMediaId !== null) {
        const photo = await tx
          .selectFrom('media')
          .select('mime_type')
          .where('id', '=', input.coverMediaId)
          .executeTakeFirst();
        if (!photo) errors.coverMediaId = `There is no photo with the id ${input.coverMediaId} in the media library.`;
        else if (!photo.mime_type.startsWith('image/')) errors.coverMediaId = 'The cover must be a photo.';
      }
    }
    const coverMode = values.cover_mode ?? current?.cover_mode ?? 'drawn';
    const cover = values.cover_media_id === undefined ? (current?.cover_media_id ?? null) : values.cover_media_id;
    if (coverMode === 'upload' && cover === null && !errors.coverMediaId && !errors.coverMode)
      errors.coverMediaId = 'An uploaded cover needs a photo: choose one, or let Hearth draw the cover.';
    if (input.frontMatter !== undefined) {
      values.front_matter = checkText(
        errors,
        'frontMatter',
        input.frontMatter,
        BOOK_LIMITS.frontMatter,
        'The front matter',
      );
      if (!errors.frontMatter) values.front_matter_html = await this.#render(values.front_matter, tx);
    }
    if (input.public !== undefined) values.public = input.public ? 1 : 0;
    if (input.offerDownloads !== undefined) values.offer_downloads = input.offerDownloads ? 1 : 0;
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return { title, slug, language, identifier, values };
  }

  /** Markdown through the posts' pipeline: the library's photos sized, `post:slug` links made addresses. */
  async #render(markdown: string, tx: Db): Promise<string> {
    if (markdown.trim() === '') return '';
    const images = await this.#media.referencedIn(markdown, tx);
    return this.#markdown.render(markdown, {
      image: (src) => images.get(src),
      link: (href) => (href.startsWith('post:') ? urls.post(href.slice(5)) : undefined),
    });
  }

  async #touch(id: number, tx: Db): Promise<void> {
    await tx.updateTable('books').set({ updated_at: this.#now().toISOString() }).where('id', '=', id).execute();
  }

  async #freeSlug(base: string, tx: Db): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const row = await tx.selectFrom('books').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!row) return slug;
    }
  }
}

function requireMakeBooks(actor: BookActor): void {
  if (!can(actor.role, MAKE_BOOKS))
    throw new HearthError('HEARTH_ERR_FORBIDDEN', { role: actor.role, capability: MAKE_BOOKS });
}

async function findBook(db: Db, ref: BookRef): Promise<BookRow | undefined> {
  if (typeof ref === 'number') {
    if (!Number.isSafeInteger(ref)) return undefined;
    return db.selectFrom('books').selectAll().where('id', '=', ref).executeTakeFirst();
  }
  return db.selectFrom('books').selectAll().where('slug', '=', ref.normalize('NFC')).executeTakeFirst();
}

async function findPost(db: Db, ref: number | string) {
  const query = db.selectFrom('posts').select(['id', 'title']);
  if (typeof ref === 'number')
    return Number.isSafeInteger(ref) ? query.where('id', '=', ref).executeTakeFirst() : undefined;
  return query.where('slug', '=', ref.trim().normalize('NFC')).executeTakeFirst();
}

function toBook(row: BookRow, authors: BookAuthor[]): Book {
  let subjects: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.subjects);
    if (Array.isArray(parsed)) subjects = parsed.map(String);
  } catch {
    // A hand-edited row: no subjects rather than a crash.
  }
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    language: row.language,
    description: row.description,
    publisher: row.publisher,
    rights: row.rights,
    identifier: row.identifier,
    subjects,
    coverMediaId: row.cover_media_id,
    coverMode: row.cover_mode,
    pageSize: row.page_size,
    frontMatter: row.front_matter,
    frontMatterHtml: row.front_matter_html,
    public: row.public === 1,
    offerDownloads: row.offer_downloads === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    authors,
  };
}
