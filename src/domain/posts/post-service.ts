import { HearthError, ValidationError } from '../../errors.js';
import type { MarkdownRenderer } from '../../render/markdown/index.js';
import { slugify } from '../../shared/slug.js';
import { toStoredTime } from '../../shared/time.js';
import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService } from '../media/index.js';
import type { TaxonomyService } from '../taxonomy/index.js';
import { authorWithAvatar, noteAuthor, type PostRowWithJoins, toSummary } from './post-columns.js';
import { type ListFilter, PublishedReads } from './published-reads.js';
import type { ListQuery, NewPostInput, Page, Post, PostSummary } from './types.js';

export interface PostServiceDeps {
  db: Db;
  markdown: MarkdownRenderer;
  media: MediaService;
  taxonomy: TaxonomyService;
  changes: ChangeFeed;
  /** Keeps the full-text index in step, inside the transaction that writes the post. */
  search: { indexPost(db: Db, postId: number): Promise<void> };
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
  #now: () => Date;
  #reads: PublishedReads;

  constructor(deps: PostServiceDeps) {
    this.#db = deps.db;
    this.#markdown = deps.markdown;
    this.#media = deps.media;
    this.#taxonomy = deps.taxonomy;
    this.#changes = deps.changes;
    this.#search = deps.search;
    this.#now = deps.now ?? (() => new Date());
    this.#reads = new PublishedReads(deps.db);
  }

  /** Creates a post with its tags in one transaction; the body is rendered once, here. */
  async create(input: NewPostInput, db?: Db): Promise<{ id: number; slug: string }> {
    const errors: Record<string, string> = {};
    const title = input.title.trim();
    if (title === '') errors.title = 'Please give the post a title.';
    if (title.length > 250) errors.title = 'A title can be at most 250 characters.';
    const publishedAt = input.publishedAt ? toStoredTime(input.publishedAt) : null;
    if (input.publishedAt && !publishedAt) errors.publishedAt = 'This is not a valid date and time.';
    else if (input.status !== 'draft' && !publishedAt)
      errors.publishedAt = 'A published or scheduled post needs a time.';
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    const write = async (tx: Db) => {
      const slug = input.slug ?? (await this.#freeSlug(slugify(title), tx));
      const taken = await tx.selectFrom('posts').select('id').where('slug', '=', slug).executeTakeFirst();
      if (taken) throw new HearthError('HEARTH_ERR_SLUG_TAKEN', { slug, field: 'slug' });
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
          published_at: publishedAt ?? null,
          created_at: now,
          updated_at: now,
          feature_image_id: input.featureImageId ?? null,
          feature_image_alt: input.featureImageAlt ?? null,
          category_id: input.categoryId ?? null,
          author_id: input.authorId,
          editor_note: input.editorNote?.body ?? null,
          editor_note_html: input.editorNote ? await this.#render(input.editorNote.body, tx) : null,
          editor_note_author_id: input.editorNote?.authorId ?? null,
          comments_enabled: input.commentsEnabled === false ? 0 : 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const tags = await this.#taxonomy.ensureTags(input.tags ?? [], tx);
      if (tags.length > 0) {
        await tx
          .insertInto('post_tags')
          .values(tags.map((t, position) => ({ post_id: row.id, tag_id: t.id, position })))
          .execute();
      }
      await this.#search.indexPost(tx, row.id);
      return row;
    };
    const row = db ? await write(db) : await this.#db.transaction().execute(write);
    // Inside a caller's transaction the caller announces the change once it commits.
    if (!db) this.#changes.publish({ kind: 'post', postId: row.id });
    return { id: row.id, slug: row.slug };
  }

  /** A published post or page by slug; undefined when none is public. */
  async publishedBySlug(slug: string): Promise<Post | undefined> {
    return this.#full(await this.#reads.bySlug(slug, this.#now().toISOString()));
  }

  async publishedById(id: number): Promise<Post | undefined> {
    return this.#full(await this.#reads.byId(id, this.#now().toISOString()));
  }

  async #full(row: PostRowWithJoins | undefined): Promise<Post | undefined> {
    if (!row) return undefined;
    const summary = toSummary(row);
    const tags = await this.#reads.tags(row.id);
    return {
      ...summary,
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
   * "You might also like": published posts that share the category or tags, the most
   * shared first, then the newest.
   */
  async related(post: Post, limit = 3): Promise<PostSummary[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) return [];
    const rows = await this.#reads.related(
      { id: post.id, categoryId: post.category?.id, tagIds: post.tags.map((t) => t.id) },
      this.#now().toISOString(),
      limit,
    );
    return rows.map(toSummary);
  }

  async #render(markdown: string, db: Db): Promise<string> {
    const images = await this.#media.referencedIn(markdown, db);
    return this.#markdown.render(markdown, {
      image: (src) => images.get(src),
      link: (href) => (href.startsWith('post:') ? urls.post(href.slice(5)) : undefined),
    });
  }

  async #freeSlug(base: string, db: Db): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const row = await db.selectFrom('posts').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!row) return slug;
    }
  }
}
