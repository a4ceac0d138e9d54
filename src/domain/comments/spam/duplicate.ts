import { createHash } from 'node:crypto';
import type { SpamCheck } from './types.js';

/** How far back a repeated text counts as a duplicate. */
const DUPLICATE_WINDOW_DAYS = 30;

/** SHA-256 of a text with case, spacing and punctuation set aside. */
export function bodyHash(text: string): string {
  const normal = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return createHash('sha256').update(normal).digest('hex');
}

/**
 * Flags a text that someone already sent to this site in the last 30 days, on any post
 * (the same words pasted under many posts are the commonest spam). Trashed comments do
 * not count: a moderator threw those away.
 */
export const duplicateCheck: SpamCheck = async (c, env) => {
  const since = new Date(env.now.getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000).toISOString();
  const row = await env.db
    .selectFrom('comments')
    .select('id')
    .where('body_hash', '=', c.bodyHash)
    .where('created_at', '>=', since)
    .where('status', '!=', 'trash')
    .limit(1)
    .executeTakeFirst();
  return row ? { verdict: 'spam', reason: 'duplicate' } : undefined;
};
