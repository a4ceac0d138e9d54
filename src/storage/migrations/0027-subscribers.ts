import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/*
 * Readers by email (issue 20). `subscribers` are addresses with their consent: a `pending`
 * address has asked and not yet confirmed (double opt-in), `active` ones receive mail, and
 * `unsubscribed`, `bounced` and `complained` ones never do. `token` names the reader's
 * preferences page and one-click unsubscribe link; only a hash of the confirmation token is
 * kept. An empty category list means every category.
 *
 * `newsletters` are sends (a post, a weekly digest), each a job; `newsletter_recipients`
 * holds one row per address and send, whose state is written in the same transaction as the
 * record of its message, so a send resumed after a crash sends nothing twice.
 * `subscribe_throttle` counts sign-ups per visitor (a salted hash) and hour.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('subscribers')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sqlIn('status', ['pending', 'active', 'unsubscribed', 'bounced', 'complained'])),
    )
    .addColumn('frequency', 'text', (c) =>
      c
        .notNull()
        .defaultTo('every')
        .check(sqlIn('frequency', ['every', 'digest'])),
    )
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('form')
        .check(sqlIn('source', ['form', 'admin', 'import'])),
    )
    .addColumn('source_path', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('confirm_hash', 'text')
    .addColumn('confirm_sent_at', ts)
    .addColumn('consent_at', ts)
    .addColumn('consent_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('bounces', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_bounce_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('unsubscribed_at', ts)
    .execute();
  await db.schema.createIndex('subscribers_status').on('subscribers').columns(['status', 'id']).execute();
  await db.schema
    .createTable('subscriber_categories')
    .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
    .addColumn('category_id', 'integer', (c) => c.notNull().references('categories.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('subscriber_categories_pk', ['subscriber_id', 'category_id'])
    .execute();
  await db.schema
    .createTable('subscribe_throttle')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('subscribe_throttle_pk', ['key', 'hour'])
    .execute();
  await db.schema
    .createTable('newsletters')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['post', 'digest'])))
    // 'post:12', 'digest:2026-12-07': one send of each, whichever instance asks first.
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('post_id', 'integer', (c) => c.references('posts.id').onDelete('set null'))
    .addColumn('content', 'text', (c) =>
      c
        .notNull()
        .defaultTo('full')
        .check(sqlIn('content', ['full', 'excerpt'])),
    )
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('scheduled')
        .check(sqlIn('state', ['scheduled', 'sending', 'paused', 'done', 'failed', 'cancelled'])),
    )
    .addColumn('send_at', ts, (c) => c.notNull())
    // The message as sent, fixed when sending starts: every reader gets the same one.
    .addColumn('html', 'text')
    .addColumn('text', 'text')
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('heartbeat_at', ts)
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .execute();
  await db.schema.createIndex('newsletters_due').on('newsletters').columns(['state', 'send_at']).execute();
  await db.schema
    .createTable('newsletter_recipients')
    .addColumn('newsletter_id', 'integer', (c) => c.notNull().references('newsletters.id').onDelete('cascade'))
    .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sqlIn('state', ['pending', 'sending', 'sent', 'failed', 'skipped'])),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message_id', 'text')
    .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('sent_at', ts)
    .addPrimaryKeyConstraint('newsletter_recipients_pk', ['newsletter_id', 'subscriber_id'])
    .execute();
  await db.schema
    .createIndex('newsletter_recipients_state')
    .on('newsletter_recipients')
    .columns(['newsletter_id', 'state', 'subscriber_id'])
    .execute();
  await db.schema
    .createIndex('newsletter_recipients_subscriber')
    .on('newsletter_recipients')
    .column('subscriber_id')
    .execute();
}
