/**
 * The related posts' tables: posts' texts and facts read for scoring, the term index
 * (document frequencies and each post's strongest terms), and the stored lists.
 */

import { sql } from 'kysely';
import { htmlToText } from '../../shared/text.js';
import type { Db } from '../../storage/index.js';
import { append } from './collections.js';
import { blend, byScore, CANDIDATES, KEEP, type PostFacts, type Scored } from './score.js';
import type { RelatedText } from './terms.js';

/** Rows written at once; also how many ids go in one `in (...)`. */
const CHUNK = 500;
/** Newest posts of the same category looked at. */
export const NEIGHBOURS = 20;

/** A post's text, when it is a published post (waiting for its time or not). */
export async function loadText(db: Db, postId: number): Promise<RelatedText | undefined> {
  const post = await db
    .selectFrom('posts')
    .select(['title', 'html'])
    .where('id', '=', postId)
    .where('type', '=', 'post')
    .where('status', '=', 'published')
    .executeTakeFirst();
  if (!post) return undefined;
  const tags = await db
    .selectFrom('post_tags')
    .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
    .select('tags.name')
    .where('post_tags.post_id', '=', postId)
    .execute();
  return { title: post.title, tags: tags.map((t) => t.name), body: htmlToText(post.html) };
}

/**
 * The text of every published post, a page of posts at a time (in id order), so that a
 * rebuild never holds every post's text at once.
 */
export async function* eachText(db: Db, pageSize = 500): AsyncGenerator<[number, RelatedText]> {
  let after = 0;
  for (;;) {
    const posts = await db
      .selectFrom('posts')
      .select(['id', 'title', 'html'])
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (posts.length === 0) return;
    const tags = await db
      .selectFrom('post_tags')
      .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
      .select(['post_tags.post_id', 'tags.name'])
      .where(
        'post_tags.post_id',
        'in',
        posts.map((p) => p.id),
      )
      .orderBy('post_tags.post_id')
      .orderBy('post_tags.position')
      .execute();
    const names = new Map<number, string[]>();
    for (const t of tags) append(names, t.post_id, t.name);
    for (const p of posts) yield [p.id, { title: p.title, tags: names.get(p.id) ?? [], body: htmlToText(p.html) }];
    after = posts.at(-1)?.id ?? after;
  }
}

/** Category, time and tags of published posts, by id. */
export async function loadFacts(db: Db, ids: number[]): Promise<Map<number, PostFacts>> {
  const facts = new Map<number, PostFacts>();
  for (const chunk of chunks(ids)) {
    const posts = await db
      .selectFrom('posts')
      .select(['id', 'category_id', 'published_at'])
      .where('id', 'in', chunk)
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .execute();
    for (const p of posts)
      facts.set(p.id, { id: p.id, categoryId: p.category_id, publishedAt: p.published_at ?? '', tagIds: [] });
    const tags = await db.selectFrom('post_tags').select(['post_id', 'tag_id']).where('post_id', 'in', chunk).execute();
    for (const t of tags) facts.get(t.post_id)?.tagIds.push(t.tag_id);
  }
  return facts;
}

/** Moves the document frequencies from a post's old terms to its new ones. */
export async function countTerms(db: Db, oldTerms: string[], newTerms: string[]): Promise<void> {
  const before = new Set(oldTerms);
  const after = new Set(newTerms);
  const gone = oldTerms.filter((t) => !after.has(t));
  const added = newTerms.filter((t) => !before.has(t));
  for (const chunk of chunks(gone)) {
    await db.updateTable('related_terms').set({ df: sql`df - 1` }).where('term', 'in', chunk).execute();
  }
  if (gone.length > 0) await db.deleteFrom('related_terms').where('df', '<=', 0).execute();
  for (const chunk of chunks(added)) {
    await db
      .insertInto('related_terms')
      .values(chunk.map((term) => ({ term, df: 1 })))
      .onConflict((oc) => oc.column('term').doUpdateSet({ df: sql`related_terms.df + 1` }))
      .execute();
  }
}

export async function documentFrequencies(db: Db, terms: string[]): Promise<Map<string, number>> {
  const df = new Map<string, number>();
  for (const chunk of chunks(terms)) {
    const rows = await db.selectFrom('related_terms').select(['term', 'df']).where('term', 'in', chunk).execute();
    for (const r of rows) df.set(r.term, Number(r.df));
  }
  return df;
}

/** A post's best matches (see `scoreAgainst`). */
export async function computeList(db: Db, postId: number): Promise<Scored[]> {
  return (await scoreAgainst(db, postId)).slice(0, KEEP);
}

/**
 * Every candidate for a post's list, scored, best first: the posts that share its
 * strongest terms (cosine similarity of the stored weights, from the inverted index),
 * those that share most of its tags, and the newest in its category.
 */
export async function scoreAgainst(db: Db, postId: number): Promise<Scored[]> {
  const p = (await loadFacts(db, [postId])).get(postId);
  if (!p) return [];
  const similar = await db
    .selectFrom('related_index as a')
    .innerJoin('related_index as b', 'b.term', 'a.term')
    .select(['b.post_id', (eb) => eb.fn.sum<number>(sql`a.weight * b.weight`).as('sim')])
    .where('a.post_id', '=', postId)
    .where('b.post_id', '!=', postId)
    .groupBy('b.post_id')
    .orderBy('sim', 'desc')
    .orderBy('b.post_id')
    .limit(CANDIDATES)
    .execute();
  const cosines = new Map(similar.map((s) => [s.post_id, Number(s.sim)]));
  if (p.tagIds.length > 0) {
    const sharing = await db
      .selectFrom('post_tags')
      .select(['post_id', (eb) => eb.fn.countAll<number>().as('shared')])
      .where('tag_id', 'in', p.tagIds)
      .where('post_id', '!=', postId)
      .groupBy('post_id')
      .orderBy('shared', 'desc')
      .orderBy('post_id', 'desc')
      .limit(CANDIDATES)
      .execute();
    for (const s of sharing) if (!cosines.has(s.post_id)) cosines.set(s.post_id, 0);
  }
  if (p.categoryId !== null) {
    const neighbours = await db
      .selectFrom('posts')
      .select('id')
      .where('category_id', '=', p.categoryId)
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .where('id', '!=', postId)
      .orderBy('published_at', 'desc')
      .limit(NEIGHBOURS)
      .execute();
    for (const n of neighbours) if (!cosines.has(n.id)) cosines.set(n.id, 0);
  }
  // Candidates found by tags or category may still share some words: their true cosine.
  const others = [...cosines].filter(([, c]) => c === 0).map(([id]) => id);
  for (const chunk of chunks(others)) {
    const sims = await db
      .selectFrom('related_index as a')
      .innerJoin('related_index as b', 'b.term', 'a.term')
      .select(['b.post_id', (eb) => eb.fn.sum<number>(sql`a.weight * b.weight`).as('sim')])
      .where('a.post_id', '=', postId)
      .where('b.post_id', 'in', chunk)
      .groupBy('b.post_id')
      .execute();
    for (const s of sims) cosines.set(s.post_id, Number(s.sim));
  }
  const facts = await loadFacts(db, [...cosines.keys()]);
  const scored: Scored[] = [];
  for (const [id, cosine] of cosines) {
    const q = facts.get(id);
    if (q) scored.push({ id, score: blend(p, q, cosine) });
  }
  return scored.sort(byScore);
}

export async function writeList(db: Db, postId: number, list: Scored[]): Promise<void> {
  await db.deleteFrom('related_posts').where('post_id', '=', postId).execute();
  if (list.length > 0)
    await db
      .insertInto('related_posts')
      .values(list.map((s) => ({ post_id: postId, related_id: s.id, score: s.score })))
      .execute();
}

/** The posts whose lists hold this one. */
export async function listsHolding(db: Db, postId: number): Promise<number[]> {
  const rows = await db.selectFrom('related_posts').select('post_id').where('related_id', '=', postId).execute();
  return rows.map((r) => r.post_id);
}

/** Stored lists, best first, of published posts among `ids`. */
export async function loadLists(db: Db, ids: number[]): Promise<Map<number, Scored[]>> {
  const lists = new Map<number, Scored[]>();
  for (const chunk of chunks(ids)) {
    const docs = await db.selectFrom('related_docs').select('post_id').where('post_id', 'in', chunk).execute();
    for (const d of docs) lists.set(d.post_id, []);
    const rows = await db
      .selectFrom('related_posts')
      .select(['post_id', 'related_id', 'score'])
      .where('post_id', 'in', chunk)
      .execute();
    for (const r of rows) lists.get(r.post_id)?.push({ id: r.related_id, score: Number(r.score) });
  }
  for (const list of lists.values()) list.sort(byScore);
  return lists;
}

export async function insertChunked(
  db: Db,
  table: 'related_terms' | 'related_docs' | 'related_index' | 'related_posts',
  rows: object[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
