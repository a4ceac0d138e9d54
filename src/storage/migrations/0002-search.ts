import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { rebuildSearchIndex } from '../search.js';

/** The full-text index (FTS5 on SQLite, tsvector on PostgreSQL), filled with existing posts. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await d.search.createSchema(db);
  await rebuildSearchIndex(db, d.search);
}
