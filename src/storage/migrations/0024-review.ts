import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/*
 * The guest writer's review (issue 18): a draft submitted for review carries the time it
 * was submitted (a flag beside its status, which stays `draft`: a post waiting for an
 * editor is not public, and every reader of `status` stays right). `review_notes` is the
 * private thread between the writer and the reviewers, with the steps of the review
 * (submitted, withdrawn, sent back, published) as notes of their own kind.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;
  await db.schema.alterTable('posts').addColumn('review_submitted_at', ts).execute();
  await db.schema
    .createTable('review_notes')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sqlIn('kind', ['note', 'submitted', 'withdrawn', 'changes', 'published'])),
    )
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_notes_post').on('review_notes').columns(['post_id', 'id']).execute();
  // The review list: the few posts waiting, found without reading every post.
  await db.schema
    .createIndex('posts_review')
    .on('posts')
    .column('review_submitted_at')
    .where(sql.ref('review_submitted_at'), 'is not', null)
    .execute();
}
