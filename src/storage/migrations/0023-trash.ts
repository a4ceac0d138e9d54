import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/*
 * The trash (issue 18): a post or page moved to the trash keeps its row (so its slug stays
 * reserved) with `trashed_at`, who did it, and the status it had. While in the trash its
 * status is `draft`, so every public read (pages, feeds, sitemap, search, related, books)
 * leaves it out with no change of theirs; restoring gives the kept status back. Purged 30
 * days after `trashed_at`. No foreign key on `trashed_by`: users removed later stay named
 * by id (the audit log does the same).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await db.schema.alterTable('posts').addColumn('trashed_at', d.timestampType).execute();
  await db.schema.alterTable('posts').addColumn('trashed_by', 'integer').execute();
  await db.schema.alterTable('posts').addColumn('trashed_from', 'text').execute();
  await db.schema.createIndex('posts_trashed').on('posts').column('trashed_at').execute();
}
