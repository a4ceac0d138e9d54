import { urls } from '../../shared/urls.js';
import type { CommentStatus, Db, SpamLabel } from '../../storage/index.js';
import { renderCommentText } from './comment-text.js';
import { type LearningFilter, spamTokens } from './spam/index.js';

/** Everything Hearth holds about one commenter, as `hearth comments export` prints it. */
export interface CommenterExport {
  email: string;
  exportedAt: string;
  comments: {
    id: number;
    post: { id: number; title: string; url: string };
    replyTo: number | null;
    name: string;
    email: string;
    website: string | null;
    text: string;
    status: CommentStatus;
    createdAt: string;
    userAgent: string | null;
    /** Whether a (hashed) network address is still kept; the hash itself means nothing to anyone. */
    addressKept: boolean;
  }[];
}

const normalEmail = (email: string) => email.trim().toLowerCase();

/** Every comment sent with an email address (case set aside), oldest first. */
export async function exportCommenter(db: Db, email: string, publicUrl: string, now: Date): Promise<CommenterExport> {
  const address = normalEmail(email);
  const rows = await db
    .selectFrom('comments')
    .innerJoin('posts', 'posts.id', 'comments.post_id')
    .select([
      'comments.id',
      'comments.parent_id',
      'comments.author_name',
      'comments.author_email',
      'comments.author_website',
      'comments.body',
      'comments.status',
      'comments.created_at',
      'comments.user_agent',
      'comments.ip_hash',
      'posts.id as post_id',
      'posts.title as post_title',
      'posts.slug as post_slug',
    ])
    .where('comments.author_email', '=', address)
    .orderBy('comments.created_at')
    .orderBy('comments.id')
    .execute();
  return {
    email: address,
    exportedAt: now.toISOString(),
    comments: rows.map((r) => ({
      id: r.id,
      post: { id: r.post_id, title: r.post_title, url: `${publicUrl}${urls.post(r.post_slug)}` },
      replyTo: r.parent_id,
      name: r.author_name,
      email: r.author_email ?? address,
      website: r.author_website,
      text: r.body,
      status: r.status,
      createdAt: r.created_at,
      userAgent: r.user_agent,
      addressKept: r.ip_hash !== null,
    })),
  };
}

/**
 * Deletes every comment sent with an email address, in one transaction, and takes their
 * words back out of the learning filter. Replies to them stay, no longer linked.
 * Returns how many were deleted and the posts that showed any (their pages change).
 */
export async function eraseCommenter(
  db: Db,
  filter: LearningFilter,
  email: string,
): Promise<{ erased: number; visibleOn: number[] }> {
  const address = normalEmail(email);
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('comments')
      .select(['id', 'post_id', 'status', 'trained_as', 'author_name', 'author_website', 'body'])
      .where('author_email', '=', address)
      .execute();
    for (const r of rows) {
      if (!r.trained_as) continue;
      const tokens = spamTokens({
        name: r.author_name,
        email: address,
        website: r.author_website,
        body: r.body,
        links: renderCommentText(r.body).links,
      });
      await filter.forget(tx, tokens, r.trained_as as SpamLabel);
    }
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      await tx.updateTable('comments').set({ parent_id: null }).where('parent_id', 'in', batch).execute();
      await tx.deleteFrom('comments').where('id', 'in', batch).execute();
    }
    const visibleOn = [...new Set(rows.filter((r) => r.status === 'approved').map((r) => r.post_id))];
    return { erased: rows.length, visibleOn };
  });
}

/**
 * Forgets the hashed network address and browser of comments older than `days`: they
 * serve the rate limits and spam checks for a short while only. Returns how many.
 */
export async function forgetOldAddresses(db: Db, days: number, now: Date): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000).toISOString();
  const result = await db
    .updateTable('comments')
    .set({ ip_hash: null, user_agent: null })
    .where('created_at', '<', before)
    .where((eb) => eb.or([eb('ip_hash', 'is not', null), eb('user_agent', 'is not', null)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
