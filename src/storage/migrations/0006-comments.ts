import type { Kysely } from 'kysely';

/**
 * Comments that a site can run alone: threads (depth), text rendered when stored
 * (body_html), what the spam checks found (reasons, learning-filter score, body hash for
 * duplicates), and the learning filter's word counts, trained on this site's decisions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: [string, 'text' | 'integer' | 'double precision'][] = [
    ['body_html', 'text'],
    ['spam_reasons', 'text'],
    ['spam_score', 'double precision'],
    ['body_hash', 'text'],
    ['trained_as', 'text'],
  ];
  for (const [name, type] of columns) {
    await db.schema.alterTable('comments').addColumn(name, type).execute();
  }
  await db.schema
    .alterTable('comments')
    .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('comments_ip').on('comments').columns(['ip_hash', 'created_at']).execute();
  await db.schema.createIndex('comments_email').on('comments').columns(['author_email', 'created_at']).execute();
  await db.schema.createIndex('comments_body_hash').on('comments').columns(['body_hash']).execute();
  await db.schema.createIndex('comments_status').on('comments').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('comments_parent').on('comments').columns(['parent_id']).execute();

  await db.schema
    .createTable('spam_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('ham', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('spam', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // How many comments each label was trained on: the filter's priors.
  await db.schema
    .createTable('spam_corpus')
    .addColumn('label', 'text', (c) => c.primaryKey())
    .addColumn('documents', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
