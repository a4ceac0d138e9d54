import type { Kysely } from 'kysely';

/*
 * The two-factor codes a pending sign-in has sent, counted in its session row before each
 * is checked (domain/accounts/sign-in.ts), so that codes sent in parallel cannot all be
 * checked before any is counted. Past the last try the count is one more than the tries:
 * the pending sign-in has ended and answers "too many" until it runs out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('code_tries', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
