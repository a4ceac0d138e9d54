import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type SitemapDocument, sitemapPaths } from '../../domain/sitemap/index.js';
import type { PageCache } from '../../render/page-cache.js';
import { type RenderedDocument, sendPage } from '../plugins/send-page.js';
import type { SiteDeps } from './context.js';
import { errorPage } from './errors.js';

export type SitemapDeps = SiteDeps & { cache: PageCache };

const publicRoute = { access: 'public' as const };
const CONTENT_TYPE = 'application/xml; charset=utf-8';

/** The path of a request, without its query: the page cache's key. */
const pathOf = (request: FastifyRequest) => {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
};

/**
 * The sitemap for search engines: `/sitemap.xml` is an index of `/sitemap-pages.xml`,
 * `/sitemap-taxonomies.xml` and `/sitemap-posts-N.xml` (N from 1, 10,000 posts each).
 * Kept in the page cache until a post or the site changes.
 */
export async function sitemapRoutes(app: FastifyInstance, deps: SitemapDeps): Promise<void> {
  const { services, cache } = deps;

  const sendSitemap = (
    request: FastifyRequest,
    reply: FastifyReply,
    build: () => Promise<SitemapDocument | undefined>,
  ) =>
    sendPage(cache, request, reply, {
      key: pathOf(request),
      render: async () => {
        const sitemap = await build();
        if (!sitemap) return errorPage(deps, request.url, 404, 'Nothing is published at this address.');
        const document: RenderedDocument = {
          status: 200,
          body: sitemap.body,
          contentType: CONTENT_TYPE,
          tags: ['posts', 'site'],
          lastModified: sitemap.updated,
        };
        return document;
      },
    });

  app.get(sitemapPaths.index, { config: publicRoute, schema: {} }, (request, reply) =>
    sendSitemap(request, reply, () => services.sitemap.index()),
  );
  app.get(sitemapPaths.pages, { config: publicRoute, schema: {} }, (request, reply) =>
    sendSitemap(request, reply, () => services.sitemap.pages()),
  );
  app.get(sitemapPaths.taxonomies, { config: publicRoute, schema: {} }, (request, reply) =>
    sendSitemap(request, reply, () => services.sitemap.taxonomies()),
  );
  // A page number that is not a plain positive number fails the schema: a 404, like any
  // address that names nothing.
  app.get<{ Params: { n: string } }>(
    '/sitemap-posts-:n.xml',
    {
      config: publicRoute,
      schema: {
        params: {
          type: 'object',
          properties: { n: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } },
          required: ['n'],
        },
      },
    },
    (request, reply) => sendSitemap(request, reply, () => services.sitemap.posts(Number(request.params.n))),
  );
}
