import type { Db } from '../../storage/index.js';

/** How many failures a key may have before it is locked, and how long locks last. */
export interface ThrottlePolicy {
  /** Failures within `windowMs` that lock the key (the last of them starts the first lock). */
  free: number;
  windowMs: number;
  /** The first lock; each further failure doubles it, up to `maxLockMs`. */
  baseLockMs: number;
  maxLockMs: number;
}

export const accountPolicy: ThrottlePolicy = { free: 5, windowMs: 3_600_000, baseLockMs: 30_000, maxLockMs: 900_000 };
export const addressPolicy: ThrottlePolicy = { ...accountPolicy, free: 20 };
/**
 * Wrong two-factor codes of one user, apart from passwords (a right password does not
 * clear them): the 5th ends the pending sign-in and locks the code step, longer each time.
 */
export const twoFactorPolicy: ThrottlePolicy = { ...accountPolicy, free: 5 };
/** Wrong two-factor codes a pending sign-in may send; the one that reaches it ends it. */
export const TWO_FACTOR_TRIES = twoFactorPolicy.free;

/**
 * The pause before answering a failure, from the failures counted on its key: none for
 * the first two (a typo), then 250 ms doubling to at most 3 s. A timer, not work: it
 * holds no thread, and slows a script that guesses one after another. Guesses sent in
 * parallel are stopped by counting each before it is checked (accounts/sign-in.ts).
 */
export function failurePauseMs(failures: number): number {
  return failures <= 2 ? 0 : Math.min(3000, 250 * 2 ** (failures - 3));
}

/** The throttling key of an account, by its email address. */
export const accountKey = (email: string) => `account:${email}`;
/** The throttling key of a visitor's IP address. */
export const addressKey = (ip: string) => `ip:${ip}`;
/** The throttling key of a user's two-factor codes. */
export const twoFactorKey = (userId: number) => `two-factor:${userId}`;

/**
 * Failed sign-ins counted per key (`account:<email>`, `ip:<address>`) in the database, so
 * that a restart forgets nothing and every instance sees the same counts. After `free`
 * failures a key is locked, for longer after each further failure (exponential backoff).
 */
export class LoginThrottle {
  #db: Db;
  #now: () => Date;

  constructor(deps: { db: Db; now: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  /** Seconds until every one of the keys may try again (0: now). */
  async retryAfter(keys: string[]): Promise<number> {
    const now = this.#now();
    const rows = await this.#db
      .selectFrom('login_attempts')
      .select('locked_until')
      .where('key', 'in', keys)
      .where('locked_until', '>', now.toISOString())
      .execute();
    const until = Math.max(0, ...rows.map((r) => Date.parse(r.locked_until as string)));
    return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
  }

  /** Counts a failure against a key and locks it once it has too many; returns the count. */
  async fail(key: string, policy: ThrottlePolicy): Promise<number> {
    return (await this.attempt(key, policy)).failures;
  }

  /**
   * Counts an attempt as a failure before it is checked (a success takes it back) and
   * says whether it may be checked: each of the first `free - 1`, and then one attempt
   * each time the key is not locked, the one that locks it. Attempts sent in parallel
   * therefore get no more checks than attempts sent one after another.
   */
  async attempt(key: string, policy: ThrottlePolicy): Promise<{ failures: number; allowed: boolean }> {
    const now = this.#now();
    const at = now.toISOString();
    const windowStart = new Date(now.getTime() - policy.windowMs).toISOString();
    // One atomic statement, so that two instances failing at once both count.
    const row = await this.#db
      .insertInto('login_attempts')
      .values({ key, failures: 1, first_failure_at: at, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          failures: eb
            .case()
            .when('login_attempts.first_failure_at', '<', windowStart)
            .then(1)
            .else(eb('login_attempts.failures', '+', 1))
            .end(),
          first_failure_at: eb
            .case()
            .when('login_attempts.first_failure_at', '<', windowStart)
            .then(at)
            .else(eb.ref('login_attempts.first_failure_at'))
            .end(),
        })),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    const failures = Number(row.failures);
    const over = failures - policy.free;
    if (over < 0) return { failures, allowed: true };
    const lockMs = Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(over, 20));
    const until = new Date(now.getTime() + lockMs).toISOString();
    // The attempt that finds the key unlocked locks it, in one statement: it may be checked.
    const locked = await this.#db
      .updateTable('login_attempts')
      .set({ locked_until: until })
      .where('key', '=', key)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
      .returning('key')
      .executeTakeFirst();
    if (locked) return { failures, allowed: true };
    // Only ever lengthened: failures at the same moment may set their locks in any order.
    await this.#db
      .updateTable('login_attempts')
      .set({ locked_until: until })
      .where('key', '=', key)
      .where('locked_until', '<', until)
      .execute();
    return { failures, allowed: false };
  }

  /** Takes back one failure counted ahead of a check that then succeeded (and the lock it set). */
  async release(key: string, policy: ThrottlePolicy): Promise<void> {
    await this.#db
      .updateTable('login_attempts')
      .set((eb) => ({
        failures: eb('failures', '-', 1),
        locked_until: eb.case().when('failures', '<=', policy.free).then(null).else(eb.ref('locked_until')).end(),
      }))
      .where('key', '=', key)
      .where('failures', '>', 0)
      .execute();
  }

  /** Forgets a key's failures (after it signed in). */
  async clear(key: string, db: Db = this.#db): Promise<void> {
    await db.deleteFrom('login_attempts').where('key', '=', key).execute();
  }

  /** Drops counts whose window has passed and that hold no lock. */
  async prune(policy: ThrottlePolicy): Promise<void> {
    const now = this.#now();
    await this.#db
      .deleteFrom('login_attempts')
      .where('first_failure_at', '<', new Date(now.getTime() - policy.windowMs).toISOString())
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]))
      .execute();
  }
}
