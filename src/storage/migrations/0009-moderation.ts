import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/**
 * Moderation and notifications: the staff user who wrote a reply from the queue (shown
 * as the author), whether a commenter asked to hear of replies, and whether a reply's
 * notification went out (so re-approving a reply does not send it twice).
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await db.schema.alterTable('comments').addColumn('staff_user_id', 'integer').execute();
  await db.schema
    .alterTable('comments')
    .addColumn('notify_replies', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('comments')
    .addColumn('reply_notified', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('comments_post_status').on('comments').columns(['post_id', 'status']).execute();
}
