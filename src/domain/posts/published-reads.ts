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
  #related = new Map<
    number,
    {
      pinned: PreparedQuery<RelatedValues, SummaryRow>;
      suggested: PreparedQuery<RelatedValues, SummaryRow & { pins: number | string | null }>;
    }
  >();

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
    let queries = this.#related.get(limit);
    if (!queries) {
      queries = this.#prepareRelated(limit);
      this.#related.set(limit, queries);
    }
    const values = { now, postId };
    // Most posts have no pins: the suggestions say how many there are, and the pins are
    // read only when there are some (or when no suggestion came to say).
    const suggested = await queries.suggested(values);
    if (suggested.length > 0 && Number(suggested[0]?.pins) === 0) return suggested;
    const pinned = await queries.pinned(values);
    return [...pinned, ...suggested].slice(0, limit);
  }

  /*
   * Two queries, each walking an index in the order it returns (migration 0012): the
   * pins by position, the suggestions by score. One query over both had to sort their
   * union and keep its top few in temporary tables; on a busy server each of those cost
   * SQLite more than the rest of the query (fresh memory for a b-tree, every time), and
   * the related cards were the dearest read of a post page.
   */
  #prepareRelated(limit: number) {
    const db = this.#db;
    const shown = (value: ValueOf<RelatedValues>) => {
      const eb = expressionBuilder<Schema, 'posts'>();
      return eb.and([isPublished(value('now')), eb('posts.type', '=', 'post'), eb('posts.id', '!=', value('postId'))]);
    };
    return {
      pinned: prepareQuery(db, (value: ValueOf<RelatedValues>) => {
        const pins = db
          .selectFrom('related_overrides as pin')
          .crossJoin('posts')
          .whereRef('posts.id', '=', 'pin.related_id')
          .where('pin.post_id', '=', value('postId'))
          .where('pin.kind', '=', 'pin')
          .orderBy('pin.position');
        return selectSummaries(db, pins).where(shown(value)).limit(sql.lit(limit));
      }),
      suggested: prepareQuery(db, (value: ValueOf<RelatedValues>) => {
        const suggestions = db
          .selectFrom('related_posts as suggestion')
          .crossJoin('posts')
          .whereRef('posts.id', '=', 'suggestion.related_id')
          .where('suggestion.post_id', '=', value('postId'))
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('related_overrides as overridden')
                  .select('overridden.related_id')
                  .whereRef('overridden.post_id', '=', 'suggestion.post_id')
                  .whereRef('overridden.related_id', '=', 'suggestion.related_id'),
              ),
            ),
          )
          .orderBy('suggestion.score', 'desc')
          .orderBy('suggestion.related_id');
        return selectSummaries(db, suggestions)
          .select((eb) =>
            eb
              .selectFrom('related_overrides as pin')
              .select(eb.fn.countAll<number>().as('n'))
              .where('pin.post_id', '=', value('postId'))
              .where('pin.kind', '=', 'pin')
              .as('pins'),
          )
          .where(shown(value))
          .limit(sql.lit(limit));
      }),
    };
  }
}
