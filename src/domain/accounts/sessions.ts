import type { Db, Role, SessionStage } from '../../storage/index.js';
import { hashToken, newToken } from './tokens.js';

/** How long sessions live. */
export interface SessionPolicy {
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Signed out this long after signing in, however active. */
  absoluteMs: number;
  /** Time to enter the two-factor code after the password. */
  twoFactorMs: number;
}

export const defaultSessionPolicy: SessionPolicy = {
  idleMs: 7 * 24 * 3_600_000,
  absoluteMs: 30 * 24 * 3_600_000,
  twoFactorMs: 10 * 60_000,
};

/** The person behind a session, as the admin shows and checks them. */
export interface SignedInUser {
  id: number;
  name: string;
  email: string;
  role: Role;
  slug: string;
  twoFactor: boolean;
}

export interface SessionContext {
  ip: string;
  userAgent: string | undefined;
}

export interface FoundSession {
  stage: SessionStage;
  user: SignedInUser;
  expiresAt: string;
}

// last_seen_at is written at most this often, not on every request.
const TOUCH_EVERY_MS = 60_000;

/**
 * Server-side sessions. The browser holds a random token; the database holds its SHA-256
 * only, with the user, the stage (password given, or fully signed in) and the times that
 * end it.
 */
export class SessionStore {
  #db: Db;
  #now: () => Date;
  readonly policy: SessionPolicy;

  constructor(deps: { db: Db; now: () => Date; policy?: SessionPolicy }) {
    this.#db = deps.db;
    this.#now = deps.now;
    this.policy = deps.policy ?? defaultSessionPolicy;
  }

  /** Starts a session with a new token (never one the browser had before). */
  async start(
    userId: number,
    stage: SessionStage,
    context: SessionContext,
    db: Db = this.#db,
  ): Promise<{ token: string; expiresAt: string }> {
    const now = this.#now();
    const lifetime = stage === 'active' ? this.policy.absoluteMs : this.policy.twoFactorMs;
    const expiresAt = new Date(now.getTime() + lifetime).toISOString();
    const { token, hash } = newToken();
    await db
      .insertInto('sessions')
      .values({
        id: hash,
        user_id: userId,
        stage,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: expiresAt,
        ip: context.ip.slice(0, 100),
        user_agent: context.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The live session of a token, refreshing its idle time; ends it if it has run out. */
  async find(token: string): Promise<FoundSession | undefined> {
    if (token.length > 100) return undefined;
    const id = hashToken(token);
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.stage',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'users.id',
        'users.display_name',
        'users.email',
        'users.role',
        'users.slug',
        'users.totp_secret',
        'users.password_hash',
      ])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const now = this.#now().getTime();
    const lastSeen = Date.parse(row.last_seen_at);
    if (now >= Date.parse(row.expires_at) || now - lastSeen >= this.policy.idleMs || row.password_hash === null) {
      await this.#db.deleteFrom('sessions').where('id', '=', id).execute();
      return undefined;
    }
    if (now - lastSeen >= TOUCH_EVERY_MS) {
      await this.#db
        .updateTable('sessions')
        .set({ last_seen_at: new Date(now).toISOString() })
        .where('id', '=', id)
        .execute();
    }
    return {
      stage: row.stage,
      expiresAt: row.expires_at,
      user: {
        id: row.id,
        name: row.display_name,
        email: row.email,
        role: row.role,
        slug: row.slug,
        twoFactor: row.totp_secret !== null,
      },
    };
  }

  /**
   * Counts a two-factor code against a pending sign-in before it is checked, in one
   * statement: the try's number (1 to `tries`), or undefined when the session is not
   * pending or has no tries left.
   */
  async takeCodeTry(token: string, tries: number): Promise<number | undefined> {
    const row = await this.#db
      .updateTable('sessions')
      .set((eb) => ({ code_tries: eb('code_tries', '+', 1) }))
      .where('id', '=', hashToken(token))
      .where('stage', '=', 'two-factor')
      .where('code_tries', '<', tries)
      .returning('code_tries')
      .executeTakeFirst();
    return row ? Number(row.code_tries) : undefined;
  }

  /** Ends a pending sign-in that used up its tries: it answers "too many" until it runs out. */
  async usedUpCodeTries(token: string, tries: number): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ code_tries: tries + 1 })
      .where('id', '=', hashToken(token))
      .where('stage', '=', 'two-factor')
      .execute();
  }

  /**
   * Removes a pending sign-in whose code was right, in one statement; false when it has
   * ended meanwhile (signed out, timed out, out of tries), so it must not become a session.
   */
  async claimPending(token: string, tries: number, db: Db = this.#db): Promise<boolean> {
    const row = await db
      .deleteFrom('sessions')
      .where('id', '=', hashToken(token))
      .where('stage', '=', 'two-factor')
      .where('code_tries', '<=', tries)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async end(token: string, db: Db = this.#db): Promise<void> {
    await db.deleteFrom('sessions').where('id', '=', hashToken(token)).execute();
  }

  /** Signs a user out everywhere (after a password reset). */
  async endAllFor(userId: number, db: Db = this.#db): Promise<void> {
    await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /** A user's live, fully signed-in sessions, newest first (`id` is the stored hash). */
  async listFor(
    userId: number,
  ): Promise<{ id: string; createdAt: string; lastSeenAt: string; ip: string | null; userAgent: string | null }[]> {
    const now = this.#now().getTime();
    const rows = await this.#db
      .selectFrom('sessions')
      .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
      .where('user_id', '=', userId)
      .where('stage', '=', 'active')
      .where('expires_at', '>', new Date(now).toISOString())
      .where('last_seen_at', '>', new Date(now - this.policy.idleMs).toISOString())
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      ip: r.ip,
      userAgent: r.user_agent,
    }));
  }

  /** Ends one session of a user by its stored id; false when it had ended already. */
  async endById(userId: number, id: string, db: Db = this.#db): Promise<boolean> {
    const result = await db
      .deleteFrom('sessions')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Ends every session of a user but the one of `token` (pending sign-ins too); how many ended. */
  async endOthers(userId: number, token: string, db: Db = this.#db): Promise<number> {
    const result = await db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .where('id', '!=', hashToken(token))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Removes sessions that have run out. */
  async prune(): Promise<void> {
    const now = this.#now().getTime();
    await this.#db
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', new Date(now).toISOString()),
          eb('last_seen_at', '<=', new Date(now - this.policy.idleMs).toISOString()),
        ]),
      )
      .execute();
  }
}
