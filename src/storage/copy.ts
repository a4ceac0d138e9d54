import { sql } from 'kysely';
import type { Database, Db } from './database.js';
import type { Schema } from './schema.js';

/** A table of a site as copies and archives see it. */
export interface SiteTable {
  name: keyof Schema;
  /** Its primary key, the order rows are read in. */
  key: string[];
  /** A column that points at another row of the same table (filled in a second pass). */
  selfReference?: string;
}

/**
 * Tables in an order where every row's references are copied before it. Sessions are not
 * copied: moving a site signs everyone out, as a changed database should. `hearth export`
 * and the full restore use the same list and order (domain/portability/archive).
 */
export const SITE_TABLES: readonly SiteTable[] = [
  { name: 'settings', key: ['key'] },
  { name: 'media', key: ['id'] },
  { name: 'users', key: ['id'] },
  { name: 'categories', key: ['id'], selfReference: 'parent_id' },
  { name: 'tags', key: ['id'] },
  { name: 'posts', key: ['id'], selfReference: 'parent_id' },
  { name: 'post_tags', key: ['post_id', 'tag_id'] },
  { name: 'comments', key: ['id'], selfReference: 'parent_id' },
  { name: 'redirects', key: ['id'] },
  // Copied as they are, not computed again: the target then shows the same suggestions.
  { name: 'related_terms', key: ['term'] },
  { name: 'related_docs', key: ['post_id'] },
  { name: 'related_index', key: ['term', 'post_id'] },
  { name: 'related_posts', key: ['post_id', 'related_id'] },
  { name: 'related_overrides', key: ['post_id', 'related_id'] },
  { name: 'account_links', key: ['id'] },
  { name: 'login_attempts', key: ['key'] },
  { name: 'recovery_codes', key: ['user_id', 'code_hash'] },
  { name: 'audit_log', key: ['id'] },
  { name: 'spam_tokens', key: ['token'] },
  { name: 'spam_corpus', key: ['label'] },
  { name: 'revisions', key: ['id'] },
  { name: 'review_notes', key: ['id'] },
  { name: 'import_sources', key: ['source', 'kind', 'external_id'] },
  // Books after the posts, photos, users and terms they name; a book before its rows.
  { name: 'books', key: ['id'] },
  { name: 'book_authors', key: ['book_id', 'position'] },
  { name: 'book_items', key: ['book_id', 'position'] },
  { name: 'book_sources', key: ['book_id', 'position'] },
  // Which files were built (the files themselves stay where they are, or in the bucket).
  { name: 'book_builds', key: ['id'] },
  // Analytics' daily counts (not the day's visitor hashes and salt, which are not kept).
  { name: 'analytics_daily', key: ['day', 'path'] },
  { name: 'analytics_referrers', key: ['day', 'site'] },
  { name: 'analytics_feeds', key: ['day', 'reader'] },
  // Readers by email, with their consent, and the sends they received (not the sign-up throttle).
  { name: 'subscribers', key: ['id'] },
  { name: 'subscriber_categories', key: ['subscriber_id', 'category_id'] },
  { name: 'newsletters', key: ['id'] },
  { name: 'newsletter_recipients', key: ['newsletter_id', 'subscriber_id'] },
];
const TABLES = SITE_TABLES;
const BATCH = 200;

export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
}

export class TargetNotEmptyError extends Error {}

/**
 * Copies a whole site from one database to another (SQLite to PostgreSQL or back), ids
 * and all, in one transaction on the target: it ends with every row copied or none.
 * Refuses a target that holds data unless `force`, which first empties it (inside the
 * same transaction). Both databases must be migrated to the same version first.
 *
 * Stages: count the source, check the target, then per table copy in batches (rows
 * that point at rows of their own table get those links in a second pass), then move
 * the id generators and compare the counts. The dialect's full-text index is not a table:
 * build it afterwards (`database.search.rebuild`, as `hearth migrate-data` does).
 */
export async function copyDatabase(
  source: Database,
  target: Database,
  options: { force?: boolean; onProgress?: (p: CopyProgress) => void } = {},
): Promise<Record<string, number>> {
  const totals = await countRows(source.db);
  const existing = await countRows(target.db);
  const occupied = Object.entries(existing).filter(([, n]) => n > 0);
  if (occupied.length > 0 && !options.force) {
    throw new TargetNotEmptyError(
      `the target database already holds data (${occupied.map(([t, n]) => `${n} ${t}`).join(', ')}); use --force to replace it`,
    );
  }
  await target.db.transaction().execute(async (tx) => {
    for (const table of [...TABLES].reverse()) await tx.deleteFrom(table.name).execute();
    for (const table of TABLES) {
      await copyTable(source.db, tx, table, totals[table.name] ?? 0, options.onProgress);
    }
    await target.resetIdSequences(
      tx,
      TABLES.filter((t) => t.key[0] === 'id').map((t) => t.name),
    );
    const copied = await countRows(tx);
    for (const table of TABLES) {
      if (copied[table.name] !== totals[table.name]) {
        throw new Error(`${table.name}: copied ${copied[table.name]} rows of ${totals[table.name]}`);
      }
    }
  });
  return totals;
}

async function copyTable(
  source: Db,
  target: Db,
  table: SiteTable,
  total: number,
  onProgress: ((p: CopyProgress) => void) | undefined,
): Promise<void> {
  const links: { id: unknown; parent: unknown }[] = [];
  let copied = 0;
  onProgress?.({ table: table.name, copied, total });
  for (let offset = 0; offset < total; offset += BATCH) {
    let query = source.selectFrom(table.name).selectAll();
    for (const k of table.key) query = query.orderBy(sql.ref(k));
    const rows = (await query.limit(BATCH).offset(offset).execute()) as Record<string, unknown>[];
    if (rows.length === 0) break;
    const values = rows.map((row) => {
      if (!table.selfReference || row[table.selfReference] === null) return row;
      links.push({ id: row.id, parent: row[table.selfReference] });
      return { ...row, [table.selfReference]: null };
    });
    await target
      .insertInto(table.name)
      .values(values as never)
      .execute();
    copied += rows.length;
    onProgress?.({ table: table.name, copied, total });
  }
  for (const link of links) {
    await target
      .updateTable(table.name)
      .set({ [table.selfReference as string]: link.parent } as never)
      .where(sql.ref('id'), '=', link.id)
      .execute();
  }
}

/** How many rows each of the site's tables holds. */
export async function countRows(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await db
      .selectFrom(table.name)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    counts[table.name] = Number(row?.n ?? 0);
  }
  return counts;
}

/** The name of the last migration the database ran (the schema version an archive records). */
export async function latestMigration(db: Db): Promise<string> {
  const row = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db);
  return row.rows[0]?.name ?? '';
}
