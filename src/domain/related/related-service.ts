import { sql } from 'kysely';
import { HearthError, ValidationError } from '../../errors.js';
import { htmlToText } from '../../shared/text.js';
import type { Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import { blend, byScore, CANDIDATES, KEEP, type PostFacts, rank, type Scored } from './score.js';
import { type RelatedText, termFrequencies, topWeights } from './terms.js';

/** At most this many posts pinned by hand to one post. */
export const MAX_PINS = 6;
/** A list that falls below this after a post leaves it is computed again. */
const REFILL_BELOW = 5;
const CHUNK = 500;
/** Newest posts of the same category looked at. */
const NEIGHBOURS = 20;

export interface RelatedOverrides {
  /** Shown first, in this order. */
  pin: number[];
  /** Never shown. */
  exclude: number[];
}

/**
 * "You might also like": for every published post, its most related posts, stored.
 *
 * Related means: similar words (TF-IDF vectors over title, tags and body, cosine), shared
 * tags and category, and closeness in time (see `blend`). The lists are kept up to date
 * post by post, in the transaction that writes the post (`postChanged`): the post's
 * terms are counted in (document frequencies move by one), its list is computed from an
 * inverted index of every post's strongest terms, and the lists of the posts it touches
 * take it in or let it go. Nothing else is recomputed, so one edit costs the same at
 * 100 posts as at 10,000. Other posts' weights keep the document frequencies of when
 * they were written; `rebuild` computes everything afresh (after an import, a copy, or
 * when a database first gets related posts).
 */
export class RelatedService {
  #db: Db;
  #changes: ChangeFeed;

  constructor(deps: { db: Db; changes: ChangeFeed }) {
    this.#db = deps.db;
    this.#changes = deps.changes;
  }

  /** Brings the index and the lists up to date with one post as it now is. Run it in the post's transaction. */
  async postChanged(db: Db, postId: number): Promise<void> {
    const text = await loadText(db, postId);
    const old = await db.selectFrom('related_docs').select('terms').where('post_id', '=', postId).executeTakeFirst();
    const oldTerms: string[] = old ? JSON.parse(old.terms) : [];
    const tf = text ? termFrequencies(text) : new Map<string, number>();
    await countTerms(db, oldTerms, [...tf.keys()]);
    await db.deleteFrom('related_index').where('post_id', '=', postId).execute();

    if (!text) {
      // No longer public (a draft, a page, or gone): out of every list.
      await db.deleteFrom('related_docs').where('post_id', '=', postId).execute();
      const holders = await listsHolding(db, postId);
      await db
        .deleteFrom('related_posts')
        .where((eb) => eb.or([eb('post_id', '=', postId), eb('related_id', '=', postId)]))
        .execute();
      await this.#refill(db, holders);
      return;
    }

    const terms = JSON.stringify([...tf.keys()]);
    if (old) await db.updateTable('related_docs').set({ terms }).where('post_id', '=', postId).execute();
    else await db.insertInto('related_docs').values({ post_id: postId, terms }).execute();
    const docs = Number(
      (
        await db
          .selectFrom('related_docs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const df = await documentFrequencies(db, [...tf.keys()]);
    const weights = topWeights(tf, (t) => df.get(t) ?? 1, docs);
    if (weights.size > 0) {
      await db
        .insertInto('related_index')
        .values([...weights].map(([term, weight]) => ({ term, post_id: postId, weight })))
        .execute();
    }

    const all = await scoreAgainst(db, postId);
    await writeList(db, postId, all.slice(0, KEEP));

    // The others: those that listed this post, and those it is now close to.
    const holders = await listsHolding(db, postId);
    await db.deleteFrom('related_posts').where('related_id', '=', postId).execute();
    const scores = new Map(all.map((s) => [s.id, s.score]));
    const lists = await loadLists(db, [...new Set([...holders, ...scores.keys()])]);
    const shrunk: number[] = [];
    for (const [ownerId, entries] of lists) {
      const score = scores.get(ownerId);
      const weakest = entries[entries.length - 1];
      if (score !== undefined && (entries.length < KEEP || (weakest && byScore({ id: postId, score }, weakest) < 0))) {
        await db.insertInto('related_posts').values({ post_id: ownerId, related_id: postId, score }).execute();
        if (entries.length >= KEEP && weakest) {
          await db
            .deleteFrom('related_posts')
            .where('post_id', '=', ownerId)
            .where('related_id', '=', weakest.id)
            .execute();
        }
      } else if (holders.includes(ownerId) && entries.length < REFILL_BELOW) {
        shrunk.push(ownerId);
      }
    }
    await this.#refill(db, shrunk);
  }

  /** Computes every post's terms and list afresh, in memory, then stores them. */
  async rebuild(db: Db = this.#db): Promise<{ posts: number }> {
    const run = async (tx: Db) => {
      const docs = await loadAllTexts(tx);
      const tfs = new Map([...docs].map(([id, text]) => [id, termFrequencies(text)]));
      const df = new Map<string, number>();
      for (const tf of tfs.values()) for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
      const weights = new Map([...tfs].map(([id, tf]) => [id, topWeights(tf, (t) => df.get(t) ?? 1, tfs.size)]));
      // Dense numbering, so that similarities add up in one typed array (a dense site
      // sums hundreds of millions of products here).
      const ids = [...weights.keys()];
      const postings = new Map<string, { at: number[]; weight: number[] }>();
      ids.forEach((id, at) => {
        for (const [term, weight] of weights.get(id) ?? []) {
          let list = postings.get(term);
          if (!list) {
            list = { at: [], weight: [] };
            postings.set(term, list);
          }
          list.at.push(at);
          list.weight.push(weight);
        }
      });
      const indexOf = new Map(ids.map((id, at) => [id, at]));
      const facts = await loadFacts(tx, [...docs.keys()]);
      const byTag = new Map<number, number[]>();
      const byCategory = new Map<number, PostFacts[]>();
      for (const f of facts.values()) {
        for (const t of f.tagIds) append(byTag, t, f.id);
        if (f.categoryId !== null) append(byCategory, f.categoryId, f);
      }
      for (const list of byCategory.values()) list.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1));

      await tx.deleteFrom('related_posts').execute();
      await tx.deleteFrom('related_index').execute();
      await tx.deleteFrom('related_docs').execute();
      await tx.deleteFrom('related_terms').execute();
      await insertChunked(
        tx,
        'related_terms',
        [...df].map(([term, n]) => ({ term, df: n })),
      );
      await insertChunked(
        tx,
        'related_docs',
        [...tfs].map(([id, tf]) => ({ post_id: id, terms: JSON.stringify([...tf.keys()]) })),
      );
      await insertChunked(
        tx,
        'related_index',
        [...weights].flatMap(([id, w]) => [...w].map(([term, weight]) => ({ term, post_id: id, weight }))),
      );

      const rows: { post_id: number; related_id: number; score: number }[] = [];
      const sims = new Float64Array(ids.length);
      const touched: number[] = [];
      const simOf = (other: number) => sims[indexOf.get(other) ?? -1] ?? 0;
      ids.forEach((id, self) => {
        const p = facts.get(id);
        if (!p) return;
        for (const [term, weight] of weights.get(id) ?? []) {
          const list = postings.get(term);
          if (!list) continue;
          for (let k = 0; k < list.at.length; k++) {
            const at = list.at[k] as number;
            if (at === self) continue;
            if (sims[at] === 0) touched.push(at);
            sims[at] = (sims[at] as number) + weight * (list.weight[k] as number);
          }
        }
        const cosines = new Map<number, number>();
        for (const at of strongest(sims, touched, CANDIDATES)) cosines.set(ids[at] as number, sims[at] as number);
        const shared = new Map<number, number>();
        for (const t of p.tagIds)
          for (const other of byTag.get(t) ?? []) if (other !== id) shared.set(other, (shared.get(other) ?? 0) + 1);
        for (const [other] of top(shared, CANDIDATES, (x, y) => y[1] - x[1] || y[0] - x[0]))
          if (!cosines.has(other)) cosines.set(other, simOf(other));
        const inCategory = p.categoryId !== null ? (byCategory.get(p.categoryId) ?? []) : [];
        for (const q of inCategory.filter((q) => q.id !== id).slice(0, NEIGHBOURS))
          if (!cosines.has(q.id)) cosines.set(q.id, simOf(q.id));
        for (const s of rank(p, cosines, facts)) rows.push({ post_id: id, related_id: s.id, score: s.score });
        for (const at of touched) sims[at] = 0;
        touched.length = 0;
      });
      await insertChunked(tx, 'related_posts', rows);
      return { posts: docs.size };
    };
    if (db !== this.#db) return run(db); // the caller's transaction: the caller announces it
    const result = await this.#db.transaction().execute(run);
    this.#changes.publish({ kind: 'site' });
    return result;
  }

  /** True when published posts exist but no related posts have been computed (a database from before them). */
  async needsRebuild(): Promise<boolean> {
    const doc = await this.#db.selectFrom('related_docs').select('post_id').limit(1).executeTakeFirst();
    if (doc) return false;
    const post = await this.#db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .limit(1)
      .executeTakeFirst();
    return post !== undefined;
  }

  /** The writer's pins and exclusions for a post. */
  async overrides(postId: number): Promise<RelatedOverrides> {
    const rows = await this.#db
      .selectFrom('related_overrides')
      .select(['related_id', 'kind'])
      .where('post_id', '=', postId)
      .orderBy('position')
      .execute();
    return {
      pin: rows.filter((r) => r.kind === 'pin').map((r) => r.related_id),
      exclude: rows.filter((r) => r.kind === 'exclude').map((r) => r.related_id),
    };
  }

  /** Replaces a post's pins and exclusions (posts, by id), in one transaction. */
  async setOverrides(postId: number, overrides: RelatedOverrides): Promise<void> {
    const errors: Record<string, string> = {};
    const all = [...overrides.pin, ...overrides.exclude];
    if (overrides.pin.length > MAX_PINS) errors.pin = `At most ${MAX_PINS} posts can be pinned.`;
    if (all.includes(postId)) errors.pin = 'A post cannot be related to itself.';
    if (new Set(all).size !== all.length)
      errors.exclude = 'A post cannot be both pinned and excluded, or listed twice.';
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    await this.#db.transaction().execute(async (tx) => {
      const ids = [postId, ...all];
      const found = await tx
        .selectFrom('posts')
        .select('id')
        .where('type', '=', 'post')
        .where('id', 'in', ids)
        .execute();
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0) throw new HearthError('HEARTH_ERR_POST_MISSING', { id: missing.join(', ') });
      await tx.deleteFrom('related_overrides').where('post_id', '=', postId).execute();
      const rows = [
        ...overrides.pin.map((id, position) => ({ post_id: postId, related_id: id, kind: 'pin' as const, position })),
        ...overrides.exclude.map((id, position) => ({
          post_id: postId,
          related_id: id,
          kind: 'exclude' as const,
          position,
        })),
      ];
      if (rows.length > 0) await tx.insertInto('related_overrides').values(rows).execute();
    });
    this.#changes.publish({ kind: 'post', postId });
  }

  /** The stored list of a post, best first, with scores (for the CLI and tests). */
  async computed(postId: number): Promise<Scored[]> {
    return (await loadLists(this.#db, [postId])).get(postId) ?? [];
  }

  async #refill(db: Db, ids: number[]): Promise<void> {
    for (const id of ids) await writeList(db, id, await computeList(db, id));
  }
}

/** A post's text, when it is a published post (waiting for its time or not). */
async function loadText(db: Db, postId: number): Promise<RelatedText | undefined> {
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

async function loadAllTexts(db: Db): Promise<Map<number, RelatedText>> {
  const posts = await db
    .selectFrom('posts')
    .select(['id', 'title', 'html'])
    .where('type', '=', 'post')
    .where('status', '=', 'published')
    .orderBy('id')
    .execute();
  const tags = await db
    .selectFrom('post_tags')
    .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
    .select(['post_tags.post_id', 'tags.name'])
    .execute();
  const names = new Map<number, string[]>();
  for (const t of tags) append(names, t.post_id, t.name);
  return new Map(posts.map((p) => [p.id, { title: p.title, tags: names.get(p.id) ?? [], body: htmlToText(p.html) }]));
}

/** Category, time and tags of published posts, by id. */
async function loadFacts(db: Db, ids: number[]): Promise<Map<number, PostFacts>> {
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
async function countTerms(db: Db, oldTerms: string[], newTerms: string[]): Promise<void> {
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

async function documentFrequencies(db: Db, terms: string[]): Promise<Map<string, number>> {
  const df = new Map<string, number>();
  for (const chunk of chunks(terms)) {
    const rows = await db.selectFrom('related_terms').select(['term', 'df']).where('term', 'in', chunk).execute();
    for (const r of rows) df.set(r.term, Number(r.df));
  }
  return df;
}

/** A post's best matches (see `scoreAgainst`). */
async function computeList(db: Db, postId: number): Promise<Scored[]> {
  return (await scoreAgainst(db, postId)).slice(0, KEEP);
}

/**
 * Every candidate for a post's list, scored, best first: the posts that share its
 * strongest terms (cosine similarity of the stored weights, from the inverted index),
 * those that share most of its tags, and the newest in its category.
 */
async function scoreAgainst(db: Db, postId: number): Promise<Scored[]> {
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

async function writeList(db: Db, postId: number, list: Scored[]): Promise<void> {
  await db.deleteFrom('related_posts').where('post_id', '=', postId).execute();
  if (list.length > 0)
    await db
      .insertInto('related_posts')
      .values(list.map((s) => ({ post_id: postId, related_id: s.id, score: s.score })))
      .execute();
}

/** The posts whose lists hold this one. */
async function listsHolding(db: Db, postId: number): Promise<number[]> {
  const rows = await db.selectFrom('related_posts').select('post_id').where('related_id', '=', postId).execute();
  return rows.map((r) => r.post_id);
}

/** Stored lists, best first, of published posts among `ids`. */
async function loadLists(db: Db, ids: number[]): Promise<Map<number, Scored[]>> {
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

async function insertChunked(
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

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The `k` first entries in the given order, without sorting them all. */
function top<K, V>(entries: Iterable<[K, V]>, k: number, order: (a: [K, V], b: [K, V]) => number): [K, V][] {
  const best: [K, V][] = [];
  for (const entry of entries) {
    if (best.length === k && order(entry, best[k - 1] as [K, V]) >= 0) continue;
    let i = best.length;
    while (i > 0 && order(entry, best[i - 1] as [K, V]) < 0) i--;
    best.splice(i, 0, entry);
    if (best.length > k) best.pop();
  }
  return best;
}

/** The positions of the `k` largest values among `positions`, largest first (no allocation per value). */
function strongest(values: Float64Array, positions: number[], k: number): number[] {
  const best: number[] = [];
  for (const at of positions) {
    const v = values[at] as number;
    if (best.length === k && v <= (values[best[k - 1] as number] as number)) continue;
    let i = best.length;
    while (i > 0 && v > (values[best[i - 1] as number] as number)) i--;
    best.splice(i, 0, at);
    if (best.length > k) best.pop();
  }
  return best;
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
