import { HearthError } from '../../errors.js';
import type { Db, SpamLabel } from '../../storage/index.js';
import { renderCommentText } from './comment-text.js';
import { type LearningFilter, spamTokens } from './spam/index.js';

/**
 * Teaches the learning filter a moderator's decision on one comment, inside the caller's
 * transaction: `ham` for approved, `spam` for spam. Training again with the other label
 * takes the first back; with the same label it changes nothing.
 *
 * @throws HearthError `HEARTH_ERR_COMMENT_NOT_FOUND` (404)
 */
export async function trainComment(tx: Db, filter: LearningFilter, id: number, label: SpamLabel): Promise<void> {
  const row = await tx
    .selectFrom('comments')
    .select(['author_name', 'author_email', 'author_website', 'body', 'trained_as'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new HearthError('HEARTH_ERR_COMMENT_NOT_FOUND', { id });
  if (row.trained_as === label) return;
  const tokens = spamTokens({
    name: row.author_name,
    email: row.author_email,
    website: row.author_website,
    body: row.body,
    links: renderCommentText(row.body).links,
  });
  await filter.learn(tx, tokens, label, row.trained_as);
  await tx.updateTable('comments').set({ trained_as: label }).where('id', '=', id).execute();
}
