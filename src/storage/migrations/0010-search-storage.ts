import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/** Faster ranking: on PostgreSQL, search vectors kept in their rows (see postgres-search.ts). */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await d.search.tune?.(db);
}
