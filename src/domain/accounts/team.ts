import { HearthError, ValidationError } from '../../errors.js';
import { isEmailAddress } from '../../shared/text.js';
import type { Role } from '../../storage/index.js';
import { assignableRoles } from '../roles/index.js';
import { type Author, validateNewUser } from '../users/index.js';
import { type AccountDeps, emailLink, normaliseEmail, type RequestContext, requireCapability } from './deps.js';
import type { AccountLink } from './links.js';
import { inviteMessage } from './messages.js';
import type { SignedInUser } from './sessions.js';
import type { StartedSession } from './sign-in.js';

export const INVITE_LIFETIME_MS = 7 * 24 * 3_600_000;

/** A person on the users page. */
export interface TeamMember {
  id: number;
  name: string;
  email: string;
  role: Role;
  /** False for a byline without a password (a guest writer). */
  canSignIn: boolean;
  twoFactor: boolean;
}

/**
 * The site's people: who they are, inviting new ones by email with a role, and changing
 * roles. The owner's role is fixed, nobody changes their own, and the owner role is
 * given only at setup.
 */
export class Team {
  #d: AccountDeps;

  constructor(deps: AccountDeps) {
    this.#d = deps;
  }

  async list(): Promise<TeamMember[]> {
    const rows = await this.#d.db
      .selectFrom('users')
      .select(['id', 'display_name', 'email', 'role', 'password_hash', 'totp_secret'])
      .orderBy('display_name')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.display_name,
      email: r.email,
      role: r.role,
      canSignIn: r.password_hash !== null,
      twoFactor: r.totp_secret !== null,
    }));
  }

  /** Emails a one-time link that creates an account with `role`; valid for a week. */
  async invite(
    input: { email?: string; role?: string },
    actor: SignedInUser,
    context: RequestContext,
  ): Promise<{ email: string; expiresAt: string }> {
    requireCapability(actor, 'manage_users');
    const email = normaliseEmail(input.email ?? '');
    const role = input.role as Role;
    const errors: Record<string, string> = {};
    if (email === '') errors.email = 'Please enter an email address.';
    else if (!isEmailAddress(email)) errors.email = 'This does not look like an email address.';
    if (!assignableRoles.includes(role)) errors.role = `The role must be one of ${assignableRoles.join(', ')}.`;
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    const taken = await this.#d.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (taken) throw new HearthError('HEARTH_ERR_EMAIL_TAKEN', { email, field: 'email' });

    const sent = await emailLink(
      this.#d,
      { kind: 'invite', email, role, createdBy: actor.id, lifetimeMs: INVITE_LIFETIME_MS },
      (link, expiresAt, siteTitle) =>
        inviteMessage({ to: email, siteTitle, inviter: actor.name, role, link, expiresAt }),
    );
    await this.#d.audit.record({
      action: 'invite_sent',
      actor: { id: actor.id, email: actor.email },
      subject: `email:${email}`,
      ip: context.ip,
      details: { role },
    });
    return { email, expiresAt: sent.expiresAt };
  }

  /** The invitation a link holds (for its page); refuses an unknown, used or expired one. */
  openInvite(token: string): Promise<AccountLink> {
    return this.#d.links.open('invite', token);
  }

  /**
   * Creates the invited account and signs it in, in one transaction with using up the
   * link: nothing is written when any step fails.
   */
  async acceptInvite(
    token: string,
    input: { name?: string; password?: string },
    context: RequestContext,
  ): Promise<{ user: Author; session: StartedSession }> {
    const invite = await this.openInvite(token);
    const values = { name: input.name ?? '', email: invite.email, password: input.password ?? '' };
    const errors = validateNewUser(values, true);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return this.#d.db.transaction().execute(async (tx) => {
      const link = await this.#d.links.use('invite', token, tx);
      const user = await this.#d.users.create({ ...values, role: link.role ?? 'contributor' }, tx);
      const started = await this.#d.sessions.start(user.id, 'active', context, tx);
      await this.#d.audit.record(
        {
          action: 'invite_accepted',
          actor: { id: user.id, email: invite.email },
          subject: `user:${user.id}`,
          ip: context.ip,
          details: { role: user.role },
        },
        tx,
      );
      return { user, session: { ...started, stage: 'active' as const } };
    });
  }

  pendingInvites() {
    return this.#d.links.pendingInvites();
  }

  /** Takes back a pending invitation: its link then says it was withdrawn, and creates no account. */
  async revokeInvite(id: number, actor: SignedInUser, context: RequestContext): Promise<{ email: string }> {
    requireCapability(actor, 'manage_users');
    return this.#d.db.transaction().execute(async (tx) => {
      const email = await this.#d.links.revokeInvite(id, tx);
      if (email === undefined) throw new HearthError('HEARTH_ERR_INVITE_NOT_FOUND', { id });
      await this.#d.audit.record(
        {
          action: 'invite_revoked',
          actor: { id: actor.id, email: actor.email },
          subject: `email:${email}`,
          ip: context.ip,
          details: { invite: id },
        },
        tx,
      );
      return { email };
    });
  }

  /** Gives a user another role, recorded in the audit log with the old and the new. */
  async changeRole(userId: number, role: string, actor: SignedInUser, context: RequestContext): Promise<void> {
    requireCapability(actor, 'manage_users');
    if (!assignableRoles.includes(role as Role)) {
      throw new HearthError('HEARTH_ERR_ROLE_NOT_ALLOWED', {
        reason: `The role must be one of ${assignableRoles.join(', ')}; the owner is made at setup.`,
        field: 'role',
      });
    }
    if (userId === actor.id) {
      throw new HearthError('HEARTH_ERR_ROLE_NOT_ALLOWED', {
        reason: 'You cannot change your own role.',
        field: 'role',
      });
    }
    await this.#d.db.transaction().execute(async (tx) => {
      const target = await tx.selectFrom('users').select(['role', 'email']).where('id', '=', userId).executeTakeFirst();
      if (!target) throw new HearthError('HEARTH_ERR_USER_NOT_FOUND', { id: userId });
      if (target.role === 'owner') {
        throw new HearthError('HEARTH_ERR_ROLE_NOT_ALLOWED', {
          reason: 'The owner’s role cannot be changed.',
          field: 'role',
        });
      }
      if (target.role === role) return;
      await tx
        .updateTable('users')
        .set({ role: role as Role, updated_at: this.#d.now().toISOString() })
        .where('id', '=', userId)
        .execute();
      await this.#d.audit.record(
        {
          action: 'role_changed',
          actor: { id: actor.id, email: actor.email },
          subject: `user:${userId}`,
          ip: context.ip,
          details: { email: target.email, from: target.role, to: role },
        },
        tx,
      );
    });
  }
}
