import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/**
 * The editor's history: a revision for every save of a post, and each writer's autosaved
 * working copy (one per writer and post; a post not yet saved has none, so `post_id` is
 * empty for it).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('revisions')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('post_id', 'integer', (c) => c.references('posts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('save', 'autosave')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', d.timestampType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revisions_post').on('revisions').columns(['post_id', 'kind', 'id']).execute();
  await db.schema.createIndex('revisions_user').on('revisions').columns(['user_id', 'kind']).execute();
}
