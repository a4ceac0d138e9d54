import { expressionBuilder, sql } from 'kysely';
import type { Db, Schema } from '../../storage/index.js';
import type { Tag } from '../taxonomy/index.js';
import { type PostRowWithJoins, type SummaryRow, selectPosts, selectSummaries } from './post-columns.js';
import { type PreparedQuery, prepareQuery, type ValueOf } from './prepared-query.js';

/** The condition for a post or page that readers may see at `now` (UTC ISO 8601). */
export function isPublished(now: string) {
  const eb = expressionBuilder<Schema, 'posts'>();
  return eb.and([eb('posts.status', '=', 'published'), eb('posts.published_at', '<=', now)]);
}

/** What narrows a list of published posts: a category, a tag or an author (by id). */
export type ListFilter = { kind: 'category' | 'tag' | 'author'; id: number } | undefined;

type ListValues = { now: string; id: number; offset: number };
type RelatedValues = { now: string; postId: number; categoryId: number } & { [tag: `tag${number}`]: number };

/**
 * The queries that read published posts for the public site, each built and compiled once
 * for each shape it takes (see `prepareQuery`): a page runs the same few again and again.
 */
export class PublishedReads {
  #db: Db;
  #bySlug: PreparedQuery<{ now: string; slug: string }, PostRowWithJoins>;
  #byId: PreparedQuery<{ now: string; id: number }, PostRowWithJoins>;
  #tags: PreparedQuery<{ postId: number }, Tag>;
  #lists = new Map<
    string,
    { count: PreparedQuery<ListValues, { n: number }>; rows: PreparedQuery<ListValues, SummaryRow> }
  >();
  #related = new Map<string, PreparedQuery<RelatedValues, SummaryRow>>();

  constructor(db: Db) {
    this.#db = db;
    this.#bySlug = prepareQuery(db, (value) =>
      selectPosts(db)
        .where(isPublished(value('now')))
        .where('posts.slug', '=', value('slug')),
    );
    this.#byId = prepareQuery(db, (value) =>
      selectPosts(db)
        .where(isPublished(value('now')))
        .where('posts.id', '=', value('id')),
    );
    this.#tags = prepareQuery(db, (value) =>
      db
        .selectFrom('post_tags')
        .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
        .select(['tags.id', 'tags.slug', 'tags.name'])
        .where('post_tags.post_id', '=', value('postId'))
        .orderBy('post_tags.position'),
    );
  }

  /** A published post or page with its author, category and images. */
  async bySlug(slug: string, now: string): Promise<PostRowWithJoins | undefined> {
    return (await this.#bySlug({ now, slug }))[0];
  }

  async byId(id: number, now: string): Promise<PostRowWithJoins | undefined> {
    return (await this.#byId({ now, id }))[0];
  }

  /** The tags of a post, in the writer's order. */
  async tags(postId: number): Promise<Tag[]> {
    return this.#tags({ postId });
  }

  /**
   * One page of published posts (not pages), newest first, and how many there are in all.
   * The page size is written into the SQL, as in `related`: it is a setting, not input.
   */
  async list(
    filter: ListFilter,
    now: string,
    limit: number,
    offset: number,
  ): Promise<{ total: number; rows: SummaryRow[] }> {
    const key = `${filter?.kind ?? 'all'}|${limit}`;
    let queries = this.#lists.get(key);
    if (!queries) {
      queries = this.#prepareList(filter?.kind, limit);
      this.#lists.set(key, queries);
    }
    const values = { now, id: filter?.id ?? 0, offset };
    const [counted] = await queries.count(values);
    return { total: Number(counted?.n ?? 0), rows: await queries.rows(values) };
  }

  #prepareList(kind: 'category' | 'tag' | 'author' | undefined, limit: number) {
    const db = this.#db;
    const filter = (value: ValueOf<ListValues>) => {
      const eb = expressionBuilder<Schema, 'posts'>();
      const conditions = [isPublished(value('now')), eb('posts.type', '=', 'post')];
      if (kind === 'category') conditions.push(eb('posts.category_id', '=', value('id')));
      if (kind === 'author') conditions.push(eb('posts.author_id', '=', value('id')));
      if (kind === 'tag') {
        conditions.push(
          eb.exists(
            eb
              .selectFrom('post_tags')
              .select('post_tags.post_id')
              .whereRef('post_tags.post_id', '=', 'posts.id')
              .where('post_tags.tag_id', '=', value('id')),
          ),
        );
      }
      return eb.and(conditions);
    };
    return {
      // The count reads the indexes only; the page then joins what its cards show.
      count: prepareQuery(db, (value: ValueOf<ListValues>) =>
        db
          .selectFrom('posts')
          .where(filter(value))
          .select((eb) => eb.fn.countAll<number>().as('n')),
      ),
      rows: prepareQuery(db, (value: ValueOf<ListValues>) =>
        selectSummaries(db)
          .where(filter(value))
          .orderBy('posts.published_at', 'desc')
          .orderBy('posts.id', 'desc')
          .limit(sql.lit(limit))
          .offset(value('offset')),
      ),
    };
  }

  /**
   * Published posts that share the category or tags of a post, the most shared first,
   * then the newest (see `PostService.related`).
   *
   * Only candidates are scored, from the indexes: posts with a shared tag (1 a tag), in
   * the same category (2), and the newest posts (0), which fill the list when fewer are
   * related. The newest `limit + 1` suffice, as one of them may be this post. The limits
   * are written into the SQL: SQLite plans a bound LIMIT for any size, three times slower.
   */
  async related(
    post: { id: number; categoryId: number | undefined; tagIds: number[] },
    now: string,
    limit: number,
  ): Promise<SummaryRow[]> {
    const key = `${post.tagIds.length}|${post.categoryId !== undefined}|${limit}`;
    let query = this.#related.get(key);
    if (!query) {
      query = this.#prepareRelated(post.tagIds.length, post.categoryId !== undefined, limit);
      this.#related.set(key, query);
    }
    const values: RelatedValues = { now, postId: post.id, categoryId: post.categoryId ?? 0 };
    post.tagIds.forEach((id, i) => {
      values[`tag${i}`] = id;
    });
    return query(values);
  }

  #prepareRelated(tagCount: number, inCategory: boolean, limit: number) {
    const db = this.#db;
    return prepareQuery(db, (value: ValueOf<RelatedValues>) => {
      const newest = db
        .selectFrom('posts')
        .select('posts.id')
        .where(isPublished(value('now')))
        .where('posts.type', '=', 'post')
        .orderBy('posts.published_at', 'desc')
        .orderBy('posts.id', 'desc')
        .limit(sql.lit(limit + 1));
      let candidates = db.selectFrom(newest.as('newest')).select(['newest.id', sql<number>`0`.as('weight')]);
      if (tagCount > 0) {
        const tagIds = Array.from({ length: tagCount }, (_, i) => value(`tag${i}` as const));
        candidates = candidates.unionAll(
          db
            .selectFrom('post_tags')
            .select(['post_tags.post_id as id', sql<number>`1`.as('weight')])
            .where('post_tags.tag_id', 'in', tagIds),
        );
      }
      if (inCategory) {
        candidates = candidates.unionAll(
          db
            .selectFrom('posts')
            .select(['posts.id', sql<number>`2`.as('weight')])
            .where('posts.category_id', '=', value('categoryId')),
        );
      }
      const scored = db
        .selectFrom(candidates.as('candidate'))
        .select((eb) => ['candidate.id', eb.fn.sum<number>('candidate.weight').as('score')])
        .groupBy('candidate.id');
      // A cross join keeps the written order on SQLite: the few candidates look up their
      // posts, rather than every published post looking for a score.
      const top = db
        .selectFrom(scored.as('scored'))
        .crossJoin('posts')
        .select(['posts.id', 'posts.published_at', 'scored.score'])
        .whereRef('posts.id', '=', 'scored.id')
        .where(isPublished(value('now')))
        .where('posts.type', '=', 'post')
        .where('posts.id', '!=', value('postId'))
        .orderBy('scored.score', 'desc')
        .orderBy('posts.published_at', 'desc')
        .orderBy('posts.id', 'desc')
        .limit(sql.lit(limit));
      return selectSummaries(db)
        .innerJoin(top.as('top'), 'top.id', 'posts.id')
        .orderBy('top.score', 'desc')
        .orderBy('top.published_at', 'desc')
        .orderBy('top.id', 'desc');
    });
  }
}
