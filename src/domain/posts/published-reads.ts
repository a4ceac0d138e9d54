import { expressionBuilder, sql } from 'kysely';
import type { Db, Schema } from '../../storage/index.js';
import { type PreparedQuery, prepareQuery, type ValueOf } from '../../storage/prepared-query.js';
import type { Tag } from '../taxonomy/index.js';
import { type PostRowWithJoins, type SummaryRow, selectPosts, selectSummaries } from './post-columns.js';

/** The condition for a post or page that readers may see at `now` (UTC ISO 8601). */
export function isPublished(now: string) {
  const eb = expressionBuilder<Schema, 'posts'>();
  return eb.and([eb('posts.status', '=', 'published'), eb('posts.published_at', '<=', now)]);
}

/** What narrows a list of published posts: a category, a tag or an author (by id). */
export type ListFilter = { kind: 'category' | 'tag' | 'author'; id: number } | undefined;

type ListValues = { now: string; id: number; offset: number };
type RelatedValues = { now: string; postId: number };

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
  #related = new Map<number, PreparedQuery<RelatedValues, SummaryRow>>();

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
   * "You might also like": the posts pinned by the writer, in their order, then the
   * stored suggestions (see domain/related) best first, leaving out exclusions and
   * whatever is not public now. The limit is written into the SQL (see `list`).
   */
  async related(postId: number, now: string, limit: number): Promise<SummaryRow[]> {
    let query = this.#related.get(limit);
    if (!query) {
      query = this.#prepareRelated(limit);
      this.#related.set(limit, query);
    }
    return query({ now, postId });
  }

  #prepareRelated(limit: number) {
    const db = this.#db;
    return prepareQuery(db, (value: ValueOf<RelatedValues>) => {
      const overridden = db
        .selectFrom('related_overrides')
        .select('related_overrides.related_id')
        .where('related_overrides.post_id', '=', value('postId'));
      // Pins rank above any computed score (scores are at most 1).
      const chosen = db
        .selectFrom('related_posts')
        .select(['related_posts.related_id as id', 'related_posts.score'])
        .where('related_posts.post_id', '=', value('postId'))
        .where('related_posts.related_id', 'not in', overridden)
        .unionAll(
          db
            .selectFrom('related_overrides')
            .select(['related_overrides.related_id as id', sql<number>`1000 - related_overrides.position`.as('score')])
            .where('related_overrides.post_id', '=', value('postId'))
            .where('related_overrides.kind', '=', 'pin'),
        );
      // The best few that are public now, found from the short list: a cross join keeps
      // SQLite from walking every published post and probing the list for each.
      const top = db
        .selectFrom(chosen.as('chosen'))
        .crossJoin('posts as candidate')
        .select(['chosen.id', 'chosen.score'])
        .whereRef('candidate.id', '=', 'chosen.id')
        .where('candidate.status', '=', 'published')
        .where('candidate.published_at', '<=', value('now'))
        .where('candidate.type', '=', 'post')
        .where('candidate.id', '!=', value('postId'))
        .orderBy('chosen.score', 'desc')
        .orderBy('chosen.id')
        .limit(sql.lit(limit));
      return selectSummaries(db)
        .innerJoin(top.as('top'), 'top.id', 'posts.id')
        .orderBy('top.score', 'desc')
        .orderBy('posts.id');
    });
  }
}
