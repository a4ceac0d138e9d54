import type { MarkdownRenderer } from '../../content/markdown/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { slugify } from '../../shared/slug.js';
import { toStoredTime } from '../../shared/time.js';
import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService } from '../media/index.js';
import { addRedirect } from '../redirects/index.js';
import type { TaxonomyService } from '../taxonomy/index.js';
import { authorWithAvatar, noteAuthor, type PostRowWithJoins, selectPosts, toSummary } from './post-columns.js';
import { type ListFilter, PublishedReads } from './published-reads.js';
import type { ExportedPost, ListQuery, NewPostInput, Page, Post, PostPatch, PostSummary } from './types.js';

export interface PostServiceDeps {
  db: Db;
  markdown: MarkdownRenderer;
  media: MediaService;
  taxonomy: TaxonomyService;
  changes: ChangeFeed;
  /** Keeps the full-text index in step, inside the transaction that writes the post. */
  search: { indexPost(db: Db, postId: number): Promise<void> };
  /** Keeps "You might also like" in step, in the same transaction. */
  related: { postChanged(db: Db, postId: number): Promise<void>; rebuild(db: Db): Promise<unknown> };
  /** The clock, so that tests can move time. */
  now?: () => Date;
}

/** Posts and pages: writing them, and reading what is published. */
export class PostService {
  #db: Db;
  #markdown: MarkdownRenderer;
  #media: MediaService;
  #taxonomy: TaxonomyService;
  #changes: ChangeFeed;
  #search: PostServiceDeps['search'];
  #related: PostServiceDeps['related'];
  #now: () => Date;
  #reads: PublishedReads;

  constructor(deps: PostServiceDeps) {
    this.#db = deps.db;
    this.#markdown = deps.markdown;
    this.#media = deps.media;
    this.#taxonomy = deps.taxonomy;
    this.#changes = deps.changes;
    this.#search = deps.search;
    this.#related = deps.related;
    this.#now = deps.now ?? (() => new Date());
    this.#reads = new PublishedReads(deps.db);
  }

  /** Creates a post with its tags in one transaction; the body is rendered once, here. */
  async create(input: NewPostInput, db?: Db): Promise<{ id: number; slug: string }> {
    return this.#create(input, db, true);
  }

  /**
   * Creates many posts in one transaction (an import): all or none. Related posts are
   * computed once for the whole site at the end, not post by post.
   */
  async createMany(inputs: NewPostInput[]): Promise<{ id: number; slug: string }[]> {
    const created = await this.#db.transaction().execute(async (tx) => {
      const out: { id: number; slug: string }[] = [];
      for (const input of inputs) out.push(await this.#create(input, tx, false));
      await this.#related.rebuild(tx);
      return out;
    });
    this.#changes.publish({ kind: 'site' });
    return created;
  }

  /**
   * Creates an imported post inside the import's transaction: its slug is made free (`-2`, `-3`)
   * when taken, and related posts are left for the importer to compute once at the end
   * (`related.rebuild`). The caller announces the change once its transaction commits.
   */
  async importPost(input: NewPostInput, tx: Db): Promise<{ id: number; slug: string }> {
    const slug = input.slug ? await this.#freeSlug(input.slug, tx) : undefined;
    return this.#create({ ...input, slug }, tx, false);
  }

  async #create(input: NewPostInput, db: Db | undefined, related: boolean): Promise<{ id: number; slug: string }> {
    const { title, publishedAt } = checkPost(input);
    const write = async (tx: Db) => {
      const slug = input.slug ?? (await this.#freeSlug(slugify(title), tx));
      await this.#checkSlugFree(slug, undefined, tx);
      const now = this.#now().toISOString();
      const row = await tx
        .insertInto('posts')
        .values({
          type: input.type ?? 'post',
          slug,
          title,
          excerpt: input.excerpt?.trim() ?? '',
          body: input.body,
          html: await this.#render(input.body, tx),
          status: input.status,
          published_at: publishedAt,
          created_at: input.createdAt ?? now,
          updated_at: input.updatedAt ?? input.createdAt ?? now,
          feature_image_id: input.featureImageId ?? null,
          feature_image_alt: input.featureImageAlt ?? null,
          category_id: input.categoryId ?? null,
          author_id: input.authorId,
          editor_note: input.editorNote?.body ?? null,
          editor_note_html: input.editorNote ? await this.#render(input.editorNote.body, tx) : null,
          editor_note_author_id: input.editorNote?.authorId ?? null,
          seo_title: input.seoTitle?.trim() || null,
          seo_description: input.seoDescription?.trim() || null,
          comments_enabled: input.commentsEnabled === false ? 0 : 1,
          parent_id: input.parentId ?? null,
          menu_order: input.menuOrder ?? 0,
          featured: input.featured ? 1 : 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#writeTags(row.id, input.tags ?? [], tx);
      await this.#search.indexPost(tx, row.id);
      if (related) await this.#related.postChanged(tx, row.id);
      return row;
    };
    const row = db ? await write(db) : await this.#db.transaction().execute(write);
    // Inside a caller's transaction the caller announces the change once it commits.
    if (!db) this.#changes.publish({ kind: 'post', postId: row.id });
    return { id: row.id, slug: row.slug };
  }

  /**
   * Changes a post: only the fields given, in one transaction. With `expectedUpdatedAt`
   * (the time the writer's copy was saved), a post saved by someone else since is not
   * overwritten: HEARTH_ERR_POST_CONFLICT. A public post's new slug leaves a permanent
   * redirect from its old address. Inside a caller's transaction (`db`) the caller
   * announces the change.
   */
  async update(id: number, patch: PostPatch, db?: Db): Promise<{ id: number; slug: string; updatedAt: string }> {
    const write = async (tx: Db) => {
      const current = await tx.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
      if (!current) throw new HearthError('HEARTH_ERR_POST_MISSING', { id });
      if (patch.expectedUpdatedAt !== undefined && patch.expectedUpdatedAt !== current.updated_at)
        throw new HearthError('HEARTH_ERR_POST_CONFLICT', { updatedAt: current.updated_at });
      const merged = {
        title: patch.title ?? current.title,
        status: patch.status ?? current.status,
        publishedAt: patch.publishedAt === undefined ? current.published_at : patch.publishedAt,
      };
      const { title, publishedAt } = checkPost(merged);
      const slug = patch.slug ?? current.slug;
      if (slug !== current.slug) {
        await this.#checkSlugFree(slug, id, tx);
        const wasPublic =
          current.status === 'published' &&
          current.published_at !== null &&
          current.published_at <= this.#now().toISOString();
        if (wasPublic) await this.#redirect(urls.post(current.slug), urls.post(slug), tx);
      }
      // Strictly later than the last save, so that two saves in one millisecond still differ.
      const last = Date.parse(current.updated_at);
      const updatedAt = new Date(Math.max(this.#now().getTime(), last + 1)).toISOString();
      const note = patch.editorNote === undefined ? undefined : patch.editorNote;
      await tx
        .updateTable('posts')
        .set({
          title,
          slug,
          status: merged.status,
          published_at: publishedAt,
          updated_at: updatedAt,
          ...(patch.excerpt === undefined ? {} : { excerpt: patch.excerpt.trim() }),
          ...(patch.body === undefined ? {} : { body: patch.body, html: await this.#render(patch.body, tx) }),
          ...(patch.featureImageId === undefined ? {} : { feature_image_id: patch.featureImageId }),
          ...(patch.featureImageAlt === undefined ? {} : { feature_image_alt: patch.featureImageAlt }),
          ...(patch.categoryId === undefined ? {} : { category_id: patch.categoryId }),
          ...(patch.authorId === undefined ? {} : { author_id: patch.authorId }),
          ...(note === undefined
            ? {}
            : {
                editor_note: note?.body ?? null,
                editor_note_html: note ? await this.#render(note.body, tx) : null,
                editor_note_author_id: note?.authorId ?? null,
              }),
          ...(patch.seoTitle === undefined ? {} : { seo_title: patch.seoTitle?.trim() || null }),
          ...(patch.seoDescription === undefined ? {} : { seo_description: patch.seoDescription?.trim() || null }),
          ...(patch.commentsEnabled === undefined ? {} : { comments_enabled: patch.commentsEnabled ? 1 : 0 }),
        })
        .where('id', '=', id)
        .execute();
      if (patch.tags !== undefined) {
        await tx.deleteFrom('post_tags').where('post_id', '=', id).execute();
        await this.#writeTags(id, patch.tags, tx);
      }
      await this.#indexes(id, tx);
      return { id, slug, updatedAt };
    };
    if (db) return write(db); // the caller announces the change once its transaction commits
    const result = await this.#db.transaction().execute(write);
    this.#changes.publish({ kind: 'post', postId: id });
    return result;
  }

  /** A published post or page by slug; undefined when none is public. */
  async publishedBySlug(slug: string): Promise<Post | undefined> {
    return this.#full(await this.#reads.bySlug(slug, this.#now().toISOString()));
  }

  /** Slugs and titles of posts by id (for lists that name posts). */
  async slugsAndTitles(ids: number[]): Promise<Map<number, { slug: string; title: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('posts').select(['id', 'slug', 'title']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, { slug: r.slug, title: r.title }]));
  }

  /** Ids of published posts (not pages) by slug; slugs that name none are left out. */
  async idsBySlug(slugs: string[]): Promise<Map<string, number>> {
    if (slugs.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('posts')
      .select(['id', 'slug'])
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .where('slug', 'in', slugs)
      .execute();
    return new Map(rows.map((r) => [r.slug, r.id]));
  }

  /** Where an old address of a post leads now, if it moved. */
  async redirectFor(path: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('redirects')
      .select('to_path')
      .where('from_path', '=', path)
      .executeTakeFirst();
    return row?.to_path;
  }

  async publishedById(id: number): Promise<Post | undefined> {
    return this.#full(await this.#reads.byId(id, this.#now().toISOString()));
  }

  /** How many posts and pages there are, and the highest id (an export numbers photos after it). */
  async exportStats(): Promise<{ count: number; maxId: number }> {
    const row = await this.#db
      .selectFrom('posts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('max')])
      .executeTakeFirst();
    return { count: Number(row?.n ?? 0), maxId: Number(row?.max ?? 0) };
  }

  /**
   * Posts and pages in every state, by id, `limit` at a time after `afterId`: an export pages
   * through a large site without holding it. Bodies are the stored rendered HTML.
   */
  async exportPage(afterId: number, limit: number): Promise<ExportedPost[]> {
    const rows = await this.#db
      .selectFrom('posts')
      .select([
        'id',
        'type',
        'slug',
        'title',
        'excerpt',
        'html',
        'status',
        'published_at',
        'created_at',
        'updated_at',
        'author_id',
        'category_id',
        'feature_image_id',
        'featured',
        'parent_id',
        'menu_order',
        'comments_enabled',
        'trashed_at',
      ])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      slug: r.slug,
      title: r.title,
      excerpt: r.excerpt,
      html: r.html,
      status: r.status,
      publishedAt: r.published_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      authorId: r.author_id,
      categoryId: r.category_id,
      featureImageId: r.feature_image_id,
      featured: Number(r.featured) === 1,
      parentId: r.parent_id,
      menuOrder: Number(r.menu_order),
      commentsEnabled: Number(r.comments_enabled) === 1,
      trashed: r.trashed_at !== null,
    }));
  }

  /** A post or page in whatever state it is (a draft for its private preview link). */
  async anyById(id: number): Promise<Post | undefined> {
    return this.#full(await selectPosts(this.#db).where('posts.id', '=', id).executeTakeFirst());
  }

  /**
   * Publishes every scheduled post whose time has come. Each is claimed by one update
   * that only a still-scheduled row matches, so with several instances (or a tick that
   * overlaps another) each post is published exactly once, by whoever changed the row.
   * Returns the posts this call published.
   */
  async publishDue(): Promise<{ id: number; title: string; authorId: number }[]> {
    const now = this.#now().toISOString();
    const due = await this.#db
      .selectFrom('posts')
      .select(['id', 'title', 'author_id'])
      .where('status', '=', 'scheduled')
      .where('published_at', '<=', now)
      .orderBy('published_at')
      .execute();
    const published: { id: number; title: string; authorId: number }[] = [];
    for (const post of due) {
      const claimed = await this.#db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('posts')
          .set({ status: 'published' })
          .where('id', '=', post.id)
          .where('status', '=', 'scheduled')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await this.#indexes(post.id, tx);
        return true;
      });
      if (claimed) {
        published.push({ id: post.id, title: post.title, authorId: post.author_id });
        this.#changes.publish({ kind: 'post', postId: post.id });
      }
    }
    return published;
  }

  /**
   * Published posts whose time fell in (after, upTo]: they became public without a write,
   * so whoever keeps pages must hear of them.
   */
  async cameDue(after: string, upTo: string): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('posts')
      .select('id')
      .where('status', '=', 'published')
      .where('published_at', '>', after)
      .where('published_at', '<=', upTo)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The soonest time after `after` at which a post becomes public (scheduled or published ahead). */
  async nextDue(after: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('posts')
      .select((eb) => eb.fn.min('published_at').as('at'))
      .where('status', 'in', ['scheduled', 'published'])
      .where('published_at', '>', after)
      .executeTakeFirst();
    return row?.at ?? undefined;
  }

  async #full(row: PostRowWithJoins | undefined): Promise<Post | undefined> {
    if (!row) return undefined;
    const summary = toSummary(row);
    const tags = await this.#reads.tags(row.id);
    return {
      id: summary.id,
      type: summary.type,
      slug: summary.slug,
      title: summary.title,
      excerpt: summary.excerpt,
      status: summary.status,
      publishedAt: summary.publishedAt,
      updatedAt: summary.updatedAt,
      category: summary.category,
      featureImage: summary.featureImage,
      author: authorWithAvatar(row, summary),
      html: row.html,
      tags,
      editorNote: row.editor_note_html ? { html: row.editor_note_html, author: noteAuthor(row) } : undefined,
      seoTitle: row.seo_title,
      seoDescription: row.seo_description,
      commentsEnabled: row.comments_enabled === 1,
    };
  }

  /** One page of published posts, newest first, optionally in a category, tag or by an author. */
  async listPublished(query: ListQuery): Promise<Page<PostSummary>> {
    if (!Number.isSafeInteger(query.perPage) || query.perPage < 1)
      throw new Error('perPage must be a positive integer');
    const filter: ListFilter =
      query.categoryId !== undefined
        ? { kind: 'category', id: query.categoryId }
        : query.tagId !== undefined
          ? { kind: 'tag', id: query.tagId }
          : query.authorId !== undefined
            ? { kind: 'author', id: query.authorId }
            : undefined;
    const { total, rows } = await this.#reads.list(
      filter,
      this.#now().toISOString(),
      query.perPage,
      (query.page - 1) * query.perPage,
    );
    return {
      items: rows.map(toSummary),
      total,
      page: query.page,
      pages: Math.max(1, Math.ceil(total / query.perPage)),
    };
  }

  /**
   * "You might also like": the writer's pins, then the most related published posts
   * (by words, tags, category and time; kept by domain/related as posts change).
   */
  async related(post: Post, limit = 3): Promise<PostSummary[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) return [];
    const rows = await this.#reads.related(post.id, this.#now().toISOString(), limit);
    return rows.map(toSummary);
  }

  /**
   * Cards show a photo: a post without a feature image gets the first library photo of its
   * body, with the alt text the body gives it. One query for those bodies, one for the photos.
   */
  async withFirstPhotos(posts: PostSummary[]): Promise<PostSummary[]> {
    const bare = posts.filter((p) => !p.featureImage).map((p) => p.id);
    if (bare.length === 0) return posts;
    const rows = await this.#db.selectFrom('posts').select(['id', 'body']).where('id', 'in', bare).execute();
    const first = new Map<number, { src: string; alt: string }>();
    for (const r of rows) {
      const m = /!\[((?:\\.|[^\]\\])*)\]\(\s*<?(\/media\/[^\s)"'>]+)/.exec(r.body);
      if (m) first.set(r.id, { alt: (m[1] ?? '').replace(/\\(.)/g, '$1'), src: m[2] as string });
    }
    if (first.size === 0) return posts;
    const images = await this.#media.referencedIn([...first.values()].map((f) => f.src).join('\n'));
    return posts.map((p) => {
      const f = first.get(p.id);
      const image = f && images.get(f.src);
      return f && image ? { ...p, featureImage: { ...image, alt: f.alt || image.alt } } : p;
    });
  }

  /**
   * Renders the stored HTML of posts again from their Markdown, as they are (not a save:
   * no new time or revision), in the caller's transaction: a library photo they show
   * changed its alt text or caption. The caller announces the change.
   */
  async rerender(ids: number[], tx: Db): Promise<void> {
    if (ids.length === 0) return;
    const rows = await tx.selectFrom('posts').select(['id', 'body', 'editor_note']).where('id', 'in', ids).execute();
    for (const r of rows) {
      await tx
        .updateTable('posts')
        .set({
          html: await this.#render(r.body, tx),
          editor_note_html: r.editor_note ? await this.#render(r.editor_note, tx) : null,
        })
        .where('id', '=', r.id)
        .execute();
    }
  }

  /** Markdown as a post shows it, with library photos as `<picture>`: the editor's live preview. */
  async renderPreview(markdown: string): Promise<string> {
    return this.#render(markdown, this.#db);
  }

  async #render(markdown: string, db: Db): Promise<string> {
    const images = await this.#media.referencedIn(markdown, db);
    return this.#markdown.render(markdown, {
      image: (src) => images.get(src),
      link: (href) => (href.startsWith('post:') ? urls.post(href.slice(5)) : undefined),
    });
  }

  async #writeTags(postId: number, names: string[], tx: Db): Promise<void> {
    const tags = await this.#taxonomy.ensureTags(names, tx);
    if (tags.length > 0) {
      await tx
        .insertInto('post_tags')
        .values(tags.map((t, position) => ({ post_id: postId, tag_id: t.id, position })))
        .execute();
    }
  }

  /** The search index and related posts, in the transaction of the write. */
  async #indexes(postId: number, tx: Db): Promise<void> {
    await this.#search.indexPost(tx, postId);
    await this.#related.postChanged(tx, postId);
  }

  async #checkSlugFree(slug: string, ownId: number | undefined, tx: Db): Promise<void> {
    const taken = await tx
      .selectFrom('posts')
      .select(['id', 'title', 'trashed_at'])
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (taken && taken.id !== ownId) {
      // A trashed post keeps its slug until it is deleted for good (it can come back).
      if (taken.trashed_at !== null)
        throw new HearthError('HEARTH_ERR_SLUG_IN_TRASH', { slug, title: taken.title, field: 'slug' });
      throw new HearthError('HEARTH_ERR_SLUG_TAKEN', { slug, field: 'slug' });
    }
  }

  async #redirect(from: string, to: string, tx: Db): Promise<void> {
    await addRedirect(tx, from, to, this.#now().toISOString());
  }

  async #freeSlug(base: string, db: Db): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const row = await db.selectFrom('posts').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!row) return slug;
    }
  }
}

/** Checks what every saved post needs; returns the cleaned title and the stored time. */
function checkPost(input: { title: string; status: string; publishedAt?: string | null }): {
  title: string;
  publishedAt: string | null;
} {
  const errors: Record<string, string> = {};
  const title = input.title.trim();
  if (title === '') errors.title = 'Please give the post a title.';
  if (title.length > 250) errors.title = 'A title can be at most 250 characters.';
  const publishedAt = input.publishedAt ? toStoredTime(input.publishedAt) : null;
  if (input.publishedAt && !publishedAt) errors.publishedAt = 'This is not a valid date and time.';
  else if (input.status !== 'draft' && !publishedAt) errors.publishedAt = 'A published or scheduled post needs a time.';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { title, publishedAt: publishedAt ?? null };
}
