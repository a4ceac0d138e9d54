import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FeedFormat, type FeedScope, feedFiles } from '../../domain/feeds/index.js';
import type { PageCache } from '../../render/page-cache.js';
import { type RenderedDocument, sendPage } from '../plugins/send-page.js';
import type { SiteDeps } from './context.js';
import { errorPage } from './errors.js';

export type FeedDeps = SiteDeps & { cache: PageCache };

// No control characters: PostgreSQL refuses NUL in text, and no slug has them.
const slugParam = { type: 'string', maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
const publicRoute = { access: 'public' as const };
const taxonomies = ['category', 'tag', 'author'] as const;
const formats = Object.keys(feedFiles) as FeedFormat[];

/** The path of a request, without its query: the page cache's key. */
const pathOf = (request: FastifyRequest) => {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
};

/**
 * Feeds of the site and of each category, tag and author, in RSS 2.0 (`feed.xml`), Atom
 * 1.0 (`atom.xml`) and JSON Feed 1.1 (`feed.json`). A feed is built once and kept in the
 * page cache until a post or the site changes; readers revalidate by ETag or date.
 */
export async function feedRoutes(app: FastifyInstance, deps: FeedDeps): Promise<void> {
  const { services, cache } = deps;

  const sendFeed = (request: FastifyRequest, reply: FastifyReply, scope: FeedScope, format: FeedFormat) =>
    sendPage(cache, request, reply, {
      key: pathOf(request),
      render: async () => {
        const feed = await services.feeds.build(scope, format);
        if (!feed) return errorPage(deps, request.url, 404, 'Nothing is published at this address.');
        const document: RenderedDocument = {
          status: 200,
          body: feed.body,
          contentType: `${feed.mediaType}; charset=utf-8`,
          tags: ['posts', 'site', ...(feed.source ? [`${feed.source.kind}:${feed.source.id}`] : [])],
          lastModified: feed.updated,
        };
        return document;
      },
    });

  // WordPress's addresses (`/feed/`, `/category/x/feed/`) answer with the RSS feed itself:
  // readers of an imported blog keep them, and some follow a redirect badly.
  const files = (format: FeedFormat) => (format === 'rss' ? [feedFiles[format], 'feed/', 'feed'] : [feedFiles[format]]);
  for (const format of formats) {
    for (const file of files(format)) {
      app.get(`/${file}`, { config: publicRoute, schema: {} }, (request, reply) =>
        sendFeed(request, reply, { kind: 'site' }, format),
      );
      for (const kind of taxonomies) {
        app.get<{ Params: { slug: string } }>(
          `/${kind}/:slug/${file}`,
          {
            config: publicRoute,
            schema: { params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] } },
          },
          (request, reply) => sendFeed(request, reply, { kind, slug: request.params.slug }, format),
        );
      }
    }
  }
}
