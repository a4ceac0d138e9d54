import { HearthError } from '../../errors.js';
import { urls } from '../../shared/urls.js';
import type { Db, PostStatus, PostType } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import { can } from '../roles/index.js';
import type { Writer } from './types.js';

/** How long a post stays in the trash before it is deleted for good. */
export const TRASH_DAYS = 30;
const DAY_MS = 24 * 3_600_000;

export interface TrashDeps {
  db: Db;
  audit: AuditLog;
  changes: ChangeFeed;
  /** Keeps the full-text index and related posts in step, in the write's transaction. */
  search: { indexPost(db: Db, postId: number): Promise<void> };
  related: { postChanged(db: Db, postId: number): Promise<void> };
  now?: () => Date;
}

/** A post or page in the trash, as the Trash view lists it. */
export interface TrashedPost {
  id: number;
  type: PostType;
  title: string;
  slug: string;
  authorId: number;
  authorName: string;
  /** The status it goes back to on restore. */
  status: PostStatus;
  trashedAt: string;
  trashedBy: number | null;
  /** Null when that user was removed since. */
  trashedByName: string | null;
  /** When the purge deletes it for good. */
  purgeAt: string;
}

type Actor = Writer & { ip?: string | null };

/**
 * The trash: a post moved there keeps its row (its slug stays reserved) with its status
 * set to `draft`, so every public read leaves it out, and the status it had kept in
 * `trashed_from`. Restoring gives that status back; deleting forever (by hand, or the
 * purge after TRASH_DAYS days) removes the row with its comments, revisions, tag links,
 * search and related rows in one transaction. Photos stay in the library. Authors may do
 * this to their own drafts; editors and above to any post.
 */
export class Trash {
  #db: Db;
  #audit: AuditLog;
  #changes: ChangeFeed;
  #search: TrashDeps['search'];
  #related: TrashDeps['related'];
  #now: () => Date;

  constructor(deps: TrashDeps) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#changes = deps.changes;
    this.#search = deps.search;
    this.#related = deps.related;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Moves a post or page to the trash; already there, nothing changes. */
  async trash(actor: Actor, id: number): Promise<void> {
    const books = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, id);
      if (row.trashed_at !== null) return [];
      this.#check(actor, id, row.author_id, row.status);
      await this.trashInside(tx, id, actor);
      await this.#audit.record(
        {
          action: 'post_trashed',
          actor,
          subject: `post:${id}`,
          ip: actor.ip ?? null,
          details: { title: row.title, status: row.status },
        },
        tx,
      );
      return booksShowing(tx, id);
    });
    this.#announce(id, books);
  }

  /**
   * Moves a post to the trash inside a caller's transaction, with no check of who may (the
   * caller decided; removing a user does). The caller announces the change.
   */
  async trashInside(tx: Db, id: number, actor: { id: number }): Promise<void> {
    const row = await this.#row(tx, id);
    if (row.trashed_at !== null) return;
    await tx
      .updateTable('posts')
      .set({
        status: 'draft',
        trashed_from: row.status,
        trashed_at: this.#now().toISOString(),
        trashed_by: actor.id,
        // A post in the trash no longer waits for review (restored, it is a draft to submit again).
        review_submitted_at: null,
      })
      .where('id', '=', id)
      .where('trashed_at', 'is', null)
      .execute();
    await this.#search.indexPost(tx, id);
    await this.#related.postChanged(tx, id);
  }

  /**
   * Gives a trashed post back the status it had. Its slug was kept reserved, so it comes
   * back at the same address; should another row hold the slug all the same (a database
   * edited by hand), HEARTH_ERR_SLUG_TAKEN names it.
   */
  async restore(actor: Actor, id: number): Promise<{ status: PostStatus; type: PostType }> {
    const { result, books } = await this.#db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, id);
      if (row.trashed_at === null) throw new HearthError('HEARTH_ERR_NOT_IN_TRASH', { id });
      const status = row.trashed_from ?? 'draft';
      this.#check(actor, id, row.author_id, status);
      const taken = await tx
        .selectFrom('posts')
        .select('id')
        .where('slug', '=', row.slug)
        .where('id', '!=', id)
        .executeTakeFirst();
      if (taken) throw new HearthError('HEARTH_ERR_SLUG_TAKEN', { slug: row.slug, field: 'slug' });
      await tx
        .updateTable('posts')
        .set({ status, trashed_at: null, trashed_by: null, trashed_from: null })
        .where('id', '=', id)
        .execute();
      await this.#search.indexPost(tx, id);
      await this.#related.postChanged(tx, id);
      await this.#audit.record(
        {
          action: 'post_restored',
          actor,
          subject: `post:${id}`,
          ip: actor.ip ?? null,
          details: { title: row.title, status },
        },
        tx,
      );
      return { result: { status, type: row.type }, books: await booksShowing(tx, id) };
    });
    this.#announce(id, books);
    return result;
  }

  /** Deletes a trashed post for good, in one transaction. */
  async deleteForever(actor: Actor, id: number): Promise<void> {
    const row = await this.#row(this.#db, id);
    if (row.trashed_at === null) throw new HearthError('HEARTH_ERR_NOT_IN_TRASH', { id });
    this.#check(actor, id, row.author_id, row.trashed_from ?? 'draft');
    const done = await this.#db.transaction().execute(async (tx) => {
      if (!(await this.#purgeOne(tx, id, undefined))) return false;
      await this.#audit.record(
        { action: 'post_deleted', actor, subject: `post:${id}`, ip: actor.ip ?? null, details: { title: row.title } },
        tx,
      );
      return true;
    });
    if (!done) throw new HearthError('HEARTH_ERR_NOT_IN_TRASH', { id });
    this.#changes.publish({ kind: 'post', postId: id });
  }

  /**
   * Deletes for good what has been in the trash TRASH_DAYS days. Each post is claimed by
   * a conditional update that only a still-trashed, old enough row matches (a row lock on
   * PostgreSQL), so with several instances each is deleted once, and a post restored
   * meanwhile is left alone. Returns the ids this call deleted.
   */
  async purgeDue(): Promise<number[]> {
    const cutoff = new Date(this.#now().getTime() - TRASH_DAYS * DAY_MS).toISOString();
    const due = await this.#db
      .selectFrom('posts')
      .select(['id', 'title'])
      .where('trashed_at', 'is not', null)
      .where('trashed_at', '<=', cutoff)
      .orderBy('trashed_at')
      .limit(100)
      .execute();
    const purged: number[] = [];
    for (const post of due) {
      const done = await this.#db.transaction().execute(async (tx) => {
        if (!(await this.#purgeOne(tx, post.id, cutoff))) return false;
        await this.#audit.record(
          {
            action: 'post_deleted',
            actor: null,
            subject: `post:${post.id}`,
            details: { title: post.title, after: `${TRASH_DAYS} days in the trash` },
          },
          tx,
        );
        return true;
      });
      if (done) {
        purged.push(post.id);
        this.#changes.publish({ kind: 'post', postId: post.id });
      }
    }
    return purged;
  }

  /** What is in the trash, newest first; writers who may not edit everyone's see their own. */
  async list(actor: Writer): Promise<TrashedPost[]> {
    let query = this.#db
      .selectFrom('posts')
      .innerJoin('users as author', 'author.id', 'posts.author_id')
      .leftJoin('users as by', 'by.id', 'posts.trashed_by')
      .select([
        'posts.id',
        'posts.type',
        'posts.title',
        'posts.slug',
        'posts.author_id',
        'author.display_name as author_name',
        'posts.trashed_from',
        'posts.trashed_at',
        'posts.trashed_by',
        'by.display_name as by_name',
      ])
      .where('posts.trashed_at', 'is not', null);
    if (!can(actor.role, 'edit_any')) query = query.where('posts.author_id', '=', actor.id);
    const rows = await query.orderBy('posts.trashed_at', 'desc').orderBy('posts.id', 'desc').limit(500).execute();
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      title: r.title,
      slug: r.slug,
      authorId: r.author_id,
      authorName: r.author_name,
      status: r.trashed_from ?? 'draft',
      trashedAt: r.trashed_at ?? '',
      trashedBy: r.trashed_by,
      trashedByName: r.by_name,
      purgeAt: new Date(Date.parse(r.trashed_at ?? '') + TRASH_DAYS * DAY_MS).toISOString(),
    }));
  }

  /** Whether a post is in the trash (undefined: no such post). */
  async isTrashed(id: number): Promise<boolean | undefined> {
    const row = await this.#db.selectFrom('posts').select('trashed_at').where('id', '=', id).executeTakeFirst();
    return row ? row.trashed_at !== null : undefined;
  }

  /**
   * Deletes a trashed post with what hangs on it, once: the first statement claims the row
   * (only a row still in the trash, and trashed before `cutoff` when given, matches).
   */
  async #purgeOne(tx: Db, id: number, cutoff: string | undefined): Promise<boolean> {
    let claim = tx
      .updateTable('posts')
      .set((eb) => ({ trashed_at: eb.ref('trashed_at') }))
      .where('id', '=', id)
      .where('trashed_at', 'is not', null);
    if (cutoff) claim = claim.where('trashed_at', '<=', cutoff);
    if (Number((await claim.executeTakeFirst()).numUpdatedRows) !== 1) return false;
    await this.deleteInside(tx, id);
    return true;
  }

  /**
   * Deletes a post or page, trashed or not, with its comments, revisions, tag links,
   * related and search rows, inside a caller's transaction (removing the demo does). The
   * caller announces the change.
   */
  async deleteInside(tx: Db, id: number): Promise<void> {
    // Replies first, then the comments they answer (parent_id points inside the post's comments).
    await tx.updateTable('comments').set({ parent_id: null }).where('post_id', '=', id).execute();
    await tx.deleteFrom('comments').where('post_id', '=', id).execute();
    await tx.deleteFrom('revisions').where('post_id', '=', id).execute();
    await tx.deleteFrom('post_tags').where('post_id', '=', id).execute();
    await tx
      .deleteFrom('related_overrides')
      .where((eb) => eb.or([eb('post_id', '=', id), eb('related_id', '=', id)]))
      .execute();
    await tx.deleteFrom('import_sources').where('kind', '=', 'post').where('local_id', '=', id).execute();
    await tx.updateTable('posts').set({ parent_id: null }).where('parent_id', '=', id).execute();
    // Old addresses that led to it (a changed slug, an import's) would now lead to a 404.
    const gone = await tx.selectFrom('posts').select('slug').where('id', '=', id).executeTakeFirst();
    if (gone) await tx.deleteFrom('redirects').where('to_path', '=', urls.post(gone.slug)).execute();
    await tx.deleteFrom('posts').where('id', '=', id).execute();
    // The index rows go with the row (it is not there any more: out of both).
    await this.#search.indexPost(tx, id);
    await this.#related.postChanged(tx, id);
  }

  async #row(db: Db, id: number) {
    const row = await db
      .selectFrom('posts')
      .select(['id', 'type', 'title', 'slug', 'status', 'author_id', 'trashed_at', 'trashed_from'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_POST_MISSING', { id });
    return row;
  }

  /** Authors may trash, restore and delete their own drafts; editors and above any post. */
  #check(actor: Writer, id: number, authorId: number, status: PostStatus): void {
    if (can(actor.role, 'edit_any')) return;
    if (authorId === actor.id && status === 'draft' && can(actor.role, 'edit_own')) return;
    throw new HearthError('HEARTH_ERR_TRASH_FORBIDDEN', { id, role: actor.role });
  }

  /** The post's pages, and the books whose chapter lists showed it, are kept no more. */
  #announce(id: number, books: number[]): void {
    this.#changes.publish({ kind: 'post', postId: id });
    for (const bookId of books) this.#changes.publish({ kind: 'book', bookId });
  }
}

/** Books that list a post: as a chosen chapter, or through its category or tags. */
async function booksShowing(db: Db, postId: number): Promise<number[]> {
  const chosen = await db.selectFrom('book_items').select('book_id').where('post_id', '=', postId).execute();
  const post = await db.selectFrom('posts').select('category_id').where('id', '=', postId).executeTakeFirst();
  const tags = await db.selectFrom('post_tags').select('tag_id').where('post_id', '=', postId).execute();
  const bySource = await db
    .selectFrom('book_sources')
    .select('book_id')
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'category'), eb('term_id', '=', post?.category_id ?? -1)]),
        ...(tags.length > 0
          ? [
              eb.and([
                eb('kind', '=', 'tag'),
                eb(
                  'term_id',
                  'in',
                  tags.map((t) => t.tag_id),
                ),
              ]),
            ]
          : []),
      ]),
    )
    .execute();
  return [...new Set([...chosen, ...bySource].map((r) => r.book_id))];
}
