import { setTimeout as setTimeoutPromise } from 'node:timers/promises';
import type { Db } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Mailer } from '../mail/index.js';
import type { UserService } from '../users/index.js';
import { Devices } from './devices.js';
import { AccountLinks } from './links.js';
import { PasswordResets } from './password-reset.js';
import { RecoveryCodes } from './recovery-codes.js';
import { type SessionPolicy, SessionStore } from './sessions.js';
import { SignIn } from './sign-in.js';
import { Team } from './team.js';
import { LoginThrottle } from './throttle.js';
import { FormTokens } from './tokens.js';
import { TwoFactor } from './two-factor.js';

/** The account services, as `Services.accounts`. */
export interface Accounts {
  signIn: SignIn;
  team: Team;
  passwordResets: PasswordResets;
  twoFactor: TwoFactor;
  /** The signed-in person's own sessions (devices), to list and sign out. */
  devices: Devices;
  /** CSRF tokens for admin forms. */
  formTokens: FormTokens;
  sessionPolicy: SessionPolicy;
}

/**
 * Builds the account services.
 *
 * @example
 *   const accounts = createAccounts({ db, users, mailer, audit, secret, siteTitle, publicUrl });
 *   const { token } = await accounts.signIn.signIn({ email, password }, { ip, userAgent });
 */
export function createAccounts(deps: {
  db: Db;
  users: UserService;
  mailer: Mailer;
  audit: AuditLog;
  secret: () => Promise<string>;
  siteTitle: () => Promise<string>;
  publicUrl: string;
  now?: () => Date;
  /** How a failed sign-in waits before its answer; a timer unless given. */
  pause?: (ms: number) => Promise<void>;
  sessionPolicy?: SessionPolicy;
}): Accounts {
  const now = deps.now ?? (() => new Date());
  const { db } = deps;
  const sessions = new SessionStore({ db, now, ...(deps.sessionPolicy ? { policy: deps.sessionPolicy } : {}) });
  const shared = {
    db,
    users: deps.users,
    mailer: deps.mailer,
    audit: deps.audit,
    sessions,
    links: new AccountLinks({ db, now }),
    recoveryCodes: new RecoveryCodes({ db, now }),
    throttle: new LoginThrottle({ db, now }),
    siteTitle: deps.siteTitle,
    publicUrl: deps.publicUrl,
    now,
    pause: deps.pause ?? ((ms: number) => (ms > 0 ? setTimeoutPromise(ms) : Promise.resolve())),
  };
  return {
    signIn: new SignIn(shared),
    team: new Team(shared),
    passwordResets: new PasswordResets(shared),
    twoFactor: new TwoFactor(shared),
    devices: new Devices(shared),
    formTokens: new FormTokens(deps.secret),
    sessionPolicy: sessions.policy,
  };
}
