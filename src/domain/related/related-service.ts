import { HearthError, ValidationError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import { append, strongest, top } from './collections.js';
import {
  computeList,
  countTerms,
  documentFrequencies,
  eachText,
  insertChunked,
  listsHolding,
  loadFacts,
  loadLists,
  loadText,
  NEIGHBOURS,
  scoreAgainst,
  writeList,
} from './related-store.js';
import { byScore, CANDIDATES, KEEP, type PostFacts, rank, type Scored } from './score.js';
import { termFrequencies, topWeights } from './terms.js';

/** At most this many posts pinned by hand to one post. */
export const MAX_PINS = 6;
/** A list that falls below this after a post leaves it is computed again. */
const REFILL_BELOW = 5;

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
      await tx.deleteFrom('related_posts').execute();
      await tx.deleteFrom('related_index').execute();
      await tx.deleteFrom('related_docs').execute();
      await tx.deleteFrom('related_terms').execute();
      // The posts are read twice, a page at a time (once for the document frequencies, once
      // for each post's weights), rather than every text and term count held at once: at
      // 10,000 posts those were most of the memory an import used.
      const df = new Map<string, number>();
      let posts = 0;
      let docRows: { post_id: number; terms: string }[] = [];
      for await (const [id, text] of eachText(tx)) {
        posts++;
        const terms = [...termFrequencies(text).keys()];
        for (const term of terms) df.set(term, (df.get(term) ?? 0) + 1);
        docRows.push({ post_id: id, terms: JSON.stringify(terms) });
        if (docRows.length >= 500) {
          await insertChunked(tx, 'related_docs', docRows);
          docRows = [];
        }
      }
      await insertChunked(tx, 'related_docs', docRows);
      const weights = new Map<number, Map<string, number>>();
      for await (const [id, text] of eachText(tx))
        weights.set(
          id,
          topWeights(termFrequencies(text), (t) => df.get(t) ?? 1, posts),
        );
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
      const facts = await loadFacts(tx, ids);
      const byTag = new Map<number, number[]>();
      const byCategory = new Map<number, PostFacts[]>();
      for (const f of facts.values()) {
        for (const t of f.tagIds) append(byTag, t, f.id);
        if (f.categoryId !== null) append(byCategory, f.categoryId, f);
      }
      for (const list of byCategory.values()) list.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1));

      await insertChunked(
        tx,
        'related_terms',
        [...df].map(([term, n]) => ({ term, df: n })),
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
      return { posts };
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
