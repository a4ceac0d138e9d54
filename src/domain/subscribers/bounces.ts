import type { Db } from '../../storage/index.js';
import type { SubscriberStatus } from '../../storage/schema.js';

/** Hard bounces after which an address gets no more mail. */
export const MAX_BOUNCES = 3;

/**
 * A hard bounce (an SMTP 5xx answer to a send, or the provider's report): one more bounce;
 * at MAX_BOUNCES an active or waiting address becomes `bounced` and gets no more mail. One
 * statement, so bounces reported at once all count. An unknown address is ignored.
 * Returns whether the address is known. `db` may be a transaction (the sender's).
 *
 * @example
 *   await recordBounce(db, 'ida@example.org');
 */
export async function recordBounce(db: Db, email: string, now: Date = new Date()): Promise<boolean> {
  const at = now.toISOString();
  const result = await db
    .updateTable('subscribers')
    .set((eb) => ({
      bounces: eb('bounces', '+', 1),
      last_bounce_at: at,
      updated_at: at,
      status: eb
        .case()
        .when(eb.and([eb('bounces', '>=', MAX_BOUNCES - 1), eb('status', 'in', ['active', 'pending'])]))
        .then('bounced' as SubscriberStatus)
        .else(eb.ref('status'))
        .end(),
    }))
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A spam complaint: the address gets no more mail, at once. Unknown addresses are ignored. */
export async function recordComplaint(db: Db, email: string, now: Date = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('subscribers')
    .set({ status: 'complained', confirm_hash: null, updated_at: now.toISOString() })
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
