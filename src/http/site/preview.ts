import type { FastifyInstance } from 'fastify';
import { commentFeedPath, HONEYPOT_FIELD, MAX_COMMENT_LENGTH } from '../../domain/comments/index.js';
import { commentFormView, postPageView } from '../../render/view-models/index.js';
import { urls } from '../../shared/urls.js';
import { PRIVATE_CACHE_CONTROL, securityHeaders } from '../plugins/send-page.js';
import { pageContext, type SiteDeps } from './context.js';
import { errorPage } from './errors.js';

/**
 * A draft's private preview: `/preview/:id/:token`, the token signed with the site secret
 * (see EditorialService.previewToken). Rendered as the post will look, marked noindex,
 * never kept in the page cache nor in any other cache.
 */
export async function previewRoutes(app: FastifyInstance, deps: SiteDeps): Promise<void> {
  const { services, theme } = deps;
  app.get<{ Params: { id: string; token: string } }>(
    '/preview/:id/:token',
    {
      config: { access: 'public' },
      schema: {
        params: {
          type: 'object',
          properties: {
            id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
            token: { type: 'string', pattern: '^[A-Za-z0-9_-]{10,100}$' },
          },
          required: ['id', 'token'],
        },
      },
    },
    async (request, reply) => {
      reply.headers({ ...securityHeaders, 'cache-control': PRIVATE_CACHE_CONTROL, 'x-robots-tag': 'noindex' });
      const post = await services.editorial.previewPost(Number(request.params.id), request.params.token);
      if (!post) {
        const page = await errorPage(deps, request.url, 404, 'Nothing is published at this address.');
        return reply.code(404).type('text/html; charset=utf-8').send(page.html);
      }
      const { ctx, site } = await pageContext(deps, request.url, { subscribe: false });
      const html = await theme.render(post.type === 'page' ? 'page' : 'post', {
        site,
        page: {
          title: `Preview: ${post.title}`,
          description: post.excerpt,
          canonical: `${ctx.publicUrl}${urls.post(post.slug)}`,
          ogType: 'article',
          image: null,
          noindex: true,
        },
        // A draft takes no comments: the form is shown closed, as readers will not see it yet.
        post: postPageView(post, ctx, {
          related: [],
          comments: [],
          form: commentFormView(post, {}, { maxLength: MAX_COMMENT_LENGTH, honeypot: HONEYPOT_FIELD }),
          commentsOpen: false,
          maxDepth: ctx.settings.commentsMaxDepth,
          commentFeedUrl: commentFeedPath(post.slug),
        }),
      });
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );
}
