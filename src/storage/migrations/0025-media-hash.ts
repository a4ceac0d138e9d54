import type { Kysely } from 'kysely';

/*
 * Duplicate photos (issue 18): `sha256` is the hex SHA-256 of the bytes as uploaded, so an
 * upload of the same file finds the photo it already is before anything is encoded.
 * `file_sha256` is that of the stored original (re-encoded, metadata removed): photos
 * stored before this migration have no upload hash, and the library fills their file hash
 * lazily (domain/media/media-service.ts) to find a re-upload of them after encoding.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('media').addColumn('sha256', 'text').execute();
  await db.schema.alterTable('media').addColumn('file_sha256', 'text').execute();
  await db.schema.createIndex('media_sha256').on('media').column('sha256').execute();
  await db.schema.createIndex('media_file_sha256').on('media').column('file_sha256').execute();
}
