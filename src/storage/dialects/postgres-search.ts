import { sql } from 'kysely';
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
    const filters = publishedFilter(query);
    const total = await sql<{ n: number }>`
      select count(*) as n from post_search s join posts p on p.id = s.post_id
      where s.document @@ ${q} ${filters}`.execute(db);
    const rows = await sql<{ post_id: number; snippet: string }>`
      select s.post_id, ts_headline('english', s.body, ${q}, ${HEADLINE_OPTIONS}) as snippet
      from post_search s join posts p on p.id = s.post_id
      where s.document @@ ${q} ${filters}
      order by ts_rank(s.document, ${q}) desc, p.published_at desc
      limit ${query.limit} offset ${query.offset}`.execute(db);
    return {
      hits: rows.rows.map((r) => ({ postId: Number(r.post_id), snippet: r.snippet })),
      total: Number(total.rows[0]?.n ?? 0),
    };
  },
};

/** Words joined with AND; the last one as a prefix while typing. Words are letters and digits only. */
function tsqueryText(query: SearchQuery): string {
  return query.words
    .map((w, i) => `'${w.replace(/'/g, "''")}'${query.prefix && i === query.words.length - 1 ? ':*' : ''}`)
    .join(' & ');
}
