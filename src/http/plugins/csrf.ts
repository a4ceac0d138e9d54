import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FormTokens } from '../../domain/accounts/index.js';
import { HearthError } from '../../errors.js';
import { cookieOptions, SESSION_COOKIE, sessionToken, VISITOR_COOKIE } from './session-cookie.js';

/** The hidden form field, or for scripts the header, that carries the token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What a visitor's CSRF token is bound to: their session, or before signing in a random
 * cookie of their own (set here on first need).
 */
function binding(request: FastifyRequest, reply: FastifyReply | undefined): string | undefined {
  const session = request.session ? sessionToken(request) : undefined;
  if (session) return `${SESSION_COOKIE}:${session}`;
  let visitor = request.cookies[VISITOR_COOKIE];
  if (!visitor && reply) {
    visitor = randomBytes(24).toString('base64url');
    reply.setCookie(VISITOR_COOKIE, visitor, cookieOptions(request));
    request.cookies[VISITOR_COOKIE] = visitor;
  }
  return visitor ? `${VISITOR_COOKIE}:${visitor}` : undefined;
}

/** The token for the forms of a page: put it in a hidden `_csrf` field. */
export async function csrfToken(tokens: FormTokens, request: FastifyRequest, reply: FastifyReply): Promise<string> {
  return tokens.issue(binding(request, reply) as string);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's scope checks the token itself, after its own body parser (see `requireCsrfTokenAfterParsing`). */
    csrfAfterParsing?: boolean;
  }
}

/**
 * Refuses (403 HEARTH_ERR_CSRF) every state-changing request of a scope whose token does
 * not match its visitor. Runs after the body is read and before it is validated, after
 * the access check has found the session.
 */
export function requireCsrfToken(app: FastifyInstance, tokens: FormTokens): void {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.csrfAfterParsing) return;
    await checkCsrfToken(request, tokens);
  });
}

/**
 * For a child scope whose body parser is itself a preValidation hook (multipart forms
 * with their fields in the body), which runs after the parent's hooks: its routes skip
 * the parent's check, and this scope checks once the fields are there. Call it after
 * registering the parser and before registering the routes.
 */
export function requireCsrfTokenAfterParsing(scope: FastifyInstance, tokens: FormTokens): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), csrfAfterParsing: true };
  });
  scope.addHook('preValidation', async (request) => checkCsrfToken(request, tokens));
}

async function checkCsrfToken(request: FastifyRequest, tokens: FormTokens): Promise<void> {
  if (!UNSAFE.has(request.method)) return;
  const body = request.body as Record<string, unknown> | undefined;
  // A multipart body (an upload) read by its route comes after this check: a form without
  // script carries the token in its action's query string instead.
  const multipart = String(request.headers['content-type'] ?? '').startsWith('multipart/form-data');
  const query = multipart ? (request.query as Record<string, unknown>)[CSRF_FIELD] : undefined;
  const sent =
    typeof body?.[CSRF_FIELD] === 'string'
      ? body[CSRF_FIELD]
      : typeof query === 'string'
        ? query
        : request.headers[CSRF_HEADER];
  const bound = binding(request, undefined);
  if (!bound || typeof sent !== 'string' || !(await tokens.verify(bound, sent))) {
    throw new HearthError('HEARTH_ERR_CSRF');
  }
}
