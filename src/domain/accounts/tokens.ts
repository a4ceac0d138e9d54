import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random token for a cookie or a link, and the hash that is stored in its place. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** SHA-256 of a token, hex: what the database keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether two strings are equal, in time that does not depend on where they differ. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Tokens for the hidden field of admin forms (CSRF protection). A token is an HMAC of what
 * it is bound to: the visitor's session, or before sign-in a random cookie of their own.
 * Another site can neither read nor compute it, so a form it posts is refused.
 */
export class FormTokens {
  #secret: () => Promise<string>;

  constructor(secret: () => Promise<string>) {
    this.#secret = secret;
  }

  /** The token for forms shown to whoever holds `binding` (a session token or a visitor cookie). */
  async issue(binding: string): Promise<string> {
    return createHmac('sha256', await this.#secret())
      .update(`form:${hashToken(binding)}`)
      .digest('base64url');
  }

  async verify(binding: string, token: string | undefined): Promise<boolean> {
    if (!token || token.length > 100) return false;
    return sameText(await this.issue(binding), token);
  }
}
