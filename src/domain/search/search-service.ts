import { escapeHtml } from '../../shared/html.js';
import { htmlToText } from '../../shared/text.js';
import { toStoredTime } from '../../shared/time.js';
import { isStopWord, words } from '../../shared/words.js';
import { type Database, type Db, MARK_END, MARK_START } from '../../storage/index.js';

export const MAX_QUERY_LENGTH = 200;
const MAX_WORDS = 12;
const MIN_PREFIX = 3;

/**
 * A reader's search cut into words: letters and digits of any script, nothing else.
 * Common English words are left out when others remain (all words must match, and
 * "soup with lentils" should find soup and lentils), except a last word still being
 * typed, which may be the start of a longer one.
 */
export function parseQuery(raw: string): { words: string[]; prefix: boolean } {
  const text = raw.slice(0, MAX_QUERY_LENGTH);
  const all = words(text)
    .slice(0, MAX_WORDS)
    .map((w) => w.slice(0, 40));
  // A word of one or two letters is too short to stand for the words it begins.
  const prefix = all.length > 0 && !/\s$/.test(text) && (all[all.length - 1]?.length ?? 0) >= MIN_PREFIX;
  const kept = all.filter((w, i) => !isStopWord(w) || (prefix && i === all.length - 1));
  return { words: kept.length > 0 ? kept : all, prefix };
}

export interface SearchResult {
  id: number;
  slug: string;
  title: string;
  excerpt: string;
  publishedAt: string;
  /** Safe HTML: the matching passage, matches in <mark>. */
  snippetHtml: string;
}

export interface SearchInput {
  q: string;
  page: number;
  perPage: number;
  categoryId?: number;
  /** Dates (YYYY-MM-DD or ISO) bounding the publication time. */
  from?: string;
  to?: string;
}

/**
 * Full-text search of published posts, ranked (title > tags > body), with snippets.
 * The index is kept by `indexPost`, which runs in the transaction that writes a post.
 */
export class SearchService {
  #database: Database;
  #now: () => Date;

  constructor(deps: { database: Database; now?: () => Date }) {
    this.#database = deps.database;
    this.#now = deps.now ?? (() => new Date());
  }

  async search(
    input: SearchInput,
  ): Promise<{ results: SearchResult[]; total: number; pages: number; words: string[] }> {
    const { words, prefix } = parseQuery(input.q);
    const from = input.from ? toStoredTime(input.from) : undefined;
    const to = input.to ? toStoredTime(input.to) : undefined;
    if (words.length === 0) return { results: [], total: 0, pages: 0, words };
    const { hits, total } = await this.#database.search.search(this.#database.db, {
      words,
      prefix,
      limit: input.perPage,
      offset: (input.page - 1) * input.perPage,
      now: this.#now().toISOString(),
      ...(input.categoryId === undefined ? {} : { categoryId: input.categoryId }),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
    const ids = hits.map((h) => h.postId);
    const rows = ids.length
      ? await this.#database.db
          .selectFrom('posts')
          .select(['id', 'slug', 'title', 'excerpt', 'published_at'])
          .where('id', 'in', ids)
          .execute()
      : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const results = hits.flatMap((h) => {
      const r = byId.get(h.postId);
      if (!r) return [];
      return [
        {
          id: r.id,
          slug: r.slug,
          title: r.title,
          excerpt: r.excerpt,
          publishedAt: r.published_at ?? '',
          snippetHtml: highlight(h.snippet),
        },
      ];
    });
    return { results, total, pages: Math.ceil(total / input.perPage), words };
  }

  /**
   * Builds the whole index again from the posts, in one transaction (searches see the old
   * index or the new one): after a copy between databases, or to repair it. Returns how
   * many posts it indexed.
   */
  async rebuild(onProgress?: (indexed: number, total: number) => void): Promise<number> {
    return this.#database.db.transaction().execute((tx) => this.#database.search.rebuild(tx, onProgress));
  }

  /** Puts a post in the index as it now is (title, tags, body text). */
  async indexPost(db: Db, postId: number): Promise<void> {
    const post = await db
      .selectFrom('posts')
      .select(['id', 'type', 'status', 'title', 'html'])
      .where('id', '=', postId)
      .executeTakeFirst();
    // Published posts only (those waiting for their time too): drafts stay out of it.
    if (post?.type !== 'post' || post.status !== 'published') {
      await this.#database.search.remove(db, postId);
      return;
    }
    const tags = await db
      .selectFrom('post_tags')
      .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
      .select('tags.name')
      .where('post_tags.post_id', '=', postId)
      .orderBy('post_tags.position')
      .execute();
    await this.#database.search.put(db, {
      postId,
      title: post.title,
      tags: tags.map((t) => t.name).join(' '),
      body: htmlToText(post.html),
    });
  }
}

/** Escapes the snippet, then turns the index's match markers into <mark>. */
export function highlight(snippet: string): string {
  return escapeHtml(snippet).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}
