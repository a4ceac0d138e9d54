import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';

/*
 * A send's owner (issue 20): a random token written by the instance that claims a send
 * (starts it, takes it over, resumes it). Every write the sender makes names its token, so an
 * instance that lost its send (stale heartbeat taken over, paused and resumed elsewhere)
 * stops at its next write instead of sending beside the new owner.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await db.schema.alterTable('newsletters').addColumn('owner', 'text').execute();
}
