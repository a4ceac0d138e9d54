import { ValidationError } from '../../errors.js';
import type { AccountDeps, RequestContext } from './deps.js';
import type { SignedInUser } from './sessions.js';
import { acceptTotp, isTotpSecret, newTotpSecret, totpUri } from './totp.js';

const WRONG_CODE = 'This code is not right. Enter the 6-digit code your app shows now.';

/**
 * Optional TOTP two-factor sign-in, per user. Setting up shows a new secret (and its
 * otpauth:// URI); it is saved only once a code from the app proves the app has it.
 * Turning it off also takes a current code.
 */
export class TwoFactor {
  #d: AccountDeps;

  constructor(deps: AccountDeps) {
    this.#d = deps;
  }

  /** A new secret for the user's app, not yet saved. */
  async begin(user: SignedInUser): Promise<{ secret: string; uri: string }> {
    const secret = newTotpSecret();
    return { secret, uri: totpUri(secret, user.email, await this.#d.siteTitle()) };
  }

  /** The URI of a secret being set up, to show it again next to a wrong code. */
  async uriFor(user: SignedInUser, secret: string): Promise<string> {
    return totpUri(secret, user.email, await this.#d.siteTitle());
  }

  async enable(user: SignedInUser, input: { secret?: string; code?: string }, context: RequestContext): Promise<void> {
    const secret = input.secret ?? '';
    if (!isTotpSecret(secret)) throw new ValidationError({ secret: 'The setup form was changed. Start again.' });
    const step = acceptTotp(secret, input.code ?? '', this.#d.now(), null);
    if (step === undefined) throw new ValidationError({ code: WRONG_CODE });
    await this.#save(user, { secret, step }, 'two_factor_enabled', context);
  }

  async disable(user: SignedInUser, input: { code?: string }, context: RequestContext): Promise<void> {
    const row = await this.#d.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_last_step'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    if (row.totp_secret === null) return;
    const step = acceptTotp(row.totp_secret, input.code ?? '', this.#d.now(), row.totp_last_step);
    if (step === undefined) throw new ValidationError({ code: WRONG_CODE });
    await this.#save(user, { secret: null, step: null }, 'two_factor_disabled', context);
  }

  /** Stores the secret (or its absence) and records the change, together. */
  async #save(
    user: SignedInUser,
    values: { secret: string | null; step: number | null },
    action: 'two_factor_enabled' | 'two_factor_disabled',
    context: RequestContext,
  ): Promise<void> {
    await this.#d.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ totp_secret: values.secret, totp_last_step: values.step })
        .where('id', '=', user.id)
        .execute();
      await this.#d.audit.record(
        { action, actor: { id: user.id, email: user.email }, subject: `user:${user.id}`, ip: context.ip },
        tx,
      );
    });
  }
}
