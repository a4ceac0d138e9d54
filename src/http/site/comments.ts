import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commentFeedPath, parseId } from '../../domain/comments/index.js';
import type { PageCache } from '../../render/page-cache.js';
import { type RenderedDocument, sendPage } from '../plugins/send-page.js';
import type { SiteDeps } from './context.js';
import { errorPage } from './errors.js';

// No control characters: PostgreSQL refuses NUL in text, and no slug has them.
const slugParam = { type: 'string', maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
const publicRoute = { access: 'public' as const };
const ATOM = 'application/atom+xml; charset=utf-8';

/**
 * What the comment form needs besides the page, and the comments feeds: a fresh form
 * token for the theme's script (never cached: it carries the time), and Atom feeds of
 * the site's and each post's approved comments, kept in the page cache until a comment
 * or the post changes; readers revalidate by ETag or date.
 */
export async function commentRoutes(app: FastifyInstance, deps: SiteDeps & { cache: PageCache }): Promise<void> {
  const { services, cache } = deps;

  app.get<{ Querystring: { post?: string } }>(
    '/comments/token',
    {
      config: publicRoute,
      schema: { querystring: { type: 'object', properties: { post: { type: 'string', maxLength: 20 } } } },
    },
    async (request, reply) => {
      const postId = parseId(request.query.post);
      if (postId === undefined)
        return reply
          .code(400)
          .send({ error: { code: 'HEARTH_ERR_VALIDATION', message: 'post: the post id is missing.', field: 'post' } });
      const token = await services.comments.formToken(postId);
      return reply.header('cache-control', 'private, no-store').send({ token });
    },
  );

  const sendFeed = (request: FastifyRequest, reply: FastifyReply, slug: string | undefined) =>
    sendPage(cache, request, reply, {
      key: commentFeedPath(slug),
      render: async () => {
        const feed = await services.commentFeeds.build(slug);
        if (!feed) return errorPage(deps, request.url, 404, 'Nothing is published at this address.');
        const document: RenderedDocument = {
          status: 200,
          body: feed.body,
          contentType: ATOM,
          tags: feed.postId === undefined ? ['comments', 'posts', 'site'] : [`post:${feed.postId}`, 'posts', 'site'],
          lastModified: feed.updated,
        };
        return document;
      },
    });

  // And at WordPress's address of its comments feed, which imported blogs' readers keep.
  for (const url of [commentFeedPath(), '/comments/feed/', '/comments/feed']) {
    app.get(url, { config: publicRoute, schema: {} }, (request, reply) => sendFeed(request, reply, undefined));
  }
  app.get<{ Params: { slug: string } }>(
    '/:slug/comments/atom.xml',
    {
      config: publicRoute,
      schema: { params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] } },
    },
    (request, reply) => sendFeed(request, reply, request.params.slug),
  );
}
