import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/*
 * Imports (issue 16). `import_sources` remembers which row each imported thing became, by the
 * old platform's own id (WordPress post and term ids, guids, Ghost ids), so that importing the
 * same export again changes nothing and a newer export adds only what is new. Posts gain what
 * WordPress and Ghost pages and posts carry: a parent page, a menu order and a featured flag
 * (WordPress's "sticky").
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('import_sources')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('user', 'category', 'tag', 'media', 'post', 'comment')`),
    )
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', d.timestampType, (c) => c.notNull())
    .addPrimaryKeyConstraint('import_sources_pk', ['source', 'kind', 'external_id'])
    .execute();
  await db.schema.createIndex('import_sources_local').on('import_sources').columns(['kind', 'local_id']).execute();
  await db.schema
    .alterTable('posts')
    .addColumn('parent_id', 'integer', (c) => c.references('posts.id').onDelete('set null'))
    .execute();
  await db.schema
    .alterTable('posts')
    .addColumn('menu_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('posts')
    .addColumn('featured', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
