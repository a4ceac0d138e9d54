import type { Db, SpamLabel } from '../../../storage/index.js';
import type { SpamCheck } from './types.js';

/** At most this many distinct tokens of one comment are read or trained. */
const MAX_TOKENS = 400;
/** Tokens that decide a score: the ones farthest from "could be either". */
const MAX_EVIDENCE = 150;
/** The filter says nothing until it has seen this many comments of each label. */
export const MIN_TRAINING = 5;

/**
 * What the learning filter looks at in a comment: its words (letters and digits, 2 to 30
 * long, lower case), the hosts it links to and the domain of its email, each prefixed
 * so that a host cannot pass for a word.
 */
export function spamTokens(comment: {
  name: string;
  body: string;
  website: string | null;
  email: string | null;
  links: string[];
}): string[] {
  const tokens = new Set<string>();
  for (const w of comment.body.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]{1,29}/gu) ?? []) tokens.add(w);
  for (const w of comment.name.toLowerCase().match(/[\p{L}\p{N}]{2,30}/gu) ?? []) tokens.add(`name:${w}`);
  for (const address of [...(comment.website ? [comment.website] : []), ...comment.links]) {
    try {
      tokens.add(`host:${new URL(address).hostname.replace(/^www\./, '')}`);
    } catch {}
  }
  if (comment.email) tokens.add(`email:${comment.email.split('@')[1] ?? ''}`);
  if (!comment.website) tokens.add('meta:no-website');
  if (comment.links.length > 0) tokens.add(`meta:links-${Math.min(comment.links.length, 3)}`);
  return [...tokens].slice(0, MAX_TOKENS);
}

/** Upper tail of the chi-square distribution with an even number of degrees of freedom. */
function chi2Q(x2: number, dof: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < dof / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/**
 * A naive-Bayes style filter that learns only from this site's own moderation: each
 * token's spam probability with Robinson's correction for rare tokens, the most telling
 * tokens combined by Fisher's method. Counts live in the database (`spam_tokens`,
 * `spam_corpus`), so every instance scores alike.
 */
export class LearningFilter {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The chance (0..1) that tokens are spam; undefined until trained on both labels. */
  async score(tokens: string[]): Promise<number | undefined> {
    const corpus = await this.#db.selectFrom('spam_corpus').select(['label', 'documents']).execute();
    const docs = { ham: 0, spam: 0 };
    for (const row of corpus) docs[row.label] = Number(row.documents);
    if (docs.ham < MIN_TRAINING || docs.spam < MIN_TRAINING || tokens.length === 0) return undefined;
    const counts = await this.#db
      .selectFrom('spam_tokens')
      .select(['token', 'ham', 'spam'])
      .where('token', 'in', tokens)
      .execute();
    const evidence = counts
      .map((row) => {
        const s = Number(row.spam) / docs.spam;
        const h = Number(row.ham) / docs.ham;
        const n = Number(row.spam) + Number(row.ham);
        const p = s + h === 0 ? 0.5 : s / (s + h);
        // Robinson: a token seen once says little; pull it towards 0.5 (strength 1).
        return (0.5 + n * p) / (1 + n);
      })
      .filter((f) => Math.abs(f - 0.5) > 0.1)
      .sort((a, b) => Math.abs(b - 0.5) - Math.abs(a - 0.5))
      .slice(0, MAX_EVIDENCE)
      .map((f) => Math.min(Math.max(f, 0.001), 0.999));
    if (evidence.length === 0) return 0.5;
    const spamness = 1 - chi2Q(-2 * evidence.reduce((sum, f) => sum + Math.log(1 - f), 0), 2 * evidence.length);
    const hamness = 1 - chi2Q(-2 * evidence.reduce((sum, f) => sum + Math.log(f), 0), 2 * evidence.length);
    return (1 + spamness - hamness) / 2;
  }

  /**
   * Counts tokens as one more comment of `label`; with `previous`, first takes back an
   * earlier training of the same comment with the other label. Run it in a transaction.
   */
  async learn(db: Db, tokens: string[], label: SpamLabel, previous?: SpamLabel | null): Promise<void> {
    if (previous === label) return;
    if (previous) await this.#unlearn(db, tokens, previous);
    for (let i = 0; i < tokens.length; i += 200) {
      const batch = tokens.slice(i, i + 200);
      await db
        .insertInto('spam_tokens')
        .values(batch.map((token) => ({ token, ham: label === 'ham' ? 1 : 0, spam: label === 'spam' ? 1 : 0 })))
        .onConflict((oc) =>
          oc.column('token').doUpdateSet((eb) => ({
            ham: eb('spam_tokens.ham', '+', eb.ref('excluded.ham')),
            spam: eb('spam_tokens.spam', '+', eb.ref('excluded.spam')),
          })),
        )
        .execute();
    }
    await db
      .insertInto('spam_corpus')
      .values({ label, documents: 1 })
      .onConflict((oc) =>
        oc
          .column('label')
          .doUpdateSet((eb) => ({ documents: eb('spam_corpus.documents', '+', eb.ref('excluded.documents')) })),
      )
      .execute();
  }

  /** Takes back one training of tokens with `label` (a moderator changed their mind). */
  async #unlearn(db: Db, tokens: string[], label: SpamLabel): Promise<void> {
    for (let i = 0; i < tokens.length; i += 500) {
      await db
        .updateTable('spam_tokens')
        .set((eb) => ({ [label]: eb(label, '-', 1) }))
        .where('token', 'in', tokens.slice(i, i + 500))
        .where(label, '>', 0)
        .execute();
    }
    await db
      .updateTable('spam_corpus')
      .set((eb) => ({ documents: eb('documents', '-', 1) }))
      .where('label', '=', label)
      .where('documents', '>', 0)
      .execute();
  }

  /** Takes back a comment's training entirely (its data is being erased). */
  async forget(db: Db, tokens: string[], label: SpamLabel): Promise<void> {
    await this.#unlearn(db, tokens, label);
  }
}

/** Flags a comment that the learning filter scores at or above `commentSpamThreshold`. */
export const learningFilterCheck =
  (score: number | undefined): SpamCheck =>
  (_c, env) =>
    score !== undefined && score >= env.settings.commentSpamThreshold
      ? { verdict: 'spam', reason: 'learning-filter' }
      : undefined;
