import type { Kysely } from 'kysely';

/*
 * Who uploaded each photo: the uploader may change or delete it, editors and above any
 * photo (domain/media/media-service.ts). Photos uploaded before this migration have no
 * uploader, so only editors and above may change them. No foreign key: users refer to
 * media (their avatar), and `hearth migrate-data` copies media before users; Hearth never
 * deletes a user, so an id stays its uploader's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('media').addColumn('uploaded_by', 'integer').execute();
}
