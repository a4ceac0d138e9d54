import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/*
 * Analytics without cookies or personal data (issue 20): page views counted per day and
 * path, referring sites per day, feed readers' subscriber counts per day. Unique visitors
 * are estimated from a salted hash of address and browser, cut to 16 hex digits, kept only
 * for the day it was seen (with that day's salt) and then deleted: `analytics_visitors` and
 * `analytics_salts` never hold more than today and yesterday.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('analytics_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('visitors', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('analytics_daily_pk', ['day', 'path'])
    .execute();
  await db.schema
    .createTable('analytics_referrers')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('analytics_referrers_pk', ['day', 'site'])
    .execute();
  await db.schema
    .createTable('analytics_feeds')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('reader', 'text', (c) => c.notNull())
    .addColumn('subscribers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fetches', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('analytics_feeds_pk', ['day', 'reader'])
    .execute();
  await db.schema
    .createTable('analytics_visitors')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_visitors_pk', ['day', 'path', 'hash'])
    .execute();
  await db.schema
    .createTable('analytics_salts')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('salt', 'text', (c) => c.notNull())
    .execute();
}
