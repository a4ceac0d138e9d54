import { type Kysely, type RawBuilder, sql } from 'kysely';
import { MARK_END, MARK_START, publishedFilter, type SearchIndex, type SearchQuery } from '../search.js';

/** At most this many matches are ranked and shown: the newest. */
const RANKED = 1000;

const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=1, FragmentDelimiter=…`;

/**
 * PostgreSQL: a weighted tsvector per post (title A, tags B, body C) with the English
 * stemmer, a GIN index, ts_rank for order and ts_headline for snippets.
 */
export const postgresSearch: SearchIndex = {
  async createSchema(db) {
    await sql`create table post_search (
      post_id integer primary key references posts(id) on delete cascade,
      body text not null,
      document tsvector not null
    )`.execute(db);
    await sql`create index post_search_document on post_search using gin (document)`.execute(db);
  },
  async put(db, doc) {
    await sql`insert into post_search (post_id, body, document) values (
        ${doc.postId}, ${doc.body},
        setweight(to_tsvector('english', ${doc.title}), 'A') ||
        setweight(to_tsvector('english', ${doc.tags}), 'B') ||
        setweight(to_tsvector('english', ${doc.body}), 'C'))
      on conflict (post_id) do update set body = excluded.body, document = excluded.document`.execute(db);
  },
  async clear(db) {
    await sql`delete from post_search`.execute(db);
  },
  async remove(db, postId) {
    await sql`delete from post_search where post_id = ${postId}`.execute(db);
  },
  async search(db, query) {
    const tsquery = tsqueryText(query);
    if (tsquery === '') return { hits: [], total: 0 };
    const q = sql`to_tsquery('english', ${tsquery})`;
    const filters = publishedFilter(query);
    // The matches come from the GIN index first (materialized: otherwise PostgreSQL may walk
    // the published posts and test each one's document, ~100 ms at 10,000 posts). Ranking
    // reads every candidate's whole document, so at most the RANKED newest matches are
    // ranked: a word found in most posts still answers in milliseconds. Headlines (the
    // costliest part) are made for the page only.
    const ranked = await sql<{ post_id: number; total: string }>`
      with m as materialized (select s.post_id from post_search s where s.document @@ ${q}),
      c as (
        select m.post_id, p.published_at, count(*) over () as total
        from m join posts p on p.id = m.post_id
        where true ${filters}
        order by p.published_at desc limit ${RANKED}
      )
      select c.post_id, least(c.total, ${RANKED}) as total from c join post_search s on s.post_id = c.post_id
      order by ts_rank(s.document, ${q}) desc, c.published_at desc, c.post_id
      limit ${query.limit} offset ${query.offset}`.execute(db);
    const ids = ranked.rows.map((r) => Number(r.post_id));
    const total =
      ranked.rows.length > 0 ? Number(ranked.rows[0]?.total ?? 0) : await countMatches(db, q, filters, query.offset);
    if (ids.length === 0) return { hits: [], total };
    const headlines = await sql<{ post_id: number; snippet: string }>`
      select post_id, ts_headline('english', body, ${q}, ${HEADLINE_OPTIONS}) as snippet
      from post_search where post_id in (${sql.join(ids)})`.execute(db);
    const byId = new Map(headlines.rows.map((r) => [Number(r.post_id), r.snippet]));
    return { hits: ids.map((postId) => ({ postId, snippet: byId.get(postId) ?? '' })), total };
  },
};

/** The number of matches (at most RANKED), for a page past the last one (it has no rows to carry it). */
async function countMatches(db: Kysely<unknown>, q: RawBuilder<unknown>, filters: RawBuilder<unknown>, offset: number) {
  if (offset === 0) return 0;
  const counted = await sql<{ n: string }>`
    with m as materialized (select s.post_id from post_search s where s.document @@ ${q})
    select least(count(*), ${RANKED}) as n from m join posts p on p.id = m.post_id where true ${filters}`.execute(db);
  return Number(counted.rows[0]?.n ?? 0);
}

/** Words joined with AND; the last one as a prefix while typing. Words are letters and digits only. */
function tsqueryText(query: SearchQuery): string {
  return query.words
    .map((w, i) => `'${w.replace(/'/g, "''")}'${query.prefix && i === query.words.length - 1 ? ':*' : ''}`)
    .join(' & ');
}
