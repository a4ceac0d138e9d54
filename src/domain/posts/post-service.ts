import { HearthError, ValidationError } from '../../errors.js';
import type { MarkdownRenderer } from '../../render/markdown/index.js';
import { slugify } from '../../shared/slug.js';
import { toStoredTime } from '../../shared/time.js';
import { urls } from '../../shared/urls.js';
import type { Db, PostRow } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService } from '../media/index.js';
import type { TaxonomyService } from '../taxonomy/index.js';
import type { UserService } from '../users/index.js';
import type { ListQuery, NewPostInput, Page, Post, PostSummary } from './types.js';

export interface PostServiceDeps {
  db: Db;
  markdown: MarkdownRenderer;
  media: MediaService;
  taxonomy: TaxonomyService;
  users: UserService;
  changes: ChangeFeed;
  /** The clock, so that tests can move time. */
  now?: () => Date;
}

/** What a list needs of a post row: never the body or its HTML, which can be large. */
const SUMMARY_COLUMNS = [
  'id',
  'type',
  'slug',
  'title',
  'excerpt',
  'status',
  'published_at',
  'updated_at',
  'author_id',
  'category_id',
  'feature_image_id',
  'feature_image_alt',
] as const;
type SummaryRow = Pick<PostRow, (typeof SUMMARY_COLUMNS)[number]>;

/** Posts and pages: writing them, and reading what is published. */
export class PostService {
  #db: Db;
  #markdown: MarkdownRenderer;
  #media: MediaService;
  #taxonomy: TaxonomyService;
  #users: UserService;
  #changes: ChangeFeed;
  #now: () => Date;

  constructor(deps: PostServiceDeps) {
    this.#db = deps.db;
    this.#markdown = deps.markdown;
    this.#media = deps.media;
    this.#taxonomy = deps.taxonomy;
    this.#users = deps.users;
    this.#changes = deps.changes;
    this.#now = deps.now ?? (() => new Date());
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
      return row;
    };
    const row = db ? await write(db) : await this.#db.transaction().execute(write);
    // Inside a caller's transaction the caller announces the change once it commits.
    if (!db) this.#changes.publish({ kind: 'post', postId: row.id });
    return { id: row.id, slug: row.slug };
  }

  /** A published post or page by slug; undefined when none is public. */
  async publishedBySlug(slug: string): Promise<Post | undefined> {
    return this.#full(await this.#published().selectAll().where('slug', '=', slug).executeTakeFirst());
  }

  async publishedById(id: number): Promise<Post | undefined> {
    return this.#full(await this.#published().selectAll().where('id', '=', id).executeTakeFirst());
  }

  async #full(row: PostRow | undefined): Promise<Post | undefined> {
    if (!row) return undefined;
    const [summary] = await this.#summaries([row]);
    if (!summary) return undefined;
    const tags = (await this.#taxonomy.tagsOfPosts([row.id])).get(row.id) ?? [];
    const noteAuthor = row.editor_note_author_id
      ? (await this.#users.byIds([row.editor_note_author_id])).get(row.editor_note_author_id)
      : undefined;
    return {
      ...summary,
      html: row.html,
      tags,
      editorNote: row.editor_note_html ? { html: row.editor_note_html, author: noteAuthor } : undefined,
      seoTitle: row.seo_title,
      seoDescription: row.seo_description,
      commentsEnabled: row.comments_enabled === 1,
    };
  }

  /** One page of published posts, newest first, optionally in a category, tag or by an author. */
  async listPublished(query: ListQuery): Promise<Page<PostSummary>> {
    let base = this.#published().where('type', '=', 'post');
    if (query.categoryId !== undefined) base = base.where('category_id', '=', query.categoryId);
    if (query.authorId !== undefined) base = base.where('author_id', '=', query.authorId);
    if (query.tagId !== undefined) {
      const tagId = query.tagId;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('post_tags')
            .select('post_tags.post_id')
            .whereRef('post_tags.post_id', '=', 'posts.id')
            .where('post_tags.tag_id', '=', tagId),
        ),
      );
    }
    const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const total = Number(counted?.n ?? 0);
    const rows = await base
      .select(SUMMARY_COLUMNS)
      .orderBy('published_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage)
      .execute();
    return {
      items: await this.#summaries(rows),
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
    const tagIds = post.tags.map((t) => t.id);
    const categoryId = post.category?.id ?? -1;
    const rows = await this.#published()
      .where('type', '=', 'post')
      .where('id', '!=', post.id)
      .select(SUMMARY_COLUMNS)
      .select((eb) => {
        const categoryScore = eb.case().when('category_id', '=', categoryId).then(2).else(0).end();
        const tagScore =
          tagIds.length > 0
            ? eb
                .selectFrom('post_tags')
                .select((e) => e.fn.countAll<number>().as('c'))
                .whereRef('post_tags.post_id', '=', 'posts.id')
                .where('post_tags.tag_id', 'in', tagIds)
            : eb.val(0);
        return eb(categoryScore, '+', tagScore).as('score');
      })
      .orderBy('score', 'desc')
      .orderBy('published_at', 'desc')
      .limit(limit)
      .execute();
    return this.#summaries(rows);
  }

  #published() {
    return this.#db
      .selectFrom('posts')
      .where('status', '=', 'published')
      .where('published_at', '<=', this.#now().toISOString());
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

  /** Adds authors, categories and feature images to rows, with one query for each. */
  async #summaries(rows: SummaryRow[]): Promise<PostSummary[]> {
    const [authors, categories, images] = await Promise.all([
      this.#users.byIds([...new Set(rows.map((r) => r.author_id))]),
      this.#taxonomy.categoriesByIds(rows.flatMap((r) => (r.category_id ? [r.category_id] : []))),
      this.#media.byIds(rows.flatMap((r) => (r.feature_image_id ? [r.feature_image_id] : []))),
    ]);
    return rows.map((r) => {
      const author = authors.get(r.author_id);
      if (!author) throw new Error(`post ${r.id} has no author ${r.author_id}`);
      const image = r.feature_image_id ? images.get(r.feature_image_id) : undefined;
      return {
        id: r.id,
        type: r.type,
        slug: r.slug,
        title: r.title,
        excerpt: r.excerpt,
        status: r.status,
        publishedAt: r.published_at,
        updatedAt: r.updated_at,
        author,
        category: r.category_id ? categories.get(r.category_id) : undefined,
        featureImage: image ? { ...image, alt: r.feature_image_alt ?? image.alt } : undefined,
      };
    });
  }
}
