import { HearthError } from '../../errors.js';
import type { AccountLinkKind, Db, Role } from '../../storage/index.js';
import { hashToken, newToken } from './tokens.js';

/** An emailed one-time link, as its page needs it. */
export interface AccountLink {
  id: number;
  kind: AccountLinkKind;
  email: string;
  role: Role | null;
  userId: number | null;
  expiresAt: string;
}

/**
 * One-time links sent by email (invitations, password resets). The token travels in the
 * link only; the database keeps its hash, when it runs out, and when it was used.
 */
export class AccountLinks {
  #db: Db;
  #now: () => Date;

  constructor(deps: { db: Db; now: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  async create(
    kind: AccountLinkKind,
    values: { email: string; role?: Role; userId?: number; createdBy?: number },
    lifetimeMs: number,
    db: Db = this.#db,
  ): Promise<{ id: number; token: string; expiresAt: string }> {
    const now = this.#now();
    const { token, hash } = newToken();
    const expiresAt = new Date(now.getTime() + lifetimeMs).toISOString();
    const row = await db
      .insertInto('account_links')
      .values({
        kind,
        token_hash: hash,
        email: values.email,
        role: values.role ?? null,
        user_id: values.userId ?? null,
        created_by: values.createdBy ?? null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, token, expiresAt };
  }

  /** The link a token opens; refuses one that is unknown, used or out of date, saying which. */
  async open(kind: AccountLinkKind, token: string, db: Db = this.#db): Promise<AccountLink> {
    if (token.length > 100) throw new HearthError('HEARTH_ERR_LINK_INVALID');
    const row = await db
      .selectFrom('account_links')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_LINK_INVALID');
    if (row.revoked_at !== null) throw new HearthError('HEARTH_ERR_LINK_REVOKED');
    if (row.used_at !== null) throw new HearthError('HEARTH_ERR_LINK_USED');
    if (Date.parse(row.expires_at) <= this.#now().getTime()) {
      throw new HearthError('HEARTH_ERR_LINK_EXPIRED', { expired: row.expires_at.slice(0, 16).replace('T', ' ') });
    }
    return {
      id: row.id,
      kind: row.kind,
      email: row.email,
      role: row.role,
      userId: row.user_id,
      expiresAt: row.expires_at,
    };
  }

  /**
   * Marks a link used inside the caller's transaction. Of two requests racing with the
   * same link, only one finds it unused.
   */
  async use(kind: AccountLinkKind, token: string, tx: Db): Promise<AccountLink> {
    const link = await this.open(kind, token, tx);
    const result = await tx
      .updateTable('account_links')
      .set({ used_at: this.#now().toISOString() })
      .where('id', '=', link.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new HearthError('HEARTH_ERR_LINK_USED');
    return link;
  }

  /** Retires a user's other unused links of a kind (a reset makes older reset links useless). */
  async retire(kind: AccountLinkKind, email: string, tx: Db): Promise<void> {
    await tx
      .updateTable('account_links')
      .set({ used_at: this.#now().toISOString() })
      .where('kind', '=', kind)
      .where('email', '=', email)
      .where('used_at', 'is', null)
      .execute();
  }

  /**
   * Revokes a pending invitation (unused, not revoked, not expired) in the caller's
   * transaction; its address, or undefined when there is no such invitation.
   */
  async revokeInvite(id: number, tx: Db): Promise<string | undefined> {
    const now = this.#now().toISOString();
    const row = await tx
      .updateTable('account_links')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('kind', '=', 'invite')
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('email')
      .executeTakeFirst();
    return row?.email;
  }

  async remove(id: number): Promise<void> {
    await this.#db.deleteFrom('account_links').where('id', '=', id).execute();
  }

  /** Invitations not yet accepted and still valid, newest first. */
  async pendingInvites(): Promise<{ id: number; email: string; role: Role | null; expiresAt: string }[]> {
    const rows = await this.#db
      .selectFrom('account_links')
      .select(['id', 'email', 'role', 'expires_at'])
      .where('kind', '=', 'invite')
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', this.#now().toISOString())
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => ({ id: r.id, email: r.email, role: r.role, expiresAt: r.expires_at }));
  }
}
