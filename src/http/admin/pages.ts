import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, capabilities } from '../../domain/accounts/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { csrfToken } from '../plugins/csrf.js';
import type { AdminViews } from './views.js';

/** The services this plugin uses. */
export type PagesServices = Pick<Services, 'accounts' | 'reviews'>;

/** A form as a view shows it: what was typed, and a message per field that was wrong. */
export interface FormView {
  values: Record<string, string>;
  errors: Record<string, string>;
  errorList: { field: string; message: string }[];
}

export function formView(values: Record<string, string> = {}, errors: Record<string, string> = {}): FormView {
  return { values, errors, errorList: Object.entries(errors).map(([field, message]) => ({ field, message })) };
}

/**
 * What went wrong with a form, field by field, when it is the sender's to fix (a 4xx
 * HearthError other than a bad link); undefined for anything else, which the error
 * handler answers.
 */
function formFailure(error: unknown): { status: number; errors: Record<string, string> } | undefined {
  if (error instanceof ValidationError) return { status: 400, errors: error.fields };
  if (error instanceof HearthError && error.status < 500 && !error.code.startsWith('HEARTH_ERR_LINK_')) {
    return { status: error.status, errors: { [error.field ?? 'form']: error.message } };
  }
  return undefined;
}

type PageData = { title: string } & Record<string, unknown>;

/** The admin's page renderer: the layout's data (who is signed in, the menu, the CSRF token) and the view's. */
export function createPages(services: PagesServices, views: AdminViews) {
  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    view: string,
    data: PageData,
    status = 200,
  ): Promise<FastifyReply> {
    const session = request.session;
    const user = session?.stage === 'active' ? session.user : null;
    const allowed = user ? capabilities.filter((c) => can(user.role, c)) : [];
    const html = await views.render(view, {
      ...data,
      me: user && { ...user, can: Object.fromEntries(allowed.map((c) => [c, true])) },
      csrf: await csrfToken(services.accounts.formTokens, request, reply),
      path: request.url.split('?')[0],
      // The menu's "Review" count, for those who review (issue 18).
      reviewCount: user && can(user.role, 'edit_any') ? await services.reviews.waitingCount() : 0,
    });
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  }

  /**
   * Shows a form again with what was wrong next to each field (and Retry-After when the
   * sender must wait), or rethrows an error that is not the sender's to fix.
   */
  async function formError(
    request: FastifyRequest,
    reply: FastifyReply,
    view: string,
    data: PageData & { values: Record<string, string> },
    error: unknown,
  ): Promise<FastifyReply> {
    const failure = formFailure(error);
    if (!failure) throw error;
    if (error instanceof HearthError && error.code === 'HEARTH_ERR_TOO_MANY_ATTEMPTS') {
      reply.header('retry-after', String(error.params.seconds));
    }
    const { values, ...rest } = data;
    return page(request, reply, view, { ...rest, form: formView(values, failure.errors) }, failure.status);
  }

  return { page, formError };
}

export type Pages = ReturnType<typeof createPages>;

/** The visitor's address and browser, for sessions, throttling and the audit log. */
export function requestContext(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** A path inside the admin to go to after signing in; anything else (another site) becomes /admin. */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/[^/\\]|\/?$|\?)/.test(next) && !/[\r\n]/.test(next) ? next : '/admin';
}
