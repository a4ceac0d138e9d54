import type { SpamCheck } from './types.js';

/** The name of the field that the form hides from people: only a robot fills it in. */
export const HONEYPOT_FIELD = 'url';

/** Flags a comment whose hidden field was filled in. */
export const honeypotCheck: SpamCheck = (c) =>
  c.trap.trim() !== '' ? { verdict: 'spam', reason: 'honeypot' } : undefined;
