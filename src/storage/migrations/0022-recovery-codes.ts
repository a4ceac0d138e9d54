import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/*
 * Two-factor recovery codes (issue 18): each works once instead of a code from the app.
 * Only their SHA-256 is kept (a code has about 80 random bits, so the hash cannot be
 * guessed back). Invitations can be revoked: a revoked link answers that it was.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema.alterTable('account_links').addColumn('revoked_at', ts).execute();
}
