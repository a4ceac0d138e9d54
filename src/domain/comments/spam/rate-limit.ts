import { HearthError } from '../../../errors.js';
import type { Db } from '../../../storage/index.js';
import type { SiteSettings } from '../../settings/index.js';

/**
 * Refuses a comment when its address (hashed) or email sent as many comments as the
 * settings allow in the window. The count is of stored comments, so it holds across
 * every instance that shares the database. A refused comment is not stored.
 *
 * @throws HearthError `HEARTH_ERR_COMMENT_RATE_LIMIT` (429)
 */
export async function enforceRateLimit(
  db: Db,
  who: { ipHash: string; email: string | null },
  settings: SiteSettings,
  now: Date,
): Promise<void> {
  const minutes = settings.commentRateWindowMinutes;
  const since = new Date(now.getTime() - minutes * 60_000).toISOString();
  // Counts no further than the limit: a busy address costs no more than a quiet one.
  const reaches = async (column: 'ip_hash' | 'author_email', value: string, limit: number) => {
    const rows = await db
      .selectFrom('comments')
      .select('id')
      .where(column, '=', value)
      .where('created_at', '>=', since)
      .limit(limit)
      .execute();
    return rows.length >= limit;
  };
  const overIp = await reaches('ip_hash', who.ipHash, settings.commentRateLimitPerIp);
  const overEmail = who.email !== null && (await reaches('author_email', who.email, settings.commentRateLimitPerEmail));
  if (overIp || overEmail) throw new HearthError('HEARTH_ERR_COMMENT_RATE_LIMIT', { minutes });
}
