import { HearthError } from '../../errors.js';
import type { AccountLinkKind, Db, Role } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Mailer, MailMessage } from '../mail/index.js';
import type { Capability } from '../roles/index.js';
import { can } from '../roles/index.js';
import type { UserService } from '../users/index.js';
import type { AccountLinks } from './links.js';
import type { RecoveryCodes } from './recovery-codes.js';
import type { SessionStore, SignedInUser } from './sessions.js';
import type { LoginThrottle } from './throttle.js';

/** What the account services share. */
export interface AccountDeps {
  db: Db;
  users: UserService;
  mailer: Mailer;
  audit: AuditLog;
  sessions: SessionStore;
  links: AccountLinks;
  recoveryCodes: RecoveryCodes;
  throttle: LoginThrottle;
  /** The blog's title, for the emails. */
  siteTitle: () => Promise<string>;
  /** Absolute URL of the site without a trailing slash, for the links in emails. */
  publicUrl: string;
  now: () => Date;
  /** Waits before a failed sign-in is answered (a timer; tests pass one that records). */
  pause: (ms: number) => Promise<void>;
}

/**
 * Creates a one-time link and emails it; a link whose email could not be sent is removed,
 * so it neither lingers as pending nor works.
 */
export async function emailLink(
  d: AccountDeps,
  link: { kind: AccountLinkKind; email: string; role?: Role; userId?: number; createdBy?: number; lifetimeMs: number },
  compose: (url: string, expiresAt: string, siteTitle: string) => MailMessage,
): Promise<{ expiresAt: string }> {
  const { kind, lifetimeMs, ...values } = link;
  const created = await d.links.create(kind, values, lifetimeMs);
  const path = kind === 'invite' ? 'invite' : 'reset';
  try {
    await d.mailer.send(
      compose(`${d.publicUrl}/admin/${path}/${created.token}`, created.expiresAt, await d.siteTitle()),
    );
  } catch (error) {
    await d.links.remove(created.id);
    throw error;
  }
  return { expiresAt: created.expiresAt };
}

/** The visitor's address and browser, for sessions, throttling and the audit log. */
export interface RequestContext {
  ip: string;
  userAgent: string | undefined;
}

/** Refuses an actor whose role lacks a capability (the routes check it too). */
export function requireCapability(actor: SignedInUser, capability: Capability): void {
  if (!can(actor.role, capability)) throw new HearthError('HEARTH_ERR_FORBIDDEN', { role: actor.role, capability });
}

/** An email address as stored: trimmed and in lower case. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** A wait in words, e.g. "45 seconds" or "2 minutes". */
export function waitInWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
