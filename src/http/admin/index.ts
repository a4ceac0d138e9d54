import type { FastifyError, FastifyInstance } from 'fastify';
import { HearthError, isHearthError } from '../../errors.js';
import { requireCsrfToken, requireCsrfTokenAfterParsing } from '../plugins/csrf.js';
import { enforceAccess, requireRouteDeclarations } from '../plugins/route-guard.js';
import { sessionToken } from '../plugins/session-cookie.js';
import { type AccountRoutesServices, accountRoutes } from './account.js';
import { type AnalyticsRoutesServices, analyticsRoutes } from './analytics.js';
import { type BookBuildRoutesServices, bookBuildRoutes } from './book-builds.js';
import { type BookRoutesServices, bookRoutes } from './books.js';
import { type CommentPrivacyServices, commentPrivacyRoutes } from './comment-privacy.js';
import { type CommentQueueServices, commentQueueRoutes } from './comments.js';
import { type DashboardRoutesServices, dashboardRoutes } from './dashboard.js';
import { type ExportRoutesServices, exportRoutes } from './export.js';
import { type ImportRoutesServices, type ImportRunner, importRoutes } from './imports.js';
import { type LinkRoutesServices, linkRoutes } from './links.js';
import { type MediaRoutesServices, mediaRoutes } from './media.js';
import { type NewsletterPreviewServices, newsletterPreviewRoutes } from './newsletter-preview.js';
import { type NewsletterRoutesServices, newsletterRoutes } from './newsletters.js';
import { createPages, type PagesServices } from './pages.js';
import { type RevisionRoutesServices, revisionRoutes } from './post-revisions.js';
import { type PostRoutesServices, postRoutes } from './posts.js';
import { type ProfileRoutesServices, profileRoutes } from './profile.js';
import { type ReviewRoutesServices, reviewRoutes } from './review.js';
import { type SettingsRoutesServices, settingsRoutes } from './settings.js';
import { type SignInRoutesServices, signInRoutes } from './sign-in.js';
import { type SubscriberRoutesServices, subscriberRoutes } from './subscribers.js';
import { type TaxonomyRoutesServices, taxonomyRoutes } from './taxonomy.js';
import { type TrashRoutesServices, trashRoutes } from './trash.js';
import { acceptUploads } from './uploads.js';
import { type UserRoutesServices, userRoutes } from './users.js';
import { createAdminViews } from './views.js';

/** The services the admin uses: what its pages and route plugins use. */
export type AdminServices = AccountRoutesServices &
  AnalyticsRoutesServices &
  BookBuildRoutesServices &
  BookRoutesServices &
  CommentPrivacyServices &
  CommentQueueServices &
  DashboardRoutesServices &
  ImportRoutesServices &
  ExportRoutesServices &
  LinkRoutesServices &
  MediaRoutesServices &
  NewsletterPreviewServices &
  NewsletterRoutesServices &
  PagesServices &
  PostRoutesServices &
  RevisionRoutesServices &
  ReviewRoutesServices &
  ProfileRoutesServices &
  SettingsRoutesServices &
  SignInRoutesServices &
  SubscriberRoutesServices &
  TaxonomyRoutesServices &
  TrashRoutesServices &
  UserRoutesServices;

/**
 * The admin face, under /admin: server-rendered pages with the admin's own templates.
 * Every route declares the capability it needs, checked before its body is read; every
 * state-changing request carries the form's CSRF token; no page is cached.
 */
export async function adminRoutes(
  app: FastifyInstance,
  deps: {
    services: AdminServices;
    uploadMaxBytes?: number;
    importRunner?: ImportRunner | undefined;
    /** The blog's public address, for what leaves the admin (the newsletter's preview and test). */
    publicUrl?: string;
  },
): Promise<void> {
  const { services } = deps;
  const pages = createPages(services, createAdminViews());

  requireRouteDeclarations(app);
  // First: the sign-in redirect and refusals that end a request early are not kept either.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  enforceAccess(app, {
    findSession: (request) => services.accounts.signIn.session(sessionToken(request)),
    onSignInRequired: (request, reply) => {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/admin/login${next}`, 303);
    },
  });
  requireCsrfToken(app, services.accounts.formTokens);

  app.setNotFoundHandler(async (request, reply) =>
    pages.page(
      request,
      reply,
      'error',
      { title: 'Page not found', message: 'There is no admin page at this address.' },
      404,
    ),
  );
  app.setErrorHandler(async (error: FastifyError | HearthError, request, reply) => {
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
  await app.register(revisionRoutes, { services, pages });
  await app.register(newsletterPreviewRoutes, { services, pages, publicUrl: deps.publicUrl ?? 'http://localhost' });
  await app.register(reviewRoutes, { services, pages });
  await app.register(trashRoutes, { services, pages });
  await app.register(mediaRoutes, { services, pages });
  await app.register(dashboardRoutes, { services, pages });
  await app.register(exportRoutes, { services });
  await app.register(taxonomyRoutes, { services, pages });
  await app.register(bookRoutes, { services, pages });
  await app.register(bookBuildRoutes, { services, pages });
  // The profile's avatar and the settings' logo come in plain multipart forms; the editor's
  // media routes read their uploads as streams, with a parser of their own.
  const uploadMaxBytes = deps.uploadMaxBytes ?? 20 * 1024 * 1024;
  await app.register(async (forms) => {
    await acceptUploads(forms, uploadMaxBytes);
    requireCsrfTokenAfterParsing(forms, services.accounts.formTokens);
    await forms.register(profileRoutes, { services, pages });
    await forms.register(settingsRoutes, { services, pages });
    // Subscribers: the CSV import comes as a file.
    await forms.register(subscriberRoutes, { services, pages });
  });
  await app.register(commentQueueRoutes, { services, pages });
  await app.register(commentPrivacyRoutes, { services, pages });
  await app.register(analyticsRoutes, { services, pages });
  await app.register(newsletterRoutes, { services, pages });
  if (deps.importRunner) await app.register(importRoutes, { services, pages, runner: deps.importRunner });
}
