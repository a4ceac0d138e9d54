import { sql } from 'kysely';
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
    const filters = publishedFilter(query);
    const total = await sql<{ n: number }>`
      select count(*) as n from post_search join posts p on p.id = post_search.rowid
      where post_search match ${match} ${filters}`.execute(db);
    const rows = await sql<{ post_id: number; snippet: string }>`
      select post_search.rowid as post_id,
             snippet(post_search, 2, ${MARK_START}, ${MARK_END}, '…', 24) as snippet
      from post_search join posts p on p.id = post_search.rowid
      where post_search match ${match} ${filters}
      order by bm25(post_search, 10.0, 5.0, 1.0), p.published_at desc
      limit ${query.limit} offset ${query.offset}`.execute(db);
    return {
      hits: rows.rows.map((r) => ({ postId: Number(r.post_id), snippet: r.snippet })),
      total: Number(total.rows[0]?.n ?? 0),
    };
  },
};

/** Every word quoted (so nothing is FTS syntax); all must match; the last may be a prefix. */
function matchExpression(query: SearchQuery): string {
  return query.words
    .map((w, i) => `"${w.replace(/"/g, '""')}"${query.prefix && i === query.words.length - 1 ? '*' : ''}`)
    .join(' ');
}
