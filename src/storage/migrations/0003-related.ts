import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/**
 * Related posts ("You might also like"), kept up to date post by post:
 * - related_terms: in how many posts each term occurs (document frequency, for IDF);
 * - related_docs: each post's distinct terms, so its old terms can be counted out;
 * - related_index: each post's strongest terms with unit-length TF-IDF weights (the
 *   inverted index that finds similar posts);
 * - related_posts: each post's best matches with their scores;
 * - related_overrides: the writer's pins and exclusions.
 * The domain fills them (domain/related); a database from before this migration is
 * filled at start-up.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('related_terms')
    .addColumn('term', 'text', (c) => c.primaryKey())
    .addColumn('df', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('related_docs')
    .addColumn('post_id', 'integer', (c) => c.primaryKey().references('posts.id').onDelete('cascade'))
    .addColumn('terms', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('related_index')
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('related_index_pk', ['term', 'post_id'])
    .execute();
  await db.schema.createIndex('related_index_post').on('related_index').columns(['post_id']).execute();
  await db.schema
    .createTable('related_posts')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('related_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('related_posts_pk', ['post_id', 'related_id'])
    .execute();
  await db.schema.createIndex('related_posts_related').on('related_posts').columns(['related_id']).execute();
  await db.schema
    .createTable('related_overrides')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('related_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['pin', 'exclude'])))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('related_overrides_pk', ['post_id', 'related_id'])
    .execute();
}
