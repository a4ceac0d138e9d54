import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/**
 * The media library: the name a photo was uploaded under (shown to the writer, never
 * printed as a caption), and an index for listing the library newest first.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await db.schema
    .alterTable('media')
    .addColumn('original_name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('media_created').on('media').columns(['created_at', 'id']).execute();
}
