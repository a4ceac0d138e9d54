import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { editorNoteBlocks } from '../../content/markdown/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import { isSlug, normaliseSlug } from '../../shared/slug.js';
import type { Db, PostStatus } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService } from '../media/index.js';
import type { Page, Post, PostService } from '../posts/index.js';
import { can } from '../roles/index.js';
import type { ReviewService } from './review.js';
import { autosaveOf, dropAutosave, keepRevision, lineDiff, revisionById, savedRevisions } from './revisions.js';
import type {
  DiffPart,
  EditablePost,
  EditorInput,
  PostListItem,
  PostListQuery,
  Revision,
  SaveOptions,
  StatusIntent,
  Writer,
} from './types.js';

export interface EditorialDeps {
  db: Db;
  posts: PostService;
  media: MediaService;
  audit: AuditLog;
  changes: ChangeFeed;
  /** The site's secret: signs private preview links. */
  secret: () => Promise<string>;
  /** The guest writer's review: a submitted post is locked for its writer; publishing ends a review. */
  reviews?: ReviewService;
  now?: () => Date;
}

const PER_PAGE = 20;
/** A post's slug may be longer than one made from a title (80): addresses kept from an import. */
const POST_SLUG_MAX = 200;

/**
 * The writing side of posts and pages: the admin's list, saving from the editor with the
 * rules of who may publish, autosaved working copies, revisions with their diffs, and
 * private preview links. Every check is made here, whatever the form showed.
 */
export class EditorialService {
  #db: Db;
  #posts: PostService;
  #media: MediaService;
  #audit: AuditLog;
  #changes: ChangeFeed;
  #secret: () => Promise<string>;
  #reviews: ReviewService | undefined;
  #now: () => Date;

  constructor(deps: EditorialDeps) {
    this.#db = deps.db;
    this.#posts = deps.posts;
    this.#media = deps.media;
    this.#audit = deps.audit;
    this.#changes = deps.changes;
    this.#secret = deps.secret;
    this.#reviews = deps.reviews;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Posts (or pages) newest first; writers who may not edit everyone's see only their own. */
  async list(writer: Writer, query: PostListQuery): Promise<Page<PostListItem>> {
    const perPage = query.perPage ?? PER_PAGE;
    const authorId = can(writer.role, 'edit_any') ? query.authorId : writer.id;
    // What is in the trash is listed by the Trash view only.
    let base = this.#db.selectFrom('posts').where('posts.type', '=', query.type).where('posts.trashed_at', 'is', null);
    if (query.status) base = base.where('posts.status', '=', query.status);
    if (authorId !== undefined) base = base.where('posts.author_id', '=', authorId);
    if (query.categoryId !== undefined) base = base.where('posts.category_id', '=', query.categoryId);
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
    const search = query.search?.trim().toLowerCase();
    if (search) {
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where(sql<boolean>`lower(posts.title) like ${pattern} escape '\\'`);
    }
    const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const total = Number(counted?.n ?? 0);
    const rows = await base
      .innerJoin('users', 'users.id', 'posts.author_id')
      .select([
        'posts.id',
        'posts.type',
        'posts.title',
        'posts.slug',
        'posts.status',
        'posts.published_at',
        'posts.updated_at',
        'posts.author_id',
        'posts.review_submitted_at',
        'users.display_name',
      ])
      .orderBy('posts.updated_at', 'desc')
      .orderBy('posts.id', 'desc')
      .limit(perPage)
      .offset((query.page - 1) * perPage)
      .execute();
    return {
      items: rows.map((r) => ({
        id: r.id,
        type: r.type,
        title: r.title,
        slug: r.slug,
        status: r.status,
        publishedAt: r.published_at,
        updatedAt: r.updated_at,
        authorId: r.author_id,
        authorName: r.display_name,
        inReview: r.review_submitted_at !== null,
      })),
      total,
      page: query.page,
      pages: Math.max(1, Math.ceil(total / perPage)),
    };
  }

  /** A post as the editor shows it, if this writer may edit it. */
  async forEditing(writer: Writer, id: number): Promise<EditablePost> {
    const row = await this.#db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_POST_MISSING', { id });
    if (row.author_id !== writer.id && !can(writer.role, 'edit_any')) {
      throw new HearthError('HEARTH_ERR_NOT_YOUR_POST', { id, role: writer.role });
    }
    const tags = await this.#db
      .selectFrom('post_tags')
      .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
      .select('tags.name')
      .where('post_tags.post_id', '=', id)
      .orderBy('post_tags.position')
      .execute();
    return {
      id: row.id,
      type: row.type,
      title: row.title,
      slug: row.slug,
      body: row.body,
      excerpt: row.excerpt,
      status: row.status,
      publishedAt: row.published_at,
      updatedAt: row.updated_at,
      authorId: row.author_id,
      categoryId: row.category_id,
      tags: tags.map((t) => t.name),
      featureImageId: row.feature_image_id,
      featureImageAlt: row.feature_image_alt ?? '',
      editorNote: row.editor_note ?? '',
      editorNoteAuthorId: row.editor_note_author_id,
      seoTitle: row.seo_title ?? '',
      seoDescription: row.seo_description ?? '',
      commentsEnabled: row.comments_enabled === 1,
      reviewSubmittedAt: row.review_submitted_at ?? null,
      trashedAt: row.trashed_at,
    };
  }

  /**
   * Saves the editor's form: a new post when `id` is undefined. Checks who may publish,
   * asks for confirmation before publishing images without alt text, keeps a revision,
   * drops the writer's autosaved copy and records every publication in the audit log.
   */
  async save(
    writer: Writer,
    id: number | undefined,
    input: EditorInput,
    options: SaveOptions = {},
  ): Promise<{ id: number; slug: string; updatedAt: string }> {
    const current = id === undefined ? undefined : await this.forEditing(writer, id);
    if (current?.trashedAt) throw new HearthError('HEARTH_ERR_POST_TRASHED', { id: current.id });
    const own = current === undefined || current.authorId === writer.id;
    const status = this.#resolveStatus(input, current);
    const mayPublish = can(writer.role, own ? 'publish_own' : 'publish_any') || can(writer.role, 'publish_any');
    const publishing = status.status !== 'draft' || (current !== undefined && current.status !== 'draft');
    if (publishing && !mayPublish) throw new HearthError('HEARTH_ERR_PUBLISH_FORBIDDEN', { role: writer.role });
    // A post waiting for review is the reviewers' until its writer withdraws it.
    if (current?.reviewSubmittedAt && !can(writer.role, 'edit_any')) {
      throw new HearthError('HEARTH_ERR_POST_IN_REVIEW', { id: current.id });
    }
    const note = editorNoteOf(writer, input, current);
    const slug = checkEditorInput(input);
    // A contributor chooses a feature image among their own photos (one an editor chose stays).
    const feature = input.featureImageId ?? null;
    if (feature !== null && feature !== (current?.featureImageId ?? null) && !can(writer.role, 'upload_media')) {
      const photo = await this.#media.get(feature);
      if (!photo || photo.uploadedBy !== writer.id) {
        throw new HearthError('HEARTH_ERR_MEDIA_NOT_YOURS', {
          id: feature,
          role: writer.role,
          field: 'featureImageId',
        });
      }
    }
    if (status.status !== 'draft' && !options.confirmMissingAlt) {
      const missing = await this.#media.missingAlt({
        body: input.body,
        editorNote: input.editorNote ?? null,
        featureImageId: input.featureImageId ?? null,
        featureImageAlt: input.featureImageAlt ?? null,
      });
      if (missing.length > 0) {
        throw new HearthError('HEARTH_ERR_MISSING_ALT', {
          count: missing.length,
          images: missing.map((m) => m.src).join(', '),
          field: 'confirmMissingAlt',
        });
      }
    }
    const fields = {
      title: input.title,
      body: input.body,
      excerpt: input.excerpt ?? '',
      status: status.status,
      publishedAt: status.publishedAt,
      categoryId: input.categoryId ?? null,
      tags: input.tags ?? [],
      featureImageId: input.featureImageId ?? null,
      featureImageAlt: input.featureImageAlt?.trim() || null,
      editorNote: note,
      seoTitle: input.seoTitle ?? null,
      seoDescription: input.seoDescription ?? null,
      commentsEnabled: input.commentsEnabled ?? true,
    };
    const saved = await this.#db.transaction().execute(async (tx) => {
      let result: { id: number; slug: string; updatedAt: string };
      if (current === undefined) {
        const created = await this.#posts.create(
          {
            ...fields,
            type: input.type ?? 'post',
            authorId: writer.id,
            ...(slug ? { slug } : {}),
          },
          tx,
        );
        const row = await tx.selectFrom('posts').select('updated_at').where('id', '=', created.id).executeTakeFirst();
        result = { ...created, updatedAt: row?.updated_at ?? '' };
      } else {
        result = await this.#posts.update(
          current.id,
          {
            ...fields,
            ...(slug ? { slug } : {}),
            ...(input.expectedUpdatedAt ? { expectedUpdatedAt: input.expectedUpdatedAt } : {}),
          },
          tx,
        );
      }
      await keepRevision(tx, result.id, writer.id, 'save', fields, this.#now());
      await dropAutosave(tx, writer.id, current === undefined ? null : result.id);
      if (current?.id === undefined) await dropAutosave(tx, writer.id, result.id);
      const was = current?.status ?? 'draft';
      if (status.status !== 'draft' && this.#reviews)
        await this.#reviews.publishing(tx, result.id, writer, status.status);
      const subject = `post:${result.id}`;
      const actor = { id: writer.id, email: writer.email };
      if (status.status === 'published' && was !== 'published') {
        await this.#audit.record(
          { action: 'post_published', actor, subject, ip: options.ip ?? null, details: { title: fields.title } },
          tx,
        );
      } else if (status.status === 'scheduled' && was !== 'scheduled') {
        await this.#audit.record(
          {
            action: 'post_scheduled',
            actor,
            subject,
            ip: options.ip ?? null,
            details: { title: fields.title, at: status.publishedAt },
          },
          tx,
        );
      } else if (status.status === 'draft' && was !== 'draft') {
        await this.#audit.record(
          { action: 'post_unpublished', actor, subject, ip: options.ip ?? null, details: { title: fields.title } },
          tx,
        );
      }
      return result;
    });
    this.#changes.publish({ kind: 'post', postId: saved.id });
    const was = current?.status ?? 'draft';
    if (status.status !== 'draft' && status.status !== was) this.#reviews?.published(saved.id, writer, status.status);
    return saved;
  }

  #resolveStatus(
    input: EditorInput,
    current: EditablePost | undefined,
  ): { status: PostStatus; publishedAt: string | null } {
    const intent: StatusIntent = input.status;
    const now = this.#now().toISOString();
    if (intent === 'draft' || intent === 'unpublished') {
      // A draft keeps a time typed for it; publishing later fills in one if it has none.
      return { status: 'draft', publishedAt: input.publishedAt ?? null };
    }
    if (intent === 'scheduled') {
      if (!input.publishedAt) throw new ValidationError({ publishedAt: 'A scheduled post needs a time.' });
      if (input.publishedAt <= now) {
        throw new ValidationError({ publishedAt: 'Choose a time in the future to schedule the post.' });
      }
      return { status: 'scheduled', publishedAt: input.publishedAt };
    }
    const keep = current?.status === 'published' ? current.publishedAt : null;
    return { status: 'published', publishedAt: input.publishedAt ?? keep ?? now };
  }

  /**
   * Keeps the writer's working copy (one per writer and post; `postId` null for a post not
   * saved yet), so that a closed tab loses nothing. Returns when it was kept.
   */
  async autosave(
    writer: Writer,
    postId: number | null,
    text: { title: string; body: string; excerpt: string },
  ): Promise<string> {
    if (postId !== null) await this.forEditing(writer, postId);
    await this.#db.transaction().execute(async (tx) => {
      await dropAutosave(tx, writer.id, postId);
      await keepRevision(tx, postId, writer.id, 'autosave', text, this.#now());
    });
    return this.#now().toISOString();
  }

  /** The writer's working copy, when it differs from what is saved (to offer restoring it). */
  async autosaved(writer: Writer, post: EditablePost | null): Promise<Revision | undefined> {
    const found = await autosaveOf(this.#db, writer.id, post === null ? null : post.id);
    if (!found) return undefined;
    if (post && found.title === post.title && found.body === post.body && found.excerpt === post.excerpt)
      return undefined;
    return { ...found, userName: writer.email };
  }

  /** Throws the writer's working copy away. */
  async discardAutosave(writer: Writer, postId: number | null): Promise<void> {
    if (postId !== null) await this.forEditing(writer, postId);
    await dropAutosave(this.#db, writer.id, postId);
  }

  /** Every saved version of a post, newest first. */
  async revisions(writer: Writer, postId: number): Promise<Revision[]> {
    await this.forEditing(writer, postId);
    return savedRevisions(this.#db, postId);
  }

  /** A revision and how the current text differs from it, line by line. */
  async compare(
    writer: Writer,
    postId: number,
    revisionId: number,
  ): Promise<{ revision: Revision; post: EditablePost; title: DiffPart[]; body: DiffPart[] }> {
    const post = await this.forEditing(writer, postId);
    const revision = await revisionById(this.#db, postId, revisionId);
    return { revision, post, title: lineDiff(revision.title, post.title), body: lineDiff(revision.body, post.body) };
  }

  /** Makes a revision's title, text and excerpt current again (a save, with its own revision). */
  async restore(
    writer: Writer,
    postId: number,
    revisionId: number,
    options: SaveOptions = {},
  ): Promise<{ id: number; slug: string; updatedAt: string }> {
    const post = await this.forEditing(writer, postId);
    const revision = await revisionById(this.#db, postId, revisionId);
    return this.save(
      writer,
      postId,
      {
        ...post,
        status: post.status,
        title: revision.title,
        body: revision.body,
        excerpt: revision.excerpt,
        slug: post.slug,
        expectedUpdatedAt: post.updatedAt,
      },
      { ...options, confirmMissingAlt: true },
    );
  }

  /** The private preview token of a post: an HMAC of its id under the site secret. */
  async previewToken(writer: Writer, postId: number): Promise<string> {
    await this.forEditing(writer, postId);
    return this.#sign(postId);
  }

  /** The post a preview link shows, in whatever state; undefined for a forged or foreign token. */
  async previewPost(postId: number, token: string): Promise<Post | undefined> {
    const expected = Buffer.from(await this.#sign(postId));
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    // A link to a post in the trash shows nothing, as its public address does.
    const row = await this.#db.selectFrom('posts').select('trashed_at').where('id', '=', postId).executeTakeFirst();
    if (row?.trashed_at) return undefined;
    return this.#posts.anyById(postId);
  }

  async #sign(postId: number): Promise<string> {
    return createHmac('sha256', await this.#secret())
      .update(`preview:${postId}`)
      .digest('base64url');
  }
}

/**
 * The editor's note a save keeps. Editors and above write and sign notes (signing as
 * anyone, as before). Anyone else keeps what is there: the signed note and every `::: note`
 * block of the text exactly as an editor left them; writing, changing, removing or
 * signing one is refused (403) naming the field. The signed note's field may be left out
 * (the form shows it read-only to them): it is then kept.
 */
function editorNoteOf(
  writer: Writer,
  input: EditorInput,
  current: EditablePost | undefined,
): { body: string; authorId: number } | null {
  if (can(writer.role, 'edit_any')) {
    return input.editorNote?.trim()
      ? { body: input.editorNote, authorId: input.editorNoteAuthorId ?? writer.id }
      : null;
  }
  const refuse = (field: string, reason: string) =>
    new HearthError('HEARTH_ERR_EDITOR_NOTE_FORBIDDEN', { field, reason, role: writer.role });
  const keptSigner = current?.editorNoteAuthorId ?? null;
  const signer = input.editorNoteAuthorId ?? null;
  if (signer !== null && signer !== keptSigner) {
    throw refuse(
      'editorNoteAuthor',
      signer === writer.id
        ? 'Note by: you cannot sign an editor’s note.'
        : 'Note by: you cannot sign an editor’s note as someone else.',
    );
  }
  const kept = current?.editorNote.trim() ?? '';
  const sent = input.editorNote?.trim() ?? '';
  if (sent !== '' && sent !== kept) throw refuse('editorNote', 'Editor’s note: only an editor writes or changes it.');
  const before = editorNoteBlocks(current?.body ?? '').sort();
  const after = editorNoteBlocks(input.body).sort();
  if (before.length !== after.length || before.some((n, i) => n !== after[i])) {
    throw refuse(
      'body',
      after.some((n) => !before.includes(n))
        ? 'Text: it has a new or changed editor’s note (a ::: note block). Keep the notes an editor wrote as they are.'
        : 'Text: it lost an editor’s note (a ::: note block). Keep the notes an editor wrote as they are.',
    );
  }
  return current && kept !== ''
    ? { body: current.editorNote, authorId: current.editorNoteAuthorId ?? current.authorId }
    : null;
}

/**
 * What the post service does not check itself: the slug's form and the SEO lengths.
 * Returns the typed slug normalised (NFC, lower case), or '' when none was typed.
 */
function checkEditorInput(input: EditorInput): string {
  const errors: Record<string, string> = {};
  const slug = normaliseSlug(input.slug ?? '');
  if (slug !== '' && !isSlug(slug, POST_SLUG_MAX)) {
    errors.slug = `A slug is lower-case letters (or letters of a language without case), digits and single hyphens, such as "first-steps" or "中文" (at most ${POST_SLUG_MAX} characters).`;
  }
  if ((input.seoTitle ?? '').length > 200) errors.seoTitle = 'An SEO title can be at most 200 characters.';
  if ((input.seoDescription ?? '').length > 500) {
    errors.seoDescription = 'An SEO description can be at most 500 characters.';
  }
  if ((input.featureImageAlt ?? '').length > 1000) errors.featureImageAlt = 'Alt text can be at most 1,000 characters.';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return slug;
}
