import { type Kysely, type RawBuilder, sql } from 'kysely';
import { MARK_END, MARK_START, publishedFilter, type SearchIndex, type SearchQuery } from '../search.js';

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
    const ranked = narrowed(query) ? await searchJoined(db, query, q) : await searchIndexOnly(db, query, q);
    const ids = ranked.rows.map((r) => Number(r.post_id));
    const total = ranked.rows.length > 0 ? Number(ranked.rows[0]?.total ?? 0) : await countMatches(db, query, q);
    if (ids.length === 0) return { hits: [], total };
    // Headlines (the costliest part) for the page only.
    const headlines = await sql<{ post_id: number; snippet: string }>`
      select post_id, ts_headline('english', body, ${q}, ${HEADLINE_OPTIONS}) as snippet
      from post_search where post_id in (${sql.join(ids)})`.execute(db);
    const byId = new Map(headlines.rows.map((r) => [Number(r.post_id), r.snippet]));
    return { hits: ids.map((postId) => ({ postId, snippet: byId.get(postId) ?? '' })), total };
  },
  async tune(db) {
    // Ranking reads every match's vector. Kept in the row (compressed, not moved out to
    // the TOAST table, where most of them went at about 2 KB), 'garden' over 10,000 posts
    // ranked in 27 ms instead of 42.
    await sql`alter table post_search alter column document set storage main`.execute(db);
    // Stored vectors keep their place until written again.
    await sql`update post_search set document = document || ''::tsvector`.execute(db);
  },
};

type Ranked = { rows: { post_id: number; total: string }[] };

function narrowed(query: SearchQuery): boolean {
  return query.categoryId !== undefined || query.from !== undefined || query.to !== undefined;
}

/** Published posts not public yet: in the index (it holds every published post), not in results. */
async function waiting(db: Kysely<unknown>, query: SearchQuery): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    select id from posts where type = 'post' and status = 'published' and published_at > ${query.now}`.execute(db);
  return rows.rows.map((r) => Number(r.id));
}

/** At most this many matches are ranked (the newest): a word found in most posts answers in milliseconds. */
const RANKED = 2000;

/**
 * A search of everything: ranked in the index alone, counted in the same pass (joining
 * the matches to `posts` cost more than ranking them). Ranking reads each match's whole
 * vector, so only the RANKED newest matches are ranked; the rest is rarely wanted (a
 * word in more than 2,000 posts says little) and `count` still sees every match.
 */
async function searchIndexOnly(db: Kysely<unknown>, query: SearchQuery, q: RawBuilder<unknown>): Promise<Ranked> {
  const hidden = await waiting(db, query);
  return sql<{ post_id: number; total: string }>`
    with m as (
      select s.post_id, count(*) over () as total from post_search s
      where s.document @@ ${q} ${hidden.length > 0 ? sql`and s.post_id not in (${sql.join(hidden)})` : sql``}
      order by s.post_id desc limit ${RANKED}
    )
    select m.post_id, least(m.total, ${RANKED}) as total from m join post_search s on s.post_id = m.post_id
    order by ts_rank(s.document, ${q}) desc, m.post_id desc
    limit ${query.limit} offset ${query.offset}`.execute(db);
}

/**
 * A search within a category or dates: the matches come from the GIN index first
 * (materialized: otherwise PostgreSQL may walk the published posts and test each one's
 * document, ~100 ms at 10,000 posts), then meet the filters.
 */
async function searchJoined(db: Kysely<unknown>, query: SearchQuery, q: RawBuilder<unknown>): Promise<Ranked> {
  return sql<{ post_id: number; total: string }>`
    with m as materialized (
      select s.post_id, ts_rank(s.document, ${q}) as rank from post_search s where s.document @@ ${q}
    )
    select m.post_id, count(*) over () as total
    from m join posts p on p.id = m.post_id
    where true ${publishedFilter(query)}
    order by m.rank desc, p.published_at desc, m.post_id
    limit ${query.limit} offset ${query.offset}`.execute(db);
}

/** The number of matches, for a page past the last one (it has no rows to carry it). */
async function countMatches(db: Kysely<unknown>, query: SearchQuery, q: RawBuilder<unknown>): Promise<number> {
  if (query.offset === 0) return 0;
  const counted = await sql<{ n: string }>`
    with m as materialized (select s.post_id from post_search s where s.document @@ ${q})
    select count(*) as n from m join posts p on p.id = m.post_id where true ${publishedFilter(query)}`.execute(db);
  return Number(counted.rows[0]?.n ?? 0);
}

/** Words joined with AND; the last one as a prefix while typing. Words are letters and digits only. */
function tsqueryText(query: SearchQuery): string {
  return query.words
    .map((w, i) => `'${w.replace(/'/g, "''")}'${query.prefix && i === query.words.length - 1 ? ':*' : ''}`)
    .join(' & ');
}
