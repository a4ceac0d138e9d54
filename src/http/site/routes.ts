import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_COMMENT_LENGTH } from '../../domain/comments/index.js';
import type { Post } from '../../domain/posts/index.js';
import { ValidationError } from '../../errors.js';
import type { PageCache } from '../../render/page-cache.js';
import {
  type CommentFormView,
  cardView,
  commentFormView,
  paginationView,
  postPageView,
} from '../../render/view-models/index.js';
import { urls } from '../../shared/urls.js';
import { PRIVATE_CACHE_CONTROL, sendPage } from '../plugins/send-page.js';
import { pageContext, parsePageNumber, type SiteDeps } from './context.js';
import { sendErrorPage } from './errors.js';

type Deps = SiteDeps & { cache: PageCache };

const slugParam = { type: 'string', maxLength: 200 } as const;
const pageParam = { type: 'string', maxLength: 12 } as const;
const publicRoute = { access: 'public' as const };

/** The public site: home, posts and pages, archives, the comment form. */
export async function siteRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { services, theme, cache } = deps;
  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    sendErrorPage(deps, request, reply, 404, 'Nothing is published at this address.');

  /** A paginated list of post cards: home and the archives share it. */
  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    rawPage: string | undefined,
    archive: {
      key: string;
      tags: string[];
      filter: { categoryId?: number; tagId?: number; authorId?: number };
      heading: { kind: string; title: string; description: string } | null;
      pageUrl: (n: number) => string;
    },
  ) => {
    const page = parsePageNumber(rawPage);
    if (page === null) return notFound(request, reply);
    const settings = await services.settings.get();
    const result = await services.posts.listPublished({ page, perPage: settings.postsPerPage, ...archive.filter });
    if (page > result.pages) return notFound(request, reply);
    return sendPage(cache, request, reply, {
      key: `${archive.key}|${page}`,
      tags: ['posts', 'site', ...archive.tags],
      render: async () => {
        const { ctx, site } = await pageContext(deps, request.url);
        return theme.render('list', {
          site,
          page: {
            title: archive.heading ? archive.heading.title : site.title,
            description: archive.heading?.description || site.description,
            canonical: `${ctx.publicUrl}${archive.pageUrl(page)}`,
            archive: archive.heading,
            posts: result.items.map((p, i) => cardView(p, ctx, { eager: i === 0 && page === 1 })),
            pagination: paginationView(page, result.pages, archive.pageUrl),
            isHome: archive.heading === null,
          },
        });
      },
    });
  };

  app.get<{ Params: { page?: string } }>('/', { config: publicRoute, schema: {} }, (request, reply) =>
    listPage(request, reply, undefined, { key: 'home', tags: [], filter: {}, heading: null, pageUrl: urls.home }),
  );
  app.get<{ Params: { page: string } }>(
    '/page/:page/',
    { config: publicRoute, schema: { params: { type: 'object', properties: { page: pageParam } } } },
    (request, reply) =>
      listPage(request, reply, request.params.page, {
        key: 'home',
        tags: [],
        filter: {},
        heading: null,
        pageUrl: urls.home,
      }),
  );

  const archiveSchema = {
    params: { type: 'object', properties: { slug: slugParam, page: pageParam }, required: ['slug'] },
  };
  type ArchiveParams = { Params: { slug: string; page?: string } };

  const categoryArchive = async (request: FastifyRequest<ArchiveParams>, reply: FastifyReply) => {
    const category = await services.taxonomy.categoryBySlug(request.params.slug);
    if (!category) return notFound(request, reply);
    return listPage(request, reply, request.params.page, {
      key: `category:${category.id}`,
      tags: [`category:${category.id}`],
      filter: { categoryId: category.id },
      heading: { kind: 'Category', title: category.name, description: category.description },
      pageUrl: (n) => urls.category(category.slug, n),
    });
  };
  const tagArchive = async (request: FastifyRequest<ArchiveParams>, reply: FastifyReply) => {
    const tag = await services.taxonomy.tagBySlug(request.params.slug);
    if (!tag) return notFound(request, reply);
    return listPage(request, reply, request.params.page, {
      key: `tag:${tag.id}`,
      tags: [`tag:${tag.id}`],
      filter: { tagId: tag.id },
      heading: { kind: 'Tag', title: tag.name, description: '' },
      pageUrl: (n) => urls.tag(tag.slug, n),
    });
  };
  const authorArchive = async (request: FastifyRequest<ArchiveParams>, reply: FastifyReply) => {
    const author = await services.users.bySlug(request.params.slug);
    if (!author) return notFound(request, reply);
    return listPage(request, reply, request.params.page, {
      key: `author:${author.id}`,
      tags: [`author:${author.id}`],
      filter: { authorId: author.id },
      heading: { kind: 'Author', title: author.name, description: author.bio },
      pageUrl: (n) => urls.author(author.slug, n),
    });
  };
  for (const [prefix, handler] of [
    ['category', categoryArchive],
    ['tag', tagArchive],
    ['author', authorArchive],
  ] as const) {
    app.get<ArchiveParams>(`/${prefix}/:slug/`, { config: publicRoute, schema: archiveSchema }, handler);
    app.get<ArchiveParams>(`/${prefix}/:slug/page/:page/`, { config: publicRoute, schema: archiveSchema }, handler);
  }

  /** Renders a post or page; with a form view when the visitor's comment needs another look. */
  const renderPost = async (request: FastifyRequest, post: Post, form: CommentFormView) => {
    const [related, comments] = await Promise.all([
      post.type === 'post' ? services.posts.related(post, 3) : Promise.resolve([]),
      services.comments.approvedFor(post.id),
    ]);
    const avatarIds = [post.author.avatarId, post.editorNote?.author?.avatarId].filter((id): id is number => !!id);
    const { ctx, site } = await pageContext(deps, request.url, avatarIds);
    return {
      html: await theme.render(post.type === 'page' ? 'page' : 'post', {
        site,
        page: {
          title: post.seoTitle ?? post.title,
          description: post.seoDescription ?? post.excerpt,
          canonical: `${ctx.publicUrl}${urls.post(post.slug)}`,
        },
        post: postPageView(post, ctx, { related, comments, form }),
      }),
      related,
    };
  };

  app.get<{ Params: { slug: string }; Querystring: { comment?: string } }>(
    '/:slug/',
    {
      config: publicRoute,
      schema: {
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        querystring: { type: 'object', properties: { comment: { type: 'string', maxLength: 20 } } },
      },
    },
    async (request, reply) => {
      const post = await services.posts.publishedBySlug(request.params.slug);
      if (!post) return notFound(request, reply);
      const submitted = request.query.comment === 'pending';
      return sendPage(cache, request, reply, {
        key: `post:${post.id}${submitted ? '|pending' : ''}`,
        // 'posts': a publish elsewhere can change "You might also like" here.
        tags: ['posts', 'site', `post:${post.id}`],
        render: async () =>
          (await renderPost(request, post, commentFormView(post.id, { submitted }, MAX_COMMENT_LENGTH))).html,
      });
    },
  );

  app.post<{ Body: Record<string, string | undefined> }>(
    '/comments',
    {
      config: publicRoute,
      schema: {
        body: {
          type: 'object',
          properties: {
            post_id: { type: 'string', maxLength: 20 },
            name: { type: 'string', maxLength: 1000 },
            email: { type: 'string', maxLength: 1000 },
            website: { type: 'string', maxLength: 2000 },
            body: { type: 'string', maxLength: MAX_COMMENT_LENGTH * 4 },
          },
        },
      },
    },
    async (request, reply) => {
      const b = request.body ?? {};
      const values = { name: b.name ?? '', email: b.email ?? '', website: b.website ?? '', body: b.body ?? '' };
      try {
        const { postId } = await services.comments.submit(
          { postId: b.post_id, ...values },
          { ip: request.ip, userAgent: request.headers['user-agent'] },
        );
        const post = await services.posts.publishedById(postId);
        return reply.redirect(`${urls.post(post?.slug ?? '')}?comment=pending#respond`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const post =
          b.post_id && /^\d{1,12}$/.test(b.post_id) ? await services.posts.publishedById(Number(b.post_id)) : undefined;
        if (!post || error.fields.postId) {
          return sendErrorPage(
            deps,
            request,
            reply,
            400,
            'Your comment could not be saved.',
            Object.values(error.fields),
          );
        }
        const form = commentFormView(post.id, { values, errors: error.fields }, MAX_COMMENT_LENGTH);
        const { html } = await renderPost(request, post, form);
        return sendPage(cache, request, reply, {
          key: null,
          tags: [],
          status: 400,
          cacheControl: PRIVATE_CACHE_CONTROL,
          render: async () => html,
        });
      }
    },
  );
}
