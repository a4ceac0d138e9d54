import { HearthError, ValidationError } from '../../errors.js';
import { verifyPassword } from '../users/index.js';
import { type AccountDeps, type RequestContext, waitInWords } from './deps.js';
import { normaliseRecoveryCode } from './recovery-codes.js';
import type { SignedInUser } from './sessions.js';
import { twoFactorKey, twoFactorPolicy } from './throttle.js';
import { acceptTotp, isTotpSecret, newTotpSecret, totpUri } from './totp.js';

const WRONG_CODE = 'This code is not right. Enter the 6-digit code your app shows now.';
const WRONG_CODE_OR_RECOVERY =
  'This code is not right. Enter the 6-digit code your app shows now, or an unused recovery code.';
const WRONG_CONFIRM = 'This is neither your password nor the 6-digit code your app shows now.';

/**
 * Optional TOTP two-factor sign-in, per user. Setting up shows a new secret (and its
 * otpauth:// URI); it is saved only once a code from the app proves the app has it, and
 * then comes with single-use recovery codes, shown once. Turning it off takes a current
 * code or a recovery code; new recovery codes take the password or a current code.
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

  /** Saves the secret once a code proves the app has it; returns the new recovery codes (shown once). */
  async enable(
    user: SignedInUser,
    input: { secret?: string; code?: string },
    context: RequestContext,
  ): Promise<{ recoveryCodes: string[] }> {
    const secret = input.secret ?? '';
    if (!isTotpSecret(secret)) throw new ValidationError({ secret: 'The setup form was changed. Start again.' });
    const step = acceptTotp(secret, input.code ?? '', this.#d.now(), null);
    if (step === undefined) throw new ValidationError({ code: WRONG_CODE });
    return this.#d.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ totp_secret: secret, totp_last_step: step })
        .where('id', '=', user.id)
        .execute();
      const recoveryCodes = await this.#d.recoveryCodes.replace(user.id, tx);
      await this.#d.audit.record(
        {
          action: 'two_factor_enabled',
          actor: { id: user.id, email: user.email },
          subject: `user:${user.id}`,
          ip: context.ip,
          details: { recoveryCodes: recoveryCodes.length },
        },
        tx,
      );
      return { recoveryCodes };
    });
  }

  /** Turns two-factor off with a current code from the app or an unused recovery code; removes the recovery codes. */
  async disable(user: SignedInUser, input: { code?: string }, context: RequestContext): Promise<void> {
    const row = await this.#d.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_last_step'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    if (row.totp_secret === null) return;
    await this.#countTry(user);
    const code = input.code ?? '';
    const recovery = normaliseRecoveryCode(code);
    const step = recovery ? undefined : acceptTotp(row.totp_secret, code, this.#d.now(), row.totp_last_step);
    if (step === undefined && !(recovery && (await this.#d.recoveryCodes.isUnused(user.id, recovery)))) {
      throw new ValidationError({ code: WRONG_CODE_OR_RECOVERY });
    }
    await this.#d.db.transaction().execute(async (tx) => {
      if (recovery && !(await this.#d.recoveryCodes.use(user.id, recovery, tx))) {
        throw new ValidationError({ code: WRONG_CODE_OR_RECOVERY });
      }
      await tx
        .updateTable('users')
        .set({ totp_secret: null, totp_last_step: null })
        .where('id', '=', user.id)
        .execute();
      await this.#d.recoveryCodes.remove(user.id, tx);
      await this.#d.throttle.clear(twoFactorKey(user.id), tx);
      await this.#d.audit.record(
        {
          action: 'two_factor_disabled',
          actor: { id: user.id, email: user.email },
          subject: `user:${user.id}`,
          ip: context.ip,
          ...(recovery ? { details: { recoveryCode: true } } : {}),
        },
        tx,
      );
    });
  }

  /** How many unused recovery codes the user has. */
  recoveryCodesLeft(user: SignedInUser): Promise<number> {
    return this.#d.recoveryCodes.left(user.id);
  }

  /**
   * New recovery codes in place of the old ones (which stop working), for a user with
   * two-factor on who confirms with their password or a current code from the app.
   */
  async regenerateRecoveryCodes(
    user: SignedInUser,
    input: { confirm?: string },
    context: RequestContext,
  ): Promise<{ recoveryCodes: string[] }> {
    const confirm = input.confirm ?? '';
    if (confirm.trim() === '') {
      throw new ValidationError({ confirm: 'Please enter your password or the 6-digit code your app shows now.' });
    }
    const row = await this.#d.db
      .selectFrom('users')
      .select(['password_hash', 'totp_secret', 'totp_last_step'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    if (row.totp_secret === null) {
      throw new ValidationError({
        confirm: 'Two-factor sign-in is off: turn it on first, which gives recovery codes.',
      });
    }
    await this.#countTry(user);
    // A password has at least 12 characters, so 6 digits can only be a code from the app.
    const step = /^\s*\d{3}\s?\d{3}\s*$/.test(confirm)
      ? acceptTotp(row.totp_secret, confirm, this.#d.now(), row.totp_last_step)
      : undefined;
    if (step === undefined && !(row.password_hash && (await verifyPassword(confirm, row.password_hash)))) {
      await this.#d.audit.record({
        action: 'recovery_codes_refused',
        actor: { id: user.id, email: user.email },
        subject: `user:${user.id}`,
        ip: context.ip,
      });
      throw new ValidationError({ confirm: WRONG_CONFIRM });
    }
    return this.#d.db.transaction().execute(async (tx) => {
      if (step !== undefined) {
        // The code is used up, as at sign-in: seen over a shoulder, it cannot be used again.
        const claimed = await tx
          .updateTable('users')
          .set({ totp_last_step: step })
          .where('id', '=', user.id)
          .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) throw new ValidationError({ confirm: WRONG_CONFIRM });
      }
      const recoveryCodes = await this.#d.recoveryCodes.replace(user.id, tx);
      await this.#d.throttle.clear(twoFactorKey(user.id), tx);
      await this.#d.audit.record(
        {
          action: 'recovery_codes_generated',
          actor: { id: user.id, email: user.email },
          subject: `user:${user.id}`,
          ip: context.ip,
          details: { count: recoveryCodes.length, confirmedWith: step === undefined ? 'password' : 'code' },
        },
        tx,
      );
      return { recoveryCodes };
    });
  }

  /**
   * Counts a try at a code or password before it is checked, against the same key as wrong
   * codes at sign-in: a stolen session cannot guess its way to turning two-factor off or to
   * new recovery codes (the 5th wrong try locks, longer each time). A success clears it.
   */
  async #countTry(user: SignedInUser): Promise<void> {
    const key = twoFactorKey(user.id);
    const { allowed } = await this.#d.throttle.attempt(key, twoFactorPolicy);
    if (allowed) return;
    const seconds = Math.max(1, await this.#d.throttle.retryAfter([key]));
    throw new HearthError('HEARTH_ERR_CONFIRM_LOCKED', { wait: waitInWords(seconds), seconds });
  }
}
