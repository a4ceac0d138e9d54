import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/*
 * Several instances on one PostgreSQL database (issue 19): each write that changes pages is
 * announced to the other instances with NOTIFY, numbered by this one-row counter. The
 * number is raised and sent in one statement, so every listener receives them in order,
 * one by one: a number skipped, or a counter ahead of what a listener has heard, means a
 * notification was missed, and that instance drops every page it keeps. SQLite has the
 * table too (one schema for both), unused there.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('change_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await (db as Kysely<{ change_counter: { id: number; version: number } }>)
    .insertInto('change_counter')
    .values({ id: 1, version: 0 })
    .execute();
}
