import { type Kysely, sql } from 'kysely';
import { htmlToText } from '../shared/text.js';

/** What the full-text index holds for one published post. */
export interface SearchDocument {
  postId: number;
  title: string;
  /** Tag names, space separated. */
  tags: string;
  /** The post as plain text. */
  body: string;
}

/** A search already cut into words (letters and digits only: no query syntax reaches SQL). */
export interface SearchQuery {
  words: string[];
  /** Match the last word as a prefix (typing in progress). */
  prefix: boolean;
  limit: number;
  offset: number;
  /** Only published posts up to this time (ISO UTC). */
  now: string;
  categoryId?: number;
  /** Published at or after / before these times (ISO UTC). */
  from?: string;
  to?: string;
}

/** One hit: the snippet marks matches with \u0002 … \u0003 around them, in plain text. */
export interface SearchHit {
  postId: number;
  snippet: string;
}

export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/**
 * The full-text index of a dialect: SQLite FTS5 with BM25, or PostgreSQL tsvector with
 * ts_rank; both weight title above tags above body and stem English words.
 */
export interface SearchIndex {
  createSchema(db: Kysely<unknown>): Promise<void>;
  /** Adds or replaces a post's entry; run it in the transaction that writes the post. */
  put(db: Kysely<unknown>, doc: SearchDocument): Promise<void>;
  remove(db: Kysely<unknown>, postId: number): Promise<void>;
  /** Removes every entry. */
  clear(db: Kysely<unknown>): Promise<void>;
  search(db: Kysely<unknown>, query: SearchQuery): Promise<{ hits: SearchHit[]; total: number }>;
  /** Storage settings that make ranking faster, where the dialect has any. */
  tune?(db: Kysely<unknown>): Promise<void>;
}

/** The conditions every search shares, on the posts table joined as `p`: portable SQL. */
export function publishedFilter(query: SearchQuery) {
  return sql`and p.type = 'post' and p.status = 'published' and p.published_at <= ${query.now}
    ${query.categoryId === undefined ? sql`` : sql`and p.category_id = ${query.categoryId}`}
    ${query.from === undefined ? sql`` : sql`and p.published_at >= ${query.from}`}
    ${query.to === undefined ? sql`` : sql`and p.published_at < ${query.to}`}`;
}

/**
 * Indexes every post from the rows: after the index is created, and after a copy
 * between databases (which copies tables, not the dialect's own index).
 */
export async function rebuildSearchIndex(
  db: Kysely<unknown>,
  index: SearchIndex,
  onProgress?: (indexed: number, total: number) => void,
): Promise<number> {
  await index.clear(db);
  const posts = await sql<{
    id: number;
    title: string;
    html: string;
  }>`select id, title, html from posts where type = 'post' and status = 'published'`.execute(db);
  const tags = await sql<{ post_id: number; name: string }>`
    select pt.post_id, t.name from post_tags pt join tags t on t.id = pt.tag_id order by pt.position`.execute(db);
  const byPost = new Map<number, string[]>();
  for (const t of tags.rows) byPost.set(Number(t.post_id), [...(byPost.get(Number(t.post_id)) ?? []), t.name]);
  let indexed = 0;
  onProgress?.(indexed, posts.rows.length);
  for (const p of posts.rows) {
    const id = Number(p.id);
    await index.put(db, {
      postId: id,
      title: p.title,
      tags: (byPost.get(id) ?? []).join(' '),
      body: htmlToText(p.html),
    });
    onProgress?.(++indexed, posts.rows.length);
  }
  return indexed;
}
