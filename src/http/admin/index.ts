import type { FastifyError, FastifyInstance } from 'fastify';
import { HearthError, isHearthError } from '../../errors.js';
import type { Services } from '../../main.js';
import { requireCsrfToken, requireCsrfTokenAfterParsing } from '../plugins/csrf.js';
import { enforceAccess, requireRouteDeclarations } from '../plugins/route-guard.js';
import { sessionToken } from '../plugins/session-cookie.js';
import { accountRoutes } from './account.js';
import { commentPrivacyRoutes } from './comment-privacy.js';
import { commentQueueRoutes } from './comments.js';
import { dashboardRoutes } from './dashboard.js';
import { linkRoutes } from './links.js';
import { mediaRoutes } from './media.js';
import { createPages } from './pages.js';
import { postRoutes } from './posts.js';
import { profileRoutes } from './profile.js';
import { settingsRoutes } from './settings.js';
import { signInRoutes } from './sign-in.js';
import { taxonomyRoutes } from './taxonomy.js';
import { acceptUploads, malformedForm } from './uploads.js';
import { userRoutes } from './users.js';
import { createAdminViews } from './views.js';

/**
 * The admin face, under /admin: server-rendered pages with the admin's own templates.
 * Every route declares the capability it needs, checked before its body is read; every
 * state-changing request carries the form's CSRF token; no page is cached.
 */
export async function adminRoutes(
  app: FastifyInstance,
  deps: { services: Services; uploadMaxBytes?: number },
): Promise<void> {
  const { services } = deps;
  const pages = createPages(services, createAdminViews());

  requireRouteDeclarations(app);
  enforceAccess(app, {
    findSession: (request) => services.accounts.signIn.session(sessionToken(request)),
    onSignInRequired: (request, reply) => {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/admin/login${next}`, 303);
    },
  });
  requireCsrfToken(app, services.accounts.formTokens);
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.setNotFoundHandler(async (request, reply) =>
    pages.page(
      request,
      reply,
      'error',
      { title: 'Page not found', message: 'There is no admin page at this address.' },
      404,
    ),
  );
  app.setErrorHandler(async (thrown: FastifyError | HearthError, request, reply) => {
    const error = malformedForm(thrown) ?? thrown;
    let status = 500;
    let message = new HearthError('HEARTH_ERR_INTERNAL').message;
    if (isHearthError(error) && error.status < 500) {
      status = error.status;
      message = error.message;
      if (error.code === 'HEARTH_ERR_TOO_MANY_ATTEMPTS') reply.header('retry-after', String(error.params.seconds));
    } else if ((error as FastifyError).statusCode && ((error as FastifyError).statusCode as number) < 500) {
      status = (error as FastifyError).statusCode as number;
      message = `The request could not be understood: ${error.message}`;
    } else {
      request.log.error({ err: error }, 'admin request failed');
    }
    const badLink = isHearthError(error) && error.code.startsWith('HEARTH_ERR_LINK_');
    const title = badLink ? 'This link does not work' : status === 403 ? 'Not allowed' : 'That did not work';
    return pages.page(request, reply, 'error', { title, message }, status);
  });

  await app.register(signInRoutes, { services, pages });
  await app.register(linkRoutes, { services, pages });
  await app.register(accountRoutes, { services, pages });
  await app.register(userRoutes, { services, pages });
  await app.register(postRoutes, { services, pages });
  await app.register(mediaRoutes, { services, pages });
  await app.register(dashboardRoutes, { services, pages });
  await app.register(taxonomyRoutes, { services, pages });
  // The profile's avatar and the settings' logo come in plain multipart forms; the editor's
  // media routes read their uploads as streams, with a parser of their own.
  const uploadMaxBytes = deps.uploadMaxBytes ?? 20 * 1024 * 1024;
  await app.register(async (forms) => {
    await acceptUploads(forms, uploadMaxBytes);
    requireCsrfTokenAfterParsing(forms, services.accounts.formTokens);
    await forms.register(profileRoutes, { services, pages });
    await forms.register(settingsRoutes, { services, pages });
  });
  await app.register(commentQueueRoutes, { services, pages });
  await app.register(commentPrivacyRoutes, { services, pages });
}
