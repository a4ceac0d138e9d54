import type { Kysely } from 'kysely';

/*
 * Indexes in the order the post page reads: a post's tags by position, its pinned
 * related posts by position, its stored suggestions best first (ties by id). With them
 * those reads walk an index and stop after the first few rows, where before SQLite
 * sorted every match in a temporary b-tree (see domain/posts/published-reads.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('post_tags_position').on('post_tags').columns(['post_id', 'position']).execute();
  await db.schema
    .createIndex('related_overrides_order')
    .on('related_overrides')
    .columns(['post_id', 'kind', 'position'])
    .execute();
  await db.schema
    .createIndex('related_posts_ranked')
    .on('related_posts')
    .columns(['post_id', 'score desc', 'related_id'])
    .execute();
}
