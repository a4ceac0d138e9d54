import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { type Capability, can, type FoundSession } from '../../domain/accounts/index.js';
import { HearthError } from '../../errors.js';

/**
 * Who may call a route:
 * - `public`: anyone (the site, the sign-in pages);
 * - `setup-token`: anyone holding the printed first-run link (checked by the route);
 * - `account-link`: anyone holding an emailed invitation or reset link (checked by the route);
 * - `two-factor`: a session that gave the right password and owes a TOTP code;
 * - `{ capability }`: a signed-in user whose role grants that capability.
 */
export type Access = 'public' | 'setup-token' | 'account-link' | 'two-factor' | { capability: Capability };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The visitor's live session, found by the access hook of the admin and the API. */
    session: FoundSession | null;
  }
}

/**
 * Routes fail closed: a route that does not declare who may call it (`config.access`) or
 * its input (`schema`) is refused at registration, so a forgotten check cannot ship.
 */
export function requireRouteDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.method === 'HEAD' || (Array.isArray(route.method) && route.method.every((m) => m === 'HEAD'))) return;
    const config = route.config as { access?: Access } | undefined;
    if (!config?.access) throw new Error(`route ${String(route.method)} ${route.url} declares no access rule`);
    if (!route.schema) throw new Error(`route ${String(route.method)} ${route.url} declares no input schema`);
  });
}

export interface AccessOptions {
  /** Finds the session of a request (from its cookie). */
  findSession(request: FastifyRequest): Promise<FoundSession | undefined>;
  /** Answers a request that needs a signed-in user and has none (redirect or JSON 401). */
  onSignInRequired(request: FastifyRequest, reply: FastifyReply): Promise<unknown> | unknown;
}

/**
 * Enforces each route's declared access before its body is read: a capability route needs
 * a fully signed-in user (else `onSignInRequired`) whose role grants it (else a 403
 * HEARTH_ERR_FORBIDDEN), whatever links the page showed.
 */
export function enforceAccess(app: FastifyInstance, options: AccessOptions): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return; // not found: the not-found handler answers
    request.session = (await options.findSession(request)) ?? null;
    if (access === 'public' || access === 'setup-token' || access === 'account-link') return;
    const session = request.session;
    if (access === 'two-factor') {
      if (session?.stage !== 'two-factor') return options.onSignInRequired(request, reply);
      return;
    }
    if (session?.stage !== 'active') return options.onSignInRequired(request, reply);
    if (!can(session.user.role, access.capability)) {
      throw new HearthError('HEARTH_ERR_FORBIDDEN', { role: session.user.role, capability: access.capability });
    }
  });
}
