import { type Kysely, sql } from 'kysely';
import { MARK_END, MARK_START, publishedFilter, type SearchIndex, type SearchQuery } from '../search.js';

/**
 * SQLite FTS5: porter stemming over unicode61 words, BM25 with title x10, tags x5, body x1.
 * The table's rowid is the post id.
 */
export const sqliteSearch: SearchIndex = {
  async createSchema(db) {
    await sql`create virtual table post_search using fts5(title, tags, body, tokenize = 'porter unicode61 remove_diacritics 2')`.execute(
      db,
    );
  },
  async put(db, doc) {
    await sql`delete from post_search where rowid = ${doc.postId}`.execute(db);
    await sql`insert into post_search (rowid, title, tags, body) values (${doc.postId}, ${doc.title}, ${doc.tags}, ${doc.body})`.execute(
      db,
    );
  },
  async clear(db) {
    await sql`delete from post_search`.execute(db);
  },
  async remove(db, postId) {
    await sql`delete from post_search where rowid = ${postId}`.execute(db);
  },
  async search(db, query) {
    const match = matchExpression(query);
    if (match === '') return { hits: [], total: 0 };
    const ranked = narrowed(query) ? await searchJoined(db, query, match) : await searchIndexOnly(db, query, match);
    if (ranked.ids.length === 0) return { hits: [], total: ranked.total };
    // Snippets only for the page of hits: snippet() is the costliest part of a search.
    const snippets = await sql<{ post_id: number; snippet: string }>`
      select rowid as post_id, snippet(post_search, 2, ${MARK_START}, ${MARK_END}, '…', 24) as snippet
      from post_search where post_search match ${match}
      and rowid in (select value from json_each(${JSON.stringify(ranked.ids)}))`.execute(db);
    const byId = new Map(snippets.rows.map((r) => [Number(r.post_id), r.snippet]));
    return {
      hits: ranked.ids.map((postId) => ({ postId, snippet: byId.get(postId) ?? '' })),
      total: ranked.total,
    };
  },
};

const BM25 = sql`bm25(post_search, 10.0, 5.0, 1.0)`;

function narrowed(query: SearchQuery): boolean {
  return query.categoryId !== undefined || query.from !== undefined || query.to !== undefined;
}

/**
 * The common case, a search of everything: ranked in the index alone. The index holds
 * published posts only (see SearchService.indexPost), so the few that wait for their
 * time are the only ones to leave out. Joining every match to `posts` cost four times
 * as much as the ranking at 10,000 posts.
 */
async function searchIndexOnly(db: Kysely<unknown>, query: SearchQuery, match: string) {
  const waiting = await sql<{ id: number }>`
    select id from posts where type = 'post' and status = 'published' and published_at > ${query.now}`.execute(db);
  const hidden = JSON.stringify(waiting.rows.map((r) => Number(r.id)));
  const total = await sql<{ n: number }>`
    select count(*) as n from post_search where post_search match ${match}
    and rowid not in (select value from json_each(${hidden}))`.execute(db);
  const rows = await sql<{ id: number }>`
    select rowid as id from post_search where post_search match ${match}
    and rowid not in (select value from json_each(${hidden}))
    order by ${BM25} limit ${query.limit} offset ${query.offset}`.execute(db);
  return { ids: rows.rows.map((r) => Number(r.id)), total: Number(total.rows[0]?.n ?? 0) };
}

/**
 * A search within a category or dates: joined to `posts`. `cross join` keeps the index
 * first; otherwise SQLite may walk the posts and run the match once for each.
 */
async function searchJoined(db: Kysely<unknown>, query: SearchQuery, match: string) {
  const filters = publishedFilter(query);
  const total = await sql<{ n: number }>`
    select count(*) as n from post_search cross join posts p on p.id = post_search.rowid
    where post_search match ${match} ${filters}`.execute(db);
  const rows = await sql<{ id: number }>`
    select post_search.rowid as id from post_search cross join posts p on p.id = post_search.rowid
    where post_search match ${match} ${filters}
    order by ${BM25}, p.published_at desc
    limit ${query.limit} offset ${query.offset}`.execute(db);
  return { ids: rows.rows.map((r) => Number(r.id)), total: Number(total.rows[0]?.n ?? 0) };
}

/** Every word quoted (so nothing is FTS syntax); all must match; the last may be a prefix. */
function matchExpression(query: SearchQuery): string {
  return query.words
    .map((w, i) => `"${w.replace(/"/g, '""')}"${query.prefix && i === query.words.length - 1 ? '*' : ''}`)
    .join(' ');
}
