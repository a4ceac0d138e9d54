import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The cookie that holds a session's token. */
export const SESSION_COOKIE = 'hearth_session';
/** A random value per visitor who is not signed in, that sign-in forms' CSRF tokens are bound to. */
export const VISITOR_COOKIE = 'hearth_visitor';

/** HttpOnly, SameSite=Lax, and Secure whenever the visitor came over HTTPS (directly or through the proxy). */
export function cookieOptions(request: FastifyRequest, expires?: Date): CookieSerializeOptions {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    ...(expires ? { expires } : {}),
  };
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE] || undefined;
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  session: { token: string; expiresAt: string },
): void {
  reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(request, new Date(session.expiresAt)));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}
