import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/**
 * Accounts: sessions kept in the database, one-time links (invites, password resets),
 * sign-in throttling that survives restarts and is shared by every instance, two-factor
 * secrets on users, and the audit log.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;

  await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_last_step', 'integer').execute();

  await db.schema
    .createTable('sessions')
    // SHA-256 of the cookie's token: a stolen database holds no usable session.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('two-factor', 'active')`))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('account_links')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invite', 'password-reset')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failure_at', ts, (c) => c.notNull())
    .addColumn('locked_until', ts)
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    // No foreign keys: the record outlives the people and things it names.
    .addColumn('actor_id', 'integer')
    .addColumn('actor_email', 'text')
    .addColumn('subject', 'text')
    .addColumn('ip', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
}
