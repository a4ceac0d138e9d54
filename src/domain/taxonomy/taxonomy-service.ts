import type { CompiledQuery } from 'kysely';
import { slugify } from '../../shared/slug.js';
import type { CategoryRow, Db, TagRow } from '../../storage/index.js';
import { type PreparedQuery, prepareQuery, type ValueOf } from '../../storage/prepared-query.js';
import type { ChangeFeed } from '../changes.js';

export interface Category {
  id: number;
  slug: string;
  name: string;
  description: string;
  parentId: number | null;
}

export interface Tag {
  id: number;
  slug: string;
  name: string;
}

/** Categories (one per post, optionally nested) and tags (many per post). */
export class TaxonomyService {
  #db: Db;
  // Every page lists the categories: the query is compiled once, not on every read.
  #all: CompiledQuery<CategoryRow>;
  #tagBySlug: PreparedQuery<{ slug: string }, TagRow>;

  /** The categories as last read (every page's menu shows them); dropped on every announced change. */
  #memo: Promise<Category[]> | undefined;
  #changes: ChangeFeed | undefined;
  #keep: boolean;

  /**
   * `keep`: hold what was read in memory until a change is announced. Only where this
   * process hears of every change (one instance, as with the page cache).
   */
  constructor(db: Db, changes?: ChangeFeed, options: { keep?: boolean } = {}) {
    this.#db = db;
    this.#keep = options.keep ?? false;
    this.#changes = changes;
    this.#all = db.selectFrom('categories').selectAll().orderBy('name').compile();
    this.#tagBySlug = prepareQuery(db, (value: ValueOf<{ slug: string }>) =>
      db.selectFrom('tags').selectAll().where('slug', '=', value('slug')),
    );
    changes?.subscribe(() => {
      this.#memo = undefined;
    });
  }

  async categories(): Promise<Category[]> {
    const read = async () => (await this.#db.executeQuery(this.#all)).rows.map(toCategory);
    if (!this.#keep) return read();
    this.#memo ??= read().catch((error: unknown) => {
      this.#memo = undefined;
      throw error;
    });
    return this.#memo;
  }

  /**
   * A category by its slug, from the list every page reads (kept in memory where it may
   * be): a category archive then costs no query of its own, and no query built anew.
   */
  async categoryBySlug(slug: string): Promise<Category | undefined> {
    return (await this.categories()).find((c) => c.slug === slug);
  }

  async createCategory(
    input: { name: string; slug?: string; description?: string; parentId?: number | null },
    db: Db = this.#db,
  ): Promise<Category> {
    const row = await db
      .insertInto('categories')
      .values({
        name: input.name.trim(),
        slug: input.slug ?? slugify(input.name),
        description: input.description?.trim() ?? '',
        parent_id: input.parentId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.#memo = undefined;
    // Inside a caller's transaction the caller announces the change once it commits.
    if (db === this.#db) this.#changes?.publish({ kind: 'site' });
    return toCategory(row);
  }

  async tagBySlug(slug: string): Promise<Tag | undefined> {
    const [row] = await this.#tagBySlug({ slug });
    return row ? toTag(row) : undefined;
  }

  /** Every tag, by name (an export). */
  async tags(): Promise<Tag[]> {
    const rows = await this.#db.selectFrom('tags').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(toTag);
  }

  /** Tags of each post, in the writer's order. */
  async tagsOfPosts(postIds: number[]): Promise<Map<number, Tag[]>> {
    const result = new Map<number, Tag[]>();
    if (postIds.length === 0) return result;
    const rows = await this.#db
      .selectFrom('post_tags')
      .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
      .select(['post_tags.post_id', 'tags.id', 'tags.slug', 'tags.name'])
      .where('post_tags.post_id', 'in', postIds)
      .orderBy('post_tags.position')
      .execute();
    for (const r of rows)
      result.set(r.post_id, [...(result.get(r.post_id) ?? []), { id: r.id, slug: r.slug, name: r.name }]);
    return result;
  }

  /** Finds or creates tags by name; returns them in the given order. */
  async ensureTags(names: string[], db: Db = this.#db): Promise<Tag[]> {
    const tags: Tag[] = [];
    const seen = new Set<string>();
    for (const raw of names) {
      const name = raw.trim();
      const slug = slugify(name, '');
      if (name === '' || slug === '' || seen.has(slug)) continue;
      seen.add(slug);
      // By name too: a tag made before Unicode slugs ("Ελληνικά 中文") has an older slug.
      const existing =
        (await db.selectFrom('tags').selectAll().where('slug', '=', slug).executeTakeFirst()) ??
        (await db.selectFrom('tags').selectAll().where('name', '=', name).orderBy('id').executeTakeFirst());
      const row =
        existing ?? (await db.insertInto('tags').values({ slug, name }).returningAll().executeTakeFirstOrThrow());
      if (!tags.some((t) => t.id === row.id)) tags.push(toTag(row));
    }
    return tags;
  }
}

export const toCategory = (r: CategoryRow): Category => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description,
  parentId: r.parent_id,
});

const toTag = (r: TagRow): Tag => ({ id: r.id, slug: r.slug, name: r.name });
