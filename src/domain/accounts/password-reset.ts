import { HearthError, ValidationError } from '../../errors.js';
import { isEmailAddress } from '../../shared/text.js';
import { hashPassword, passwordProblem } from '../users/index.js';
import { type AccountDeps, emailLink, normaliseEmail, type RequestContext, waitInWords } from './deps.js';
import type { AccountLink } from './links.js';
import { passwordResetMessage } from './messages.js';
import { accountKey, addressPolicy } from './throttle.js';

export const RESET_LIFETIME_MS = 3_600_000;

// Requests for reset emails, per address: enough for a forgetful person, not for a flood.
const resetPolicy = { ...addressPolicy, free: 5 };

/**
 * Password resets by email: a single-use link valid for one hour. Asking gives the same
 * answer whether or not the address has an account. Setting the new password signs the
 * account out everywhere and retires its other reset links.
 */
export class PasswordResets {
  #d: AccountDeps;

  constructor(deps: AccountDeps) {
    this.#d = deps;
  }

  async request(input: { email?: string }, context: RequestContext): Promise<void> {
    const email = normaliseEmail(input.email ?? '');
    if (email === '') throw new ValidationError({ email: 'Please enter your email address.' });
    if (!isEmailAddress(email)) throw new ValidationError({ email: 'This does not look like an email address.' });
    const key = `reset:${context.ip}`;
    const seconds = await this.#d.throttle.retryAfter([key]);
    if (seconds > 0) throw new HearthError('HEARTH_ERR_TOO_MANY_ATTEMPTS', { wait: waitInWords(seconds), seconds });
    await this.#d.throttle.fail(key, resetPolicy);

    const user = await this.#d.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', email)
      .where('password_hash', 'is not', null)
      .executeTakeFirst();
    if (!user) return;
    await emailLink(
      this.#d,
      { kind: 'password-reset', email, userId: user.id, lifetimeMs: RESET_LIFETIME_MS },
      (link, expiresAt, siteTitle) => passwordResetMessage({ to: email, siteTitle, link, expiresAt }),
    );
    await this.#d.audit.record({
      action: 'password_reset_requested',
      subject: `user:${user.id}`,
      ip: context.ip,
      details: { email },
    });
  }

  open(token: string): Promise<AccountLink> {
    return this.#d.links.open('password-reset', token);
  }

  /** Sets the new password, in one transaction with using up the link. */
  async reset(token: string, input: { password?: string }, context: RequestContext): Promise<{ email: string }> {
    const link = await this.open(token);
    const password = input.password ?? '';
    const problem = passwordProblem(password);
    if (problem) throw new ValidationError({ password: problem });
    const hash = await hashPassword(password);
    await this.#d.db.transaction().execute(async (tx) => {
      const used = await this.#d.links.use('password-reset', token, tx);
      const updated = await tx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: this.#d.now().toISOString() })
        .where('id', '=', used.userId as number)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new HearthError('HEARTH_ERR_LINK_INVALID');
      await this.#d.links.retire('password-reset', used.email, tx);
      await this.#d.sessions.endAllFor(used.userId as number, tx);
      await this.#d.throttle.clear(accountKey(used.email), tx);
      await this.#d.audit.record(
        { action: 'password_reset', subject: `user:${used.userId}`, ip: context.ip, details: { email: used.email } },
        tx,
      );
    });
    return { email: link.email };
  }
}
