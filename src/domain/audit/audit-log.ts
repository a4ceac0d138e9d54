import type { Db } from '../../storage/index.js';

/** What the audit log records. Publishing is recorded by the editor. */
export type AuditAction =
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_out'
  | 'two_factor_failed'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'recovery_code_used'
  | 'recovery_codes_generated'
  | 'recovery_codes_refused'
  | 'session_ended'
  | 'other_sessions_ended'
  | 'role_changed'
  | 'invite_sent'
  | 'invite_accepted'
  | 'invite_revoked'
  | 'password_reset_requested'
  | 'password_reset'
  | 'post_published'
  | 'post_scheduled'
  | 'post_unpublished'
  | 'post_submitted'
  | 'post_review_withdrawn'
  | 'post_sent_back'
  | 'review_note_added'
  | 'post_trashed'
  | 'post_restored'
  | 'post_deleted'
  | 'user_removed'
  | 'demo_removed'
  | 'settings_changed'
  | 'taxonomy_changed'
  | 'profile_changed'
  | 'email_changed'
  | 'password_changed'
  | 'commenter_exported'
  | 'commenter_erased'
  | 'site_exported'
  | 'subscriber_added'
  | 'subscriber_exported'
  | 'subscriber_erased'
  | 'subscribers_imported'
  | 'subscribers_exported';

/** Who made a change from the admin, for the audit log. */
export interface Actor {
  id: number;
  email: string;
  ip?: string | null;
}

export interface AuditEvent {
  action: AuditAction;
  /** Who did it, when known (a failed sign-in has no actor). */
  actor?: { id: number; email: string } | null;
  /** What it was done to, e.g. `user:12`, `email:ida@example.org`, `post:40`. */
  subject?: string | null;
  ip?: string | null;
  details?: Record<string, string | number | boolean | null>;
}

/** A recorded event, as the admin lists it. */
export interface AuditRecord {
  id: number;
  at: string;
  action: string;
  actorId: number | null;
  actorEmail: string | null;
  subject: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/**
 * The audit log: who signed in (or failed to), who changed whose role, who was invited,
 * who reset a password, what was published. Append-only.
 *
 * @example
 *   await audit.record({ action: 'post_published', actor: { id: 1, email }, subject: 'post:40' });
 */
export class AuditLog {
  #db: Db;
  #now: () => Date;

  constructor(deps: { db: Db; now?: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Records an event; inside the caller's transaction when `db` is one, so it commits with the change. */
  async record(event: AuditEvent, db: Db = this.#db): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        at: this.#now().toISOString(),
        action: event.action,
        actor_id: event.actor?.id ?? null,
        actor_email: event.actor?.email ?? null,
        subject: event.subject ?? null,
        ip: event.ip?.slice(0, 100) ?? null,
        details: JSON.stringify(event.details ?? {}),
      })
      .execute();
  }

  /** The newest events first. */
  async recent(limit = 100): Promise<AuditRecord[]> {
    const rows = await this.#db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      actorId: r.actor_id,
      actorEmail: r.actor_email,
      subject: r.subject,
      ip: r.ip,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
