import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-search.js';
import * as m0003 from './0003-related.js';
import * as m0004 from './0004-accounts.js';
import * as m0005 from './0005-media.js';
import * as m0006 from './0006-comments.js';
import * as m0007 from './0007-revisions.js';
import * as m0009 from './0009-moderation.js';
import * as m0010 from './0010-search-storage.js';
import * as m0011 from './0011-ascii-html.js';
import * as m0012 from './0012-read-order.js';
import * as m0013 from './0013-utf8-html.js';
import * as m0014 from './0014-media-uploader.js';
import * as m0015 from './0015-code-tries.js';
import * as m0016 from './0016-imports.js';
import * as m0017 from './0017-books.js';
import * as m0018 from './0018-book-page-size.js';
import * as m0019 from './0019-book-builds.js';
import * as m0020 from './0020-change-counter.js';
import * as m0021 from './0021-import-jobs.js';
import * as m0022 from './0022-recovery-codes.js';
import * as m0023 from './0023-trash.js';
import * as m0024 from './0024-review.js';
import * as m0025 from './0025-media-hash.js';
import * as m0026 from './0026-analytics.js';
import * as m0027 from './0027-subscribers.js';
import * as m0028 from './0028-newsletter-owner.js';

interface HearthMigration {
  up(db: Kysely<unknown>, dialect: DialectAdapter): Promise<void>;
}

/**
 * Numbered forward migrations, in order. A new migration is a new file here; a released
 * one is never edited.
 */
const migrations: Record<string, HearthMigration> = {
  '0001-initial': m0001,
  '0002-search': m0002,
  '0003-related': m0003,
  '0004-accounts': m0004,
  '0005-media': m0005,
  '0006-comments': m0006,
  '0007-revisions': m0007,
  '0009-moderation': m0009,
  '0010-search-storage': m0010,
  '0011-ascii-html': m0011,
  '0012-read-order': m0012,
  '0013-utf8-html': m0013,
  '0014-media-uploader': m0014,
  '0015-code-tries': m0015,
  '0016-imports': m0016,
  '0017-books': m0017,
  '0018-book-page-size': m0018,
  '0019-book-builds': m0019,
  '0020-change-counter': m0020,
  '0021-import-jobs': m0021,
  '0022-recovery-codes': m0022,
  '0023-trash': m0023,
  '0024-review': m0024,
  '0025-media-hash': m0025,
  '0026-analytics': m0026,
  '0027-subscribers': m0027,
  '0028-newsletter-owner': m0028,
};

/** The migrations' names, oldest first. */
export const MIGRATION_NAMES = Object.keys(migrations);

/** Binds each migration to the dialect so that Kysely's Migrator can run it. */
export function migrationsFor(dialect: DialectAdapter): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, dialect) }]),
  );
}
