/** Storage: the database (SQLite or PostgreSQL through Kysely) and the media store. */

export {
  type CopyProgress,
  copyDatabase,
  countRows,
  latestMigration,
  SITE_TABLES,
  type SiteTable,
  TargetNotEmptyError,
} from './copy.js';
export { type Database, type DatabaseOptions, type Db, openDatabase, type Tx } from './database.js';
export { redact as redactDatabaseUrl } from './dialects/postgres.js';
export type { NotificationChannel, NotificationHandlers } from './dialects/types.js';
export {
  contentTypeOf,
  createDiskMediaStore,
  isMediaPath,
  type MediaObject,
  type MediaStat,
  type MediaStore,
} from './media-store.js';
export { createS3MediaStore, describeS3Error, type S3MediaStoreOptions } from './s3-media-store.js';
export type * from './schema.js';
export { MARK_END, MARK_START, type SearchDocument, type SearchHit, type SearchQuery } from './search.js';
