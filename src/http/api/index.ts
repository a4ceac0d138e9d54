import type { FastifyError, FastifyInstance } from 'fastify';
import { HearthError, isHearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import { requireCsrfToken } from '../plugins/csrf.js';
import { enforceAccess, requireRouteDeclarations } from '../plugins/route-guard.js';
import { sessionToken } from '../plugins/session-cookie.js';

/** The services this plugin uses. */
export type ApiServices = Pick<Services, 'accounts'>;

/**
 * The JSON API, under /api, for the admin's scripts: the same sessions, capabilities and
 * CSRF tokens (in the X-CSRF-Token header) as the admin pages, and errors as
 * `{ error: { code, message, field? } }`.
 */
export async function apiRoutes(app: FastifyInstance, deps: { services: ApiServices }): Promise<void> {
  const { services } = deps;
  requireRouteDeclarations(app);
  // First: the sign-in redirect and refusals that end a request early are not kept either.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  enforceAccess(app, {
    findSession: (request) => services.accounts.signIn.session(sessionToken(request)),
    onSignInRequired: () => {
      throw new HearthError('HEARTH_ERR_SIGN_IN_REQUIRED');
    },
  });
  requireCsrfToken(app, services.accounts.formTokens);
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).send({ error: { code: 'HEARTH_ERR_NOT_FOUND', message: 'There is no API endpoint here.' } }),
  );
  app.setErrorHandler(async (error: FastifyError | HearthError, request, reply) => {
    if (isHearthError(error) && error.status < 500) {
      if (error.code === 'HEARTH_ERR_TOO_MANY_ATTEMPTS') reply.header('retry-after', String(error.params.seconds));
      const field = error.field ? { field: error.field } : {};
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, ...field } });
    }
    const status = (error as FastifyError).statusCode;
    if (status && status < 500) {
      return reply.code(status).send({ error: { code: 'HEARTH_ERR_VALIDATION', message: error.message } });
    }
    request.log.error({ err: error }, 'API request failed');
    const internal = new HearthError('HEARTH_ERR_INTERNAL');
    return reply.code(500).send({ error: { code: internal.code, message: internal.message } });
  });

  app.get('/session', { config: { access: { capability: 'access_admin' } }, schema: {} }, async (request) => {
    const { user, expiresAt } = request.session as NonNullable<typeof request.session>;
    return { user: { id: user.id, name: user.name, email: user.email, role: user.role }, expiresAt };
  });

  const manageUsers = { access: { capability: 'manage_users' } } as const;
  app.get('/users', { config: manageUsers, schema: {} }, async () => ({
    users: await services.accounts.team.list(),
  }));

  app.post<{ Params: { id: string }; Body: { role: string } }>(
    '/users/:id/role',
    {
      config: manageUsers,
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
          required: ['id'],
        },
        body: { type: 'object', properties: { role: { type: 'string', maxLength: 40 } }, required: ['role'] },
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      const actor = (request.session as NonNullable<typeof request.session>).user;
      await services.accounts.team.changeRole(id, request.body.role, actor, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      return { user: { id, role: request.body.role } };
    },
  );
}
