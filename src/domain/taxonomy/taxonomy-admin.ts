import { HearthError } from '../../errors.js';
import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import type { Actor, AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import { addRedirect } from '../redirects/index.js';
import { checkTerm, type TermInput } from './term-input.js';

export type TermKind = 'category' | 'tag';

/** A category or tag as the admin lists it, with the number of posts and pages using it. */
export interface TermWithCount {
  id: number;
  slug: string;
  name: string;
  description: string;
  posts: number;
}

export interface TaxonomyAdminDeps {
  db: Db;
  changes: ChangeFeed;
  audit: AuditLog;
  /** Kept in step inside the transaction, for every post whose terms change. */
  search: { indexPost(db: Db, postId: number): Promise<void> };
  related: { postChanged(db: Db, postId: number): Promise<void> };
  now?: () => Date;
}

const archiveUrl = (kind: TermKind, slug: string) => (kind === 'category' ? urls.category(slug) : urls.tag(slug));

/**
 * Editing categories and tags: create, rename (a changed slug leaves a 301 from the old
 * archive), merge and delete. Each change is one transaction that also re-indexes the
 * posts it touches (search, related posts); readers see it once it commits.
 */
export class TaxonomyAdmin {
  #db: Db;
  #changes: ChangeFeed;
  #audit: AuditLog;
  #search: TaxonomyAdminDeps['search'];
  #related: TaxonomyAdminDeps['related'];
  #now: () => Date;

  constructor(deps: TaxonomyAdminDeps) {
    this.#db = deps.db;
    this.#changes = deps.changes;
    this.#audit = deps.audit;
    this.#search = deps.search;
    this.#related = deps.related;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Every category or tag by name, with how many posts use it. */
  async list(kind: TermKind): Promise<TermWithCount[]> {
    if (kind === 'category') {
      const rows = await this.#db
        .selectFrom('categories')
        .leftJoin('posts', 'posts.category_id', 'categories.id')
        .select(['categories.id', 'categories.slug', 'categories.name', 'categories.description'])
        .select((eb) => eb.fn.count<string | number>('posts.id').as('posts'))
        .groupBy(['categories.id', 'categories.slug', 'categories.name', 'categories.description'])
        .orderBy('categories.name')
        .execute();
      return rows.map((r) => ({ ...r, posts: Number(r.posts) }));
    }
    const rows = await this.#db
      .selectFrom('tags')
      .leftJoin('post_tags', 'post_tags.tag_id', 'tags.id')
      .select(['tags.id', 'tags.slug', 'tags.name'])
      .select((eb) => eb.fn.count<string | number>('post_tags.post_id').as('posts'))
      .groupBy(['tags.id', 'tags.slug', 'tags.name'])
      .orderBy('tags.name')
      .execute();
    return rows.map((r) => ({ ...r, description: '', posts: Number(r.posts) }));
  }

  async create(kind: TermKind, input: TermInput, by: Actor): Promise<{ id: number; slug: string }> {
    const term = checkTerm(input);
    return this.#write(by, { kind, change: 'created', name: term.name }, async (tx) => {
      await this.#slugFree(kind, term.slug, undefined, tx);
      if (kind === 'category') {
        return tx
          .insertInto('categories')
          .values({ name: term.name, slug: term.slug, description: term.description, parent_id: null })
          .returning(['id', 'slug'])
          .executeTakeFirstOrThrow();
      }
      return tx
        .insertInto('tags')
        .values({ name: term.name, slug: term.slug })
        .returning(['id', 'slug'])
        .executeTakeFirstOrThrow();
    });
  }

  /** Renames a term; a new slug leaves a permanent redirect from the old archive address. */
  async rename(kind: TermKind, id: number, input: TermInput, by: Actor): Promise<{ id: number; slug: string }> {
    const term = checkTerm(input);
    return this.#write(by, { kind, change: 'renamed', id, name: term.name, slug: term.slug }, async (tx) => {
      const current = await this.#find(kind, id, tx);
      await this.#slugFree(kind, term.slug, id, tx);
      if (kind === 'category') {
        await tx
          .updateTable('categories')
          .set({ name: term.name, slug: term.slug, description: term.description })
          .where('id', '=', id)
          .execute();
      } else {
        await tx.updateTable('tags').set({ name: term.name, slug: term.slug }).where('id', '=', id).execute();
      }
      if (current.slug !== term.slug) {
        await addRedirect(tx, archiveUrl(kind, current.slug), archiveUrl(kind, term.slug), this.#stamp());
      }
      await this.#reindex(await this.#postsOf(kind, id, tx), tx);
      return { id, slug: term.slug };
    });
  }

  /**
   * Merges `fromId` into `intoId`: its posts move to the other category, or take the
   * other tag (once: a post that had both keeps one link). The merged term is deleted
   * and its archive redirects to the other's.
   */
  async merge(kind: TermKind, fromId: number, intoId: number, by: Actor): Promise<void> {
    if (fromId === intoId) throw new HearthError('HEARTH_ERR_TERM_MERGE_SELF', { kind, field: 'into' });
    await this.#write(by, { kind, change: 'merged', id: fromId, into: intoId }, async (tx) => {
      const from = await this.#find(kind, fromId, tx);
      const into = await this.#find(kind, intoId, tx, 'into');
      const affected = await this.#postsOf(kind, fromId, tx);
      if (kind === 'category') {
        await tx.updateTable('posts').set({ category_id: intoId }).where('category_id', '=', fromId).execute();
        await tx.updateTable('categories').set({ parent_id: null }).where('parent_id', '=', fromId).execute();
        await tx.deleteFrom('categories').where('id', '=', fromId).execute();
      } else {
        const both = tx.selectFrom('post_tags as other').select('other.post_id').where('other.tag_id', '=', intoId);
        await tx.deleteFrom('post_tags').where('tag_id', '=', fromId).where('post_id', 'in', both).execute();
        await tx.updateTable('post_tags').set({ tag_id: intoId }).where('tag_id', '=', fromId).execute();
        await tx.deleteFrom('tags').where('id', '=', fromId).execute();
      }
      await addRedirect(tx, archiveUrl(kind, from.slug), archiveUrl(kind, into.slug), this.#stamp());
      await this.#reindex(affected, tx);
    });
  }

  /**
   * Deletes a term; its posts stay. A category's posts move to `moveTo`, or are left
   * without a category when it is null.
   */
  async delete(kind: TermKind, id: number, options: { moveTo?: number | null }, by: Actor): Promise<void> {
    const moveTo = options.moveTo ?? null;
    if (moveTo === id) throw new HearthError('HEARTH_ERR_TERM_MERGE_SELF', { kind, field: 'moveTo' });
    await this.#write(by, { kind, change: 'deleted', id, moveTo }, async (tx) => {
      await this.#find(kind, id, tx);
      const affected = await this.#postsOf(kind, id, tx);
      if (kind === 'category') {
        if (moveTo !== null) await this.#find(kind, moveTo, tx, 'moveTo');
        await tx.updateTable('posts').set({ category_id: moveTo }).where('category_id', '=', id).execute();
        await tx.updateTable('categories').set({ parent_id: null }).where('parent_id', '=', id).execute();
        await tx.deleteFrom('categories').where('id', '=', id).execute();
      } else {
        await tx.deleteFrom('post_tags').where('tag_id', '=', id).execute();
        await tx.deleteFrom('tags').where('id', '=', id).execute();
      }
      await this.#reindex(affected, tx);
    });
  }

  async #write<T>(
    by: Actor,
    details: Record<string, string | number | null>,
    work: (tx: Db) => Promise<T>,
  ): Promise<T> {
    const result = await this.#db.transaction().execute(async (tx) => {
      const done = await work(tx);
      await this.#audit.record(
        { action: 'taxonomy_changed', actor: by, subject: `${details.kind}`, ip: by.ip ?? null, details },
        tx,
      );
      return done;
    });
    // Every page shows the category menu, and lists show categories on their cards.
    this.#changes.publish({ kind: 'site' });
    return result;
  }

  #stamp(): string {
    return this.#now().toISOString();
  }

  async #find(kind: TermKind, id: number, tx: Db, field = 'id'): Promise<{ slug: string }> {
    const table = kind === 'category' ? 'categories' : 'tags';
    const row = await tx.selectFrom(table).select('slug').where('id', '=', id).executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_TERM_NOT_FOUND', { kind, id, field });
    return row;
  }

  async #slugFree(kind: TermKind, slug: string, ownId: number | undefined, tx: Db): Promise<void> {
    const table = kind === 'category' ? 'categories' : 'tags';
    const taken = await tx.selectFrom(table).select('id').where('slug', '=', slug).executeTakeFirst();
    if (taken && taken.id !== ownId) throw new HearthError('HEARTH_ERR_TERM_SLUG_TAKEN', { kind, slug, field: 'slug' });
  }

  async #postsOf(kind: TermKind, id: number, tx: Db): Promise<number[]> {
    const rows =
      kind === 'category'
        ? await tx.selectFrom('posts').select('id as post_id').where('category_id', '=', id).execute()
        : await tx.selectFrom('post_tags').select('post_id').where('tag_id', '=', id).execute();
    return rows.map((r) => r.post_id);
  }

  async #reindex(postIds: number[], tx: Db): Promise<void> {
    for (const postId of postIds) {
      await this.#search.indexPost(tx, postId);
      await this.#related.postChanged(tx, postId);
    }
  }
}
