import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/** Faster ranking: on PostgreSQL, the search vectors compressed with lz4 where the server has it. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await d.search.tune?.(db);
}
