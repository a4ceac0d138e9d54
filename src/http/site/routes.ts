import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_COMMENT_LENGTH } from '../../domain/comments/index.js';
import { type FeedScope, feedLinks } from '../../domain/feeds/index.js';
import type { ListQuery, Post } from '../../domain/posts/index.js';
import { ValidationError } from '../../errors.js';
import type { PageCache } from '../../render/page-cache.js';
import {
  type CommentFormView,
  type Context,
  cardView,
  commentFormView,
  paginationView,
  personLd,
  postPageView,
  websiteLd,
} from '../../render/view-models/index.js';
import { urls } from '../../shared/urls.js';
import { PRIVATE_CACHE_CONTROL, type RenderedPage, sendPage } from '../plugins/send-page.js';
import { pageContext, parsePageNumber, type SiteDeps } from './context.js';
import { errorPage, sendErrorPage } from './errors.js';
import { shareImagePath } from './share.js';

type Deps = SiteDeps & { cache: PageCache };

// No control characters: PostgreSQL refuses NUL in text, and no slug has them.
const slugParam = { type: 'string', maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
const pageParam = { type: 'string', maxLength: 12 } as const;
const publicRoute = { access: 'public' as const };
const NOT_FOUND = 'Nothing is published at this address.';

/** The path of a request, without its query: the page cache's key. */
const pathOf = (request: FastifyRequest) => {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
};

interface Archive {
  tags: string[];
  filter: Omit<ListQuery, 'page' | 'perPage'>;
  heading: { kind: string; title: string; description: string } | null;
  pageUrl: (n: number) => string;
  /** Structured data of the archive's subject (an author is a Person). */
  jsonLd?: (ctx: Context) => object;
  /** The archive's own feeds, for autodiscovery beside the site's. */
  feedScope?: FeedScope;
}

/**
 * The public site: home, posts and pages, archives, the comment form. Every GET looks in
 * the page cache by path first; only a miss touches the database.
 */
export async function siteRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { services, theme, cache } = deps;
  const notFound = (request: FastifyRequest) => errorPage(deps, request.url, 404, NOT_FOUND);

  /** A paginated list of post cards: home and the archives share it. */
  const renderList = async (
    request: FastifyRequest,
    rawPage: string | undefined,
    archive: Archive | undefined,
  ): Promise<RenderedPage> => {
    const page = parsePageNumber(rawPage);
    if (page === null || !archive) return notFound(request);
    const settings = await services.settings.get();
    const result = await services.posts.listPublished({ page, perPage: settings.postsPerPage, ...archive.filter });
    if (page > result.pages) return notFound(request);
    const { ctx, site } = await pageContext(deps, request.url, { settings });
    const html = await theme.render('list', {
      site,
      page: {
        title: archive.heading ? archive.heading.title : site.title,
        description: archive.heading?.description || site.description,
        canonical: `${ctx.publicUrl}${archive.pageUrl(page)}`,
        archive: archive.heading,
        posts: result.items.map((p, i) => cardView(p, ctx, { eager: i === 0 && page === 1 })),
        pagination: paginationView(page, result.pages, archive.pageUrl),
        isHome: archive.heading === null,
        // Later pages of a list are for readers, not for search results.
        noindex: page > 1,
        jsonLd: archive.heading === null && page === 1 ? [websiteLd(ctx)] : archive.jsonLd ? [archive.jsonLd(ctx)] : [],
        feeds: archive.feedScope ? feedLinks(archive.feedScope, `${site.title}: ${archive.heading?.title ?? ''}`) : [],
      },
    });
    return { status: 200, html, tags: ['posts', 'site', ...archive.tags] };
  };

  const home: Archive = { tags: [], filter: {}, heading: null, pageUrl: urls.home };
  const listRoute =
    (find: (slug: string) => Promise<Archive | undefined>, addressOf?: (slug: string) => string) =>
    async (request: FastifyRequest<{ Params: { slug?: string; page?: string } }>, reply: FastifyReply) =>
      sendPage(cache, request, reply, {
        key: pathOf(request),
        render: async () => {
          const { slug = '', page } = request.params;
          const archive = await find(slug);
          // A renamed or merged category or tag: its old archive leads to the new one.
          const moved = !archive && addressOf ? await services.posts.redirectFor(addressOf(slug)) : undefined;
          const n = parsePageNumber(page);
          if (moved && n !== null) return { status: 301, location: n > 1 ? `${moved}page/${n}/` : moved };
          return renderList(request, page, archive);
        },
      });

  const homeRoute = listRoute(async () => home);
  app.get('/', { config: publicRoute, schema: {} }, homeRoute);
  app.get(
    '/page/:page/',
    { config: publicRoute, schema: { params: { type: 'object', properties: { page: pageParam } } } },
    homeRoute,
  );

  const archives: Record<string, (slug: string) => Promise<Archive | undefined>> = {
    category: async (slug) => {
      const c = await services.taxonomy.categoryBySlug(slug);
      return (
        c && {
          tags: [`category:${c.id}`],
          filter: { categoryId: c.id },
          heading: { kind: 'Category', title: c.name, description: c.description },
          pageUrl: (n) => urls.category(c.slug, n),
          feedScope: { kind: 'category', slug: c.slug },
        }
      );
    },
    tag: async (slug) => {
      const t = await services.taxonomy.tagBySlug(slug);
      return (
        t && {
          tags: [`tag:${t.id}`],
          filter: { tagId: t.id },
          heading: { kind: 'Tag', title: t.name, description: '' },
          pageUrl: (n) => urls.tag(t.slug, n),
          feedScope: { kind: 'tag', slug: t.slug },
        }
      );
    },
    author: async (slug) => {
      const a = await services.users.bySlug(slug);
      return (
        a && {
          tags: [`author:${a.id}`],
          filter: { authorId: a.id },
          heading: { kind: 'Author', title: a.name, description: a.bio },
          jsonLd: (ctx: Context) => ({ '@context': 'https://schema.org', ...personLd(a, ctx) }),
          pageUrl: (n) => urls.author(a.slug, n),
          feedScope: { kind: 'author', slug: a.slug },
        }
      );
    },
  };
  const archiveSchema = {
    params: { type: 'object', properties: { slug: slugParam, page: pageParam }, required: ['slug'] },
  };
  const oldAddresses: Record<string, (slug: string) => string> = {
    category: (slug) => urls.category(slug),
    tag: (slug) => urls.tag(slug),
  };
  for (const [prefix, find] of Object.entries(archives)) {
    const route = listRoute(find, oldAddresses[prefix]);
    app.get(`/${prefix}/:slug/`, { config: publicRoute, schema: archiveSchema }, route);
    app.get(`/${prefix}/:slug/page/:page/`, { config: publicRoute, schema: archiveSchema }, route);
  }

  /** Renders a post or page; with a form view when the visitor's comment needs another look. */
  const renderPost = async (
    request: FastifyRequest,
    post: Post,
    form: CommentFormView,
    status = 200,
  ): Promise<RenderedPage> => {
    const [related, comments, { ctx, site }] = await Promise.all([
      post.type === 'post' ? services.posts.related(post, 3) : Promise.resolve([]),
      services.comments.approvedFor(post.id),
      pageContext(deps, request.url),
    ]);
    const html = await theme.render(post.type === 'page' ? 'page' : 'post', {
      site,
      page: {
        title: post.seoTitle ?? post.title,
        description: post.seoDescription ?? post.excerpt,
        canonical: `${ctx.publicUrl}${urls.post(post.slug)}`,
        ogType: post.type === 'post' ? 'article' : 'website',
        // Shares show the feature image, or a card drawn from the title.
        image: post.featureImage
          ? `${ctx.publicUrl}${post.featureImage.src}`
          : post.type === 'post'
            ? `${ctx.publicUrl}${shareImagePath(post, site.title)}`
            : null,
      },
      post: postPageView(post, ctx, { related, comments, form }),
    });
    // 'posts': a publish elsewhere can change "You might also like" here.
    return { status, html, tags: ['posts', 'site', `post:${post.id}`] };
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
      const submitted = request.query.comment === 'pending';
      return sendPage(cache, request, reply, {
        key: `${pathOf(request)}${submitted ? '|pending' : ''}`,
        render: async () => {
          const post = await services.posts.publishedBySlug(request.params.slug);
          if (!post) {
            const moved = await services.posts.redirectFor(urls.post(request.params.slug));
            return moved ? { status: 301, location: moved } : notFound(request);
          }
          return renderPost(request, post, commentFormView(post.id, { submitted }, MAX_COMMENT_LENGTH));
        },
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
        const post = /^\d{1,12}$/.test(b.post_id ?? '')
          ? await services.posts.publishedById(Number(b.post_id))
          : undefined;
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
        return sendPage(cache, request, reply, {
          key: null,
          cacheControl: PRIVATE_CACHE_CONTROL,
          render: () => renderPost(request, post, form, 400),
        });
      }
    },
  );
}
