import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SpamCheck } from './types.js';

/** How long a form token stays good: a reader may leave a tab open for a day. */
export const FORM_TOKEN_MAX_AGE_MS = 24 * 60 * 60 * 1000;

function sign(secret: string, issuedAt: number, postId: number): string {
  return createHmac('sha256', secret).update(`comment-form:${issuedAt}:${postId}`).digest('base64url');
}

/**
 * A token that says when a comment form was opened, for one post, signed with the site
 * secret. Post pages are cached, so the page cannot carry it: the theme's script fetches
 * one when the form comes into view and puts it in a hidden field.
 *
 * @example
 *   issueFormToken(secret, 12, new Date()) // '1795000000000.12.Qm9…'
 */
export function issueFormToken(secret: string, postId: number, now: Date): string {
  const issuedAt = now.getTime();
  return `${issuedAt}.${postId}.${sign(secret, issuedAt, postId)}`;
}

/** Reads a token back: its time when the signature and the post match, else undefined. */
export function verifyFormToken(secret: string, token: string, postId: number): number | undefined {
  const match = /^(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match || Number(match[2]) !== postId) return undefined;
  const issuedAt = Number(match[1]);
  const expected = Buffer.from(sign(secret, issuedAt, postId));
  const given = Buffer.from(match[3] ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given) ? issuedAt : undefined;
}

/**
 * The time from opening the form to sending it. No token (script off, or blocked) is
 * no fault: the comment waits for a moderator. A forged token, or one sent sooner than
 * a person could write anything, is spam; a token older than a day is held.
 */
export const formTokenCheck: SpamCheck = (c, env) => {
  if (c.token === undefined || c.token === '') return { verdict: 'hold', reason: 'no-form-token' };
  const issuedAt = verifyFormToken(env.secret, c.token, c.postId);
  if (issuedAt === undefined) return { verdict: 'spam', reason: 'forged-form-token' };
  const age = env.now.getTime() - issuedAt;
  if (age < env.settings.commentMinSeconds * 1000) return { verdict: 'spam', reason: 'too-fast' };
  if (age > FORM_TOKEN_MAX_AGE_MS) return { verdict: 'hold', reason: 'old-form-token' };
  return undefined;
};
