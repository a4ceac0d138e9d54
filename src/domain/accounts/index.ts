/** Accounts: sessions, sign-in with optional two-factor, invitations, password resets, roles. */

export { assignableRoles, type Capability, can, capabilities, capabilitiesByRole } from '../roles/index.js';
export { type Accounts, createAccounts } from './accounts.js';
export type { RequestContext } from './deps.js';
export { type DeviceSession, summariseUserAgent } from './devices.js';
export type { AccountLink } from './links.js';
export { RESET_LIFETIME_MS } from './password-reset.js';
export { RECOVERY_CODE_COUNT } from './recovery-codes.js';
export type { FoundSession, SessionPolicy, SignedInUser } from './sessions.js';
export type { StartedSession } from './sign-in.js';
export { INVITE_LIFETIME_MS, type TeamMember } from './team.js';
export type { FormTokens } from './tokens.js';
export { isTotpSecret } from './totp.js';
