/** What the blend needs to know of a post besides its words. */
export interface PostFacts {
  id: number;
  categoryId: number | null;
  /** UTC ISO 8601. */
  publishedAt: string;
  tagIds: number[];
}

/**
 * How much each signal counts, in the spirit of Hugo's weighted related-content indices:
 * what the posts say most, then their tags and category, and a little closeness in time.
 */
export const WEIGHTS = { text: 0.55, tags: 0.25, category: 0.15, time: 0.05 } as const;
/** Suggestions stored per post: more than a page shows, so that exclusions and unpublished posts leave enough. */
export const KEEP = 10;
/** Candidates looked at per signal. */
export const CANDIDATES = 60;

const DAY = 86_400_000;

/**
 * How related two posts are, from 0 to 1: the cosine similarity of their terms, the
 * share of tags they have in common (Dice), a shared category, and how near in time they
 * were published (a half-life of about a year and a half). Symmetric, so a change to one
 * post can update the others' lists with the same number.
 */
export function blend(p: PostFacts, q: PostFacts, cosine: number): number {
  const shared = p.tagIds.filter((t) => q.tagIds.includes(t)).length;
  const tags = p.tagIds.length + q.tagIds.length > 0 ? (2 * shared) / (p.tagIds.length + q.tagIds.length) : 0;
  const category = p.categoryId !== null && p.categoryId === q.categoryId ? 1 : 0;
  const days = Math.abs(Date.parse(p.publishedAt) - Date.parse(q.publishedAt)) / DAY;
  const time = Math.exp(-days / 730);
  return WEIGHTS.text * Math.min(1, cosine) + WEIGHTS.tags * tags + WEIGHTS.category * category + WEIGHTS.time * time;
}

export interface Scored {
  id: number;
  score: number;
}

/** Best first; equal scores by id, so that every database and run agree. */
export function byScore(a: Scored, b: Scored): number {
  return b.score - a.score || a.id - b.id;
}

/** The `KEEP` best candidates for `p` (`cosines` holds the text similarity of each candidate). */
export function rank(p: PostFacts, cosines: Map<number, number>, facts: Map<number, PostFacts>): Scored[] {
  const scored: Scored[] = [];
  for (const [id, cosine] of cosines) {
    const q = facts.get(id);
    if (q && id !== p.id) scored.push({ id, score: blend(p, q, cosine) });
  }
  return scored.sort(byScore).slice(0, KEEP);
}
