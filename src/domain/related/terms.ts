import { stemmer } from 'stemmer';
import { isStopWord, words } from '../../shared/words.js';

/** What a post is about, as text: its title, its tags' names and its body. */
export interface RelatedText {
  title: string;
  tags: string[];
  body: string;
}

/** How much a word counts where it stands: a title word says most about a post. */
const TITLE_WEIGHT = 3;
const TAG_WEIGHT = 2;
/** A post's strongest terms kept in the index: enough to find its neighbours. */
export const TERMS_PER_POST = 25;

const stems = new Map<string, string>();

/** English words stemmed (Porter), other scripts as they are; no stop words, no numbers. */
function termsOf(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    if (word.length < 3 || isStopWord(word) || /^\p{N}+$/u.test(word)) continue;
    let stem = stems.get(word);
    if (stem === undefined) {
      stem = /^[a-z]+$/.test(word) ? stemmer(word) : word;
      if (stems.size < 100_000) stems.set(word, stem);
    }
    out.push(stem);
  }
  return out;
}

/**
 * Term frequencies of a post, damped (1 + log tf) so that one word said twenty times
 * does not outweigh the rest; title and tag words count more.
 */
export function termFrequencies(text: RelatedText): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (source: string, weight: number) => {
    for (const term of termsOf(source)) counts.set(term, (counts.get(term) ?? 0) + weight);
  };
  add(text.title, TITLE_WEIGHT);
  for (const tag of text.tags) add(tag, TAG_WEIGHT);
  add(text.body, 1);
  for (const [term, n] of counts) counts.set(term, 1 + Math.log(n));
  return counts;
}

/**
 * The post's strongest terms by TF-IDF, scaled to unit length, so that the dot product
 * of two posts' weights is their cosine similarity. `df` gives each term's document
 * frequency among `docs` posts.
 */
export function topWeights(tf: Map<string, number>, df: (term: string) => number, docs: number): Map<string, number> {
  const scored: [string, number][] = [];
  for (const [term, f] of tf) scored.push([term, f * Math.log(1 + docs / Math.max(1, df(term)))]);
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = scored.slice(0, TERMS_PER_POST);
  const norm = Math.sqrt(top.reduce((sum, [, w]) => sum + w * w, 0)) || 1;
  return new Map(top.map(([term, w]) => [term, w / norm]));
}
