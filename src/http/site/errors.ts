import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError, isHearthError } from '../../errors.js';
import type { PageCache } from '../../render/page-cache.js';
import { pathKey } from '../../shared/urls.js';
import { type RenderedPage, sendPage } from '../plugins/send-page.js';
import { pageContext, type SiteDeps } from './context.js';

/** Renders the theme's error page for a status, with a message a reader can act on. */
export async function sendErrorPage(
  deps: SiteDeps & { cache: PageCache },
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  details: string[] = [],
): Promise<FastifyReply> {
  return sendPage(deps.cache, request, reply, {
    key: null,
    render: () => errorPage(deps, request.url, status, message, details),
  });
}

/** The theme's error page as a rendered page, for routes that find nothing to show. */
export async function errorPage(
  deps: SiteDeps,
  url: string,
  status: number,
  message: string,
  details: string[] = [],
): Promise<RenderedPage> {
  const { site } = await pageContext(deps, url, { subscribe: false });
  const title = status === 404 ? 'Page not found' : status < 500 ? 'That did not work' : 'Something went wrong';
  return {
    status,
    // Not kept by the page cache; a CDN keeps a 404 a minute, until a post or the site changes.
    tags: status === 404 ? ['posts', 'site'] : [],
    html: await deps.theme.render('error', { site, page: { title, status, message, details } }),
  };
}

/**
 * The public site's error handling: themed pages for 404 and every error, a clear
 * message for what a visitor did wrong, and a log entry (not a stack trace) otherwise.
 */
export function registerSiteErrors(app: FastifyInstance, deps: SiteDeps & { cache: PageCache }): void {
  app.setNotFoundHandler(async (request, reply) => {
    const url = new URL(request.url, 'http://localhost');
    if (request.method === 'GET' || request.method === 'HEAD') {
      // An address of the blog's old home (an import's redirects), with or without its final slash:
      // `/2019/05/bath-time/`, `/archives/12`.
      const moved = await deps.services.posts.redirectFor(pathKey(url.pathname));
      if (moved) return reply.redirect(moved, 301);
      if (!url.pathname.endsWith('/')) {
        const last = url.pathname.split('/').pop() ?? '';
        // A leading `//` would make the Location another host: collapse it.
        if (!last.includes('.')) return reply.redirect(`${url.pathname.replace(/^\/+/, '/')}/${url.search}`, 301);
      }
    }
    const notFound = new HearthError('HEARTH_ERR_NOT_FOUND');
    return sendErrorPage(deps, request, reply, 404, notFound.message);
  });

  app.setErrorHandler(async (error: FastifyError | HearthError, request, reply) => {
    if (isHearthError(error) && error.status < 500) {
      return sendErrorPage(deps, request, reply, error.status, error.message);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation || (fastifyError.statusCode && fastifyError.statusCode < 500)) {
      const status = fastifyError.statusCode ?? 400;
      // An address whose parts cannot name anything (a control character in a slug) names nothing.
      if (status === 404 || (fastifyError.validation && fastifyError.validationContext === 'params'))
        return sendErrorPage(deps, request, reply, 404, new HearthError('HEARTH_ERR_NOT_FOUND').message);
      return sendErrorPage(deps, request, reply, status, 'The request could not be understood.', [error.message]);
    }
    request.log.error({ err: error }, 'request failed');
    return sendErrorPage(deps, request, reply, 500, new HearthError('HEARTH_ERR_INTERNAL').message).catch(() =>
      reply.code(500).type('text/plain').send('Something went wrong on our side.'),
    );
  });
}
