import { randomBytes } from 'node:crypto';
import { HearthError, ValidationError } from '../../errors.js';
import { isEmailAddress } from '../../shared/text.js';
import type { SessionStage } from '../../storage/index.js';
import { hashPassword, verifyPassword } from '../users/index.js';
import { type AccountDeps, normaliseEmail, type RequestContext, waitInWords } from './deps.js';
import { normaliseRecoveryCode } from './recovery-codes.js';
import type { FoundSession } from './sessions.js';
import {
  accountKey,
  accountPolicy,
  addressKey,
  addressPolicy,
  failurePauseMs,
  TWO_FACTOR_TRIES,
  twoFactorKey,
  twoFactorPolicy,
} from './throttle.js';
import { acceptTotp } from './totp.js';

/** A session just started: the token for the cookie, and whether a two-factor code is still due. */
export interface StartedSession {
  token: string;
  stage: SessionStage;
  expiresAt: string;
}

/**
 * Signing in and out. A wrong password and an unknown address get the same answer in
 * about the same time (a password is hashed either way). Failures are counted per account
 * and per address: from the third, the answer comes later each time (up to 3 s); past a
 * few, that account or address is locked, longer each time. Each attempt is counted before
 * it is checked, so that attempts sent in parallel cannot slip past the lock. Wrong
 * two-factor codes have their own count per pending sign-in and per user: the 5th ends the
 * pending sign-in, which starts over.
 */
export class SignIn {
  #d: AccountDeps;
  #dummyHash: Promise<string> | undefined;

  constructor(deps: AccountDeps) {
    this.#d = deps;
  }

  /** Checks email and password; starts a session, which needs a TOTP code next if the user has one. */
  async signIn(input: { email?: string; password?: string }, context: RequestContext): Promise<StartedSession> {
    const email = normaliseEmail(input.email ?? '');
    const password = input.password ?? '';
    const errors: Record<string, string> = {};
    if (email === '') errors.email = 'Please enter your email address.';
    else if (!isEmailAddress(email)) errors.email = 'This does not look like an email address.';
    if (password === '') errors.password = 'Please enter your password.';
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    const keys = [accountKey(email), addressKey(context.ip)];
    await this.#refuseWhileLocked(keys);
    // Counted before the password is checked (one statement per key), so that guesses sent
    // in parallel cannot all pass the lock before any is counted; a right password takes
    // its count back.
    const account = await this.#d.throttle.attempt(accountKey(email), accountPolicy);
    const address = await this.#d.throttle.attempt(addressKey(context.ip), addressPolicy);
    if (!account.allowed || !address.allowed) await this.#refuseWhileLocked(keys, true);
    const [forAccount, forAddress] = [account.failures, address.failures];
    const user = await this.#d.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'totp_secret'])
      .where('email', '=', email)
      .where('password_hash', 'is not', null)
      .executeTakeFirst();
    const ok = await verifyPassword(password, user?.password_hash ?? (await this.#dummy()));
    if (!user || !ok) {
      await this.#d.audit.record({
        action: 'sign_in_failed',
        subject: `email:${email}`,
        ip: context.ip,
        details: { reason: user ? 'wrong password' : 'unknown email' },
      });
      await this.#d.pause(failurePauseMs(Math.max(forAccount, forAddress)));
      throw new HearthError('HEARTH_ERR_SIGN_IN_FAILED', { field: 'password' });
    }
    await this.#d.throttle.release(addressKey(context.ip), addressPolicy);
    await this.#d.throttle.clear(accountKey(email));
    await this.#d.sessions.prune();
    await this.#d.throttle.prune(accountPolicy);
    if (user.totp_secret !== null) {
      return { ...(await this.#d.sessions.start(user.id, 'two-factor', context)), stage: 'two-factor' };
    }
    return this.#d.db.transaction().execute(async (tx) => {
      const started = await this.#d.sessions.start(user.id, 'active', context, tx);
      await this.#d.audit.record(
        { action: 'sign_in', actor: { id: user.id, email: user.email }, subject: `user:${user.id}`, ip: context.ip },
        tx,
      );
      return { ...started, stage: 'active' as const };
    });
  }

  /**
   * The second step: a TOTP code (or an unused recovery code, which is then used up) for a
   * session that gave the right password. The session is replaced by a new one (a new id)
   * that is fully signed in. Recovery codes count against the same tries as app codes.
   */
  async completeTwoFactor(token: string, code: string, context: RequestContext): Promise<StartedSession> {
    const session = await this.#d.sessions.find(token);
    if (session?.stage !== 'two-factor') throw new HearthError('HEARTH_ERR_SIGN_IN_REQUIRED');
    const { user } = session;
    await this.#refuseWhileLocked([accountKey(user.email), addressKey(context.ip), twoFactorKey(user.id)]);
    // The try is counted before the code is checked (one conditional statement), so that
    // codes sent in parallel get at most TWO_FACTOR_TRIES checks between them.
    const tryNumber = await this.#d.sessions.takeCodeTry(token, TWO_FACTOR_TRIES);
    if (tryNumber === undefined) throw new HearthError('HEARTH_ERR_TWO_FACTOR_LOCKED', { field: 'code' });
    const row = await this.#d.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_last_step'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    const recovery = row.totp_secret ? normaliseRecoveryCode(code) : undefined;
    const step =
      row.totp_secret && !recovery ? acceptTotp(row.totp_secret, code, this.#d.now(), row.totp_last_step) : undefined;
    if (step === undefined && !(recovery && (await this.#d.recoveryCodes.isUnused(user.id, recovery)))) {
      const codeFailures = await this.#d.throttle.fail(twoFactorKey(user.id), twoFactorPolicy);
      await this.#d.audit.record({
        action: 'two_factor_failed',
        actor: { id: user.id, email: user.email },
        subject: `user:${user.id}`,
        ip: context.ip,
        ...(recovery ? { details: { recoveryCode: true } } : {}),
      });
      if (tryNumber === TWO_FACTOR_TRIES) await this.#d.sessions.usedUpCodeTries(token, TWO_FACTOR_TRIES);
      await this.#fail(user.email, context, codeFailures);
      if (tryNumber === TWO_FACTOR_TRIES) throw new HearthError('HEARTH_ERR_TWO_FACTOR_LOCKED', { field: 'code' });
      throw new HearthError('HEARTH_ERR_TWO_FACTOR_CODE', { field: 'code' });
    }
    return this.#d.db.transaction().execute(async (tx) => {
      // Only a pending sign-in that has not ended meanwhile becomes a session.
      if (!(await this.#d.sessions.claimPending(token, TWO_FACTOR_TRIES, tx))) {
        throw new HearthError('HEARTH_ERR_SIGN_IN_REQUIRED');
      }
      if (step !== undefined) {
        const claimed = await tx
          .updateTable('users')
          .set({ totp_last_step: step })
          .where('id', '=', user.id)
          .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1)
          throw new HearthError('HEARTH_ERR_TWO_FACTOR_CODE', { field: 'code' });
      } else if (recovery) {
        // Of two sign-ins racing with the same recovery code, only one uses it.
        if (!(await this.#d.recoveryCodes.use(user.id, recovery, tx))) {
          throw new HearthError('HEARTH_ERR_TWO_FACTOR_CODE', { field: 'code' });
        }
        await this.#d.audit.record(
          {
            action: 'recovery_code_used',
            actor: { id: user.id, email: user.email },
            subject: `user:${user.id}`,
            ip: context.ip,
            details: { left: await this.#d.recoveryCodes.left(user.id, tx) },
          },
          tx,
        );
      }
      await this.#d.throttle.clear(twoFactorKey(user.id), tx);
      const started = await this.#d.sessions.start(user.id, 'active', context, tx);
      await this.#d.audit.record(
        {
          action: 'sign_in',
          actor: { id: user.id, email: user.email },
          subject: `user:${user.id}`,
          ip: context.ip,
          details: recovery ? { twoFactor: true, recoveryCode: true } : { twoFactor: true },
        },
        tx,
      );
      return { ...started, stage: 'active' as const };
    });
  }

  /** The session of a cookie's token, if it is live. */
  async session(token: string | undefined): Promise<FoundSession | undefined> {
    return token ? this.#d.sessions.find(token) : undefined;
  }

  async signOut(token: string, context: RequestContext): Promise<void> {
    const session = await this.#d.sessions.find(token);
    await this.#d.sessions.end(token);
    if (session?.stage === 'active') {
      const { user } = session;
      await this.#d.audit.record({
        action: 'sign_out',
        actor: { id: user.id, email: user.email },
        subject: `user:${user.id}`,
        ip: context.ip,
      });
    }
  }

  /** Refuses while a key is locked (`always`: refuses in any case, with the wait if there is one). */
  async #refuseWhileLocked(keys: string[], always = false): Promise<void> {
    const seconds = Math.max(await this.#d.throttle.retryAfter(keys), always ? 1 : 0);
    if (seconds > 0) throw new HearthError('HEARTH_ERR_TOO_MANY_ATTEMPTS', { wait: waitInWords(seconds), seconds });
  }

  /** Counts a failure for the account and the address, then waits as the larger count asks. */
  async #fail(email: string, context: RequestContext, otherFailures = 0): Promise<void> {
    const forAccount = await this.#d.throttle.fail(accountKey(email), accountPolicy);
    const forAddress = await this.#d.throttle.fail(addressKey(context.ip), addressPolicy);
    await this.#d.pause(failurePauseMs(Math.max(forAccount, forAddress, otherFailures)));
  }

  /** A hash to check against when no account has the address, so that both cost the same. */
  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return this.#dummyHash;
  }
}
