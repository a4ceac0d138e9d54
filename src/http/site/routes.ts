import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Book, coverHash, coverText, drawCover } from '../../domain/books/index.js';
import {
  commentFeedPath,
  commentsOpenness,
  HONEYPOT_FIELD,
  MAX_COMMENT_LENGTH,
  parseId,
} from '../../domain/comments/index.js';
import { type FeedScope, feedLinks } from '../../domain/feeds/index.js';
import type { ListQuery, Post } from '../../domain/posts/index.js';
import { HearthError, ValidationError } from '../../errors.js';
import type { PageCache } from '../../render/page-cache.js';
import {
  type BookDownload,
  bookPageView,
  type CommentFormView,
  type Context,
  cardView,
  commentFormView,
  paginationView,
  personLd,
  postPageView,
  websiteLd,
} from '../../render/view-models/index.js';
import { slugOfParam } from '../../shared/slug.js';
import { pathKey, urls } from '../../shared/urls.js';
import { attachment } from '../content-disposition.js';
import {
  cdnHeaders,
  PRIVATE_CACHE_CONTROL,
  type RenderedPage,
  securityHeaders,
  sendPage,
} from '../plugins/send-page.js';
import { parseFormsStrictly } from '../plugins/strict-form.js';
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
const pathOf = (request: FastifyRequest) => pathKey(request.url);

/**
 * Sends a page asked for at another spelling of its address (a decomposed slug, `%68` for
 * `h`) to the one Hearth writes, keeping the query: one address, and one page cached, per
 * page. True when it did. (Upper or lower case in escapes is the same path: see pathKey.)
 */
function redirectToCanonical(request: FastifyRequest, reply: FastifyReply, canonical: string): boolean {
  if (pathOf(request) === canonical) return false;
  const q = request.url.indexOf('?');
  void reply.redirect(q === -1 ? canonical : canonical + request.url.slice(q), 301);
  return true;
}

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
    result.items = await services.posts.withFirstPhotos(result.items);
    const ids = result.items.map((p) => p.id);
    const [{ ctx, site }, counts] = await Promise.all([
      pageContext(deps, request.url, { settings }),
      services.comments.countsFor(ids),
    ]);
    const html = await theme.render('list', {
      site,
      page: {
        title: archive.heading ? archive.heading.title : site.title,
        description: archive.heading?.description || site.description,
        canonical: `${ctx.publicUrl}${archive.pageUrl(page)}`,
        archive: archive.heading,
        posts: result.items.map((p, i) =>
          cardView(p, ctx, { eager: i === 0 && page === 1, comments: counts.get(p.id) ?? 0 }),
        ),
        pagination: paginationView(page, result.pages, archive.pageUrl),
        isHome: archive.heading === null,
        // Later pages of a list are for readers, not for search results.
        noindex: page > 1,
        jsonLd: archive.heading === null && page === 1 ? [websiteLd(ctx)] : archive.jsonLd ? [archive.jsonLd(ctx)] : [],
        feeds: archive.feedScope ? feedLinks(archive.feedScope, `${site.title}: ${archive.heading?.title ?? ''}`) : [],
      },
    });
    // `comments:12`: a comment approved on post 12 changes the count on this list only.
    return { status: 200, html, tags: ['posts', 'site', ...archive.tags, ...ids.map((id) => `comments:${id}`)] };
  };

  const home: Archive = { tags: [], filter: {}, heading: null, pageUrl: urls.home };
  const listRoute =
    (find: (slug: string) => Promise<Archive | undefined>, addressOf?: (slug: string) => string, movable = false) =>
    async (request: FastifyRequest<{ Params: { slug?: string; page?: string } }>, reply: FastifyReply) => {
      const { slug, page } = request.params;
      const n = parsePageNumber(page);
      if (slug !== undefined && addressOf && n !== null) {
        const canonical = addressOf(slugOfParam(slug)) + (page === undefined ? '' : `page/${n}/`);
        if (redirectToCanonical(request, reply, canonical)) return reply;
      }
      return sendPage(cache, request, reply, {
        key: pathOf(request),
        render: async () => {
          const { page } = request.params;
          const slug = slugOfParam(request.params.slug ?? '');
          const archive = await find(slug);
          // A renamed or merged category or tag: its old archive leads to the new one.
          const moved =
            !archive && addressOf && movable ? await services.posts.redirectFor(addressOf(slug)) : undefined;
          const n = parsePageNumber(page);
          if (moved && n !== null) return { status: 301, location: n > 1 ? `${moved}page/${n}/` : moved };
          return renderList(request, page, archive);
        },
      });
    };

  const homeRoute = listRoute(async () => home);
  app.get<{ Params: { slug?: string; page?: string } }>(
    '/',
    { config: publicRoute, schema: {} },
    async (request, reply) => {
      // An old WordPress short link (`/?p=12`, `/?page_id=3`, `/?cat=4`): an import left where it leads now.
      const search = request.url.slice(request.url.indexOf('?') + 1 || request.url.length);
      if (OLD_QUERY.test(search)) {
        const moved = await services.posts.redirectFor(`/?${search}`);
        if (moved) return reply.redirect(moved, 301);
      }
      return homeRoute(request, reply);
    },
  );
  app.get(
    '/page/:page/',
    { config: publicRoute, schema: { params: { type: 'object', properties: { page: pageParam } } } },
    homeRoute,
  );

  /** WordPress's addresses by id, which an import may have left redirects for. */
  const OLD_QUERY = /^(?:p|page_id|attachment_id|cat|tag|author)=[^&]+$/;

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
  const addresses: Record<string, (slug: string) => string> = {
    category: (slug) => urls.category(slug),
    tag: (slug) => urls.tag(slug),
    author: (slug) => urls.author(slug),
  };
  for (const [prefix, find] of Object.entries(archives)) {
    const route = listRoute(find, addresses[prefix], prefix !== 'author');
    app.get(`/${prefix}/:slug/`, { config: publicRoute, schema: archiveSchema }, route);
    app.get(`/${prefix}/:slug/page/:page/`, { config: publicRoute, schema: archiveSchema }, route);
  }

  /**
   * Books with a public page (issue 17): `/books/` lists them, `/books/slug/` shows one
   * with its cover, authors, contents linking to the posts, and its downloads. A book
   * without a public page is not found. Tagged `books` and `book:<id>`, which BookService
   * publishes after each write; `posts`, since a chapter's title comes from its post.
   */
  const bookDownloads = async (book: Book): Promise<BookDownload[]> =>
    (book.offerDownloads ? await services.bookBuilds.offered(book.id) : []).map((f) => ({
      format: f.format,
      url: urls.bookFile(book.slug, f.format),
      bytes: f.bytes,
    }));
  app.get('/books/', { config: publicRoute, schema: {} }, async (request, reply) =>
    sendPage(cache, request, reply, {
      key: pathOf(request),
      render: async () => {
        if (!theme.manifest.templates.includes('books')) return notFound(request);
        const [books, { ctx, site }] = await Promise.all([services.books.listPublic(), pageContext(deps, request.url)]);
        const html = await theme.render('books', {
          site,
          page: {
            title: 'Books',
            description: `Books made from the posts of ${site.title}.`,
            canonical: `${ctx.publicUrl}${urls.books()}`,
          },
          books: books.map((b) => ({
            title: b.title,
            subtitle: b.subtitle,
            lang: b.language,
            url: urls.book(b.slug),
            authors: b.authors.map((a) => a.name).join(', '),
          })),
        });
        return { status: 200, html, tags: ['books', 'site'] };
      },
    }),
  );
  /** The address of a book's drawn cover: it changes with what the cover shows. */
  const drawnCoverUrl = async (book: Book) => {
    const photo = book.coverMediaId === null ? undefined : await services.media.get(book.coverMediaId);
    return urls.bookCover(book.slug, coverHash(coverText(book), photo?.url ?? null));
  };
  /** `/books/slug/cover-<hash>.jpg`: drawn on first request, kept in the media store, cached for a year. */
  const sendDrawnCover = async (book: Book, name: string, reply: FastifyReply) => {
    if (book.coverMode !== 'drawn') throw new HearthError('HEARTH_ERR_NOT_FOUND');
    const current = await drawnCoverUrl(book);
    if (current !== urls.bookCover(book.slug, /^cover-([0-9a-f]{12})\.jpg$/.exec(name)?.[1] ?? '')) {
      if (!/^cover-[0-9a-f]{12}\.jpg$/.test(name)) throw new HearthError('HEARTH_ERR_NOT_FOUND');
      return reply.redirect(current, 301);
    }
    // Kept in the media store, so that instances sharing it draw each cover once.
    const key = `cache/book-covers/${book.id}-${name}`;
    let jpeg = await services.mediaStore.read(key);
    if (jpeg === undefined) {
      const photo = book.coverMediaId === null ? undefined : await services.media.get(book.coverMediaId);
      const bytes = photo ? await services.media.readFile(photo.url) : undefined;
      jpeg = await drawCover(coverText(book), bytes);
      await services.mediaStore.put(key, jpeg);
    }
    return reply
      .header('content-type', 'image/jpeg')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .headers(cdnHeaders(undefined, [`book:${book.id}`, 'site']))
      .send(jpeg);
  };

  /**
   * A public book's newest EPUB or PDF, as its page offers it (built from the admin or the
   * CLI). Not cached by the page cache: the file is streamed from the data folder, with its
   * fingerprint as the ETag, so a reader's second download after no change is a 304.
   */
  app.get<{ Params: { slug: string; file: string } }>(
    '/books/:slug/:file',
    {
      config: publicRoute,
      schema: {
        params: {
          type: 'object',
          properties: { slug: slugParam, file: { type: 'string', maxLength: 400, pattern: '\\.(epub|pdf|jpg)$' } },
          required: ['slug', 'file'],
        },
      },
    },
    async (request, reply) => {
      const slug = slugOfParam(request.params.slug);
      const book = await services.books.get(slug);
      if (book?.public && request.params.file.endsWith('.jpg')) return sendDrawnCover(book, request.params.file, reply);
      const format = request.params.file.endsWith('.pdf') ? 'pdf' : 'epub';
      if (!book?.public || !book.offerDownloads || slugOfParam(request.params.file) !== `${book.slug}.${format}`)
        throw new HearthError('HEARTH_ERR_NOT_FOUND');
      const file = (await services.bookBuilds.offered(book.id)).find((f) => f.format === format);
      if (!file) throw new HearthError('HEARTH_ERR_NOT_FOUND');
      const etag = `"${file.fingerprint}"`;
      reply
        .header('etag', etag)
        .header('cache-control', 'public, max-age=300')
        .headers(cdnHeaders(cache, [`book:${book.id}`, 'books', 'site']))
        .header('content-type', format === 'pdf' ? 'application/pdf' : 'application/epub+zip')
        .header('content-disposition', attachment(`${book.slug}.${format}`));
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.header('content-length', String(file.bytes)).send(createReadStream(file.path));
    },
  );
  app.get<{ Params: { slug: string } }>(
    '/books/:slug/',
    {
      config: publicRoute,
      schema: { params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] } },
    },
    async (request, reply) => {
      if (redirectToCanonical(request, reply, urls.book(slugOfParam(request.params.slug)))) return reply;
      return sendPage(cache, request, reply, {
        key: pathOf(request),
        render: async () => {
          const book = await services.books.get(slugOfParam(request.params.slug));
          if (!book?.public || !theme.manifest.templates.includes('book')) return notFound(request);
          const [resolved, cover, downloads, { ctx, site }] = await Promise.all([
            services.books.resolve(book.id),
            book.coverMediaId === null ? undefined : services.media.get(book.coverMediaId),
            bookDownloads(book),
            pageContext(deps, request.url),
          ]);
          // A drawn cover is shown as drawn (the photo under the title), an uploaded one as it is.
          const drawn = book.coverMode === 'drawn' ? await drawnCoverUrl(book) : undefined;
          const view = bookPageView(resolved, ctx, {
            ...(drawn ? { drawnCover: drawn } : { cover }),
            downloads,
          });
          const html = await theme.render('book', {
            site,
            page: {
              title: book.subtitle ? `${book.title}: ${book.subtitle}` : book.title,
              description: book.description || `A book by ${view.authors.map((a) => a.name).join(', ') || site.title}.`,
              canonical: view.url,
              ogType: 'book',
              image: view.coverUrl,
              jsonLd: [
                {
                  '@context': 'https://schema.org',
                  '@type': 'Book',
                  name: book.title,
                  url: view.url,
                  inLanguage: book.language,
                  ...(book.authors.length > 0
                    ? { author: book.authors.map((a) => ({ '@type': 'Person', name: a.name })) }
                    : {}),
                  ...(book.identifier.startsWith('urn:isbn:') ? { isbn: book.identifier.slice(9) } : {}),
                },
              ],
            },
            book: view,
          });
          return { status: 200, html, tags: [`book:${book.id}`, 'posts', 'site'] };
        },
      });
    },
  );

  /** What the comment form shows: the visitor's input and errors, or a reply chosen. */
  interface FormState {
    values?: Partial<CommentFormView['values']>;
    errors?: Record<string, string>;
    submitted?: boolean;
    replyTo?: number | undefined;
  }

  /** Renders a post or page with its comment threads and form. */
  const renderPost = async (
    request: FastifyRequest,
    post: Post,
    form: FormState,
    status = 200,
  ): Promise<RenderedPage> => {
    const [related, comments, { ctx, site }] = await Promise.all([
      post.type === 'post'
        ? services.posts.related(post, 3).then((r) => services.posts.withFirstPhotos(r))
        : Promise.resolve([]),
      services.comments.approvedFor(post.id),
      pageContext(deps, request.url),
    ]);
    const openness = commentsOpenness(post, ctx.settings, new Date());
    const maxDepth = ctx.settings.commentsMaxDepth;
    const parent = form.replyTo === undefined ? undefined : comments.find((c) => c.id === form.replyTo);
    const replyTo = parent && openness.open && parent.depth < maxDepth ? parent : undefined;
    const formView = commentFormView(
      post,
      { values: form.values, errors: form.errors, submitted: form.submitted, replyTo },
      { maxLength: MAX_COMMENT_LENGTH, honeypot: HONEYPOT_FIELD },
    );
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
      post: postPageView(post, ctx, {
        related,
        comments,
        form: formView,
        commentsOpen: openness.open,
        maxDepth,
        commentFeedUrl: commentFeedPath(post.slug),
      }),
    });
    // 'posts': a publish elsewhere can change "You might also like" here. A post whose
    // comments close by age is rendered again then, to show them closed.
    return {
      status,
      html,
      tags: ['posts', 'site', `post:${post.id}`],
      expiresAt: openness.open ? openness.closesAt?.getTime() : undefined,
    };
  };

  app.get<{ Params: { slug: string }; Querystring: { comment?: string; replyto?: string } }>(
    '/:slug/',
    {
      config: publicRoute,
      schema: {
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        querystring: {
          type: 'object',
          properties: { comment: { type: 'string', maxLength: 20 }, replyto: { type: 'string', maxLength: 20 } },
        },
      },
    },
    async (request, reply) => {
      if (redirectToCanonical(request, reply, urls.post(slugOfParam(request.params.slug)))) return reply;
      const submitted = request.query.comment === 'pending';
      const replyTo = parseId(request.query.replyto);
      return sendPage(cache, request, reply, {
        // A reply chosen without script is rare: that page is rendered for its reader only.
        key: replyTo === undefined ? `${pathOf(request)}${submitted ? '|pending' : ''}` : null,
        render: async () => {
          const slug = slugOfParam(request.params.slug);
          const post = await services.posts.publishedBySlug(slug);
          if (!post) {
            const moved = await services.posts.redirectFor(urls.post(slug));
            return moved ? { status: 301, location: moved } : notFound(request);
          }
          return renderPost(request, post, { submitted, replyTo });
        },
      });
    },
  );

  const fieldLabels = {
    post_id: 'The post',
    parent_id: 'The reply',
    name: 'The name',
    email: 'The email address',
    website: 'The website',
    body: 'The comment',
    token: 'The form token',
    notify: 'Tell me about replies',
    [HONEYPOT_FIELD]: 'A hidden field',
  };
  parseFormsStrictly(app, fieldLabels);

  app.post<{ Body: Record<string, string | undefined> }>(
    '/comments',
    {
      config: publicRoute,
      schema: {
        body: {
          type: 'object',
          properties: {
            post_id: { type: 'string', maxLength: 20 },
            parent_id: { type: 'string', maxLength: 20 },
            name: { type: 'string', maxLength: 1000 },
            email: { type: 'string', maxLength: 1000 },
            website: { type: 'string', maxLength: 2000 },
            body: { type: 'string', maxLength: MAX_COMMENT_LENGTH * 4 },
            token: { type: 'string', maxLength: 200 },
            notify: { type: 'string', maxLength: 10 },
            [HONEYPOT_FIELD]: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const b = request.body ?? {};
      const values = { name: b.name ?? '', email: b.email ?? '', website: b.website ?? '', body: b.body ?? '' };
      const parentId = parseId(b.parent_id);
      try {
        const result = await services.comments.submit(
          {
            postId: b.post_id,
            parentId: b.parent_id,
            ...values,
            token: b.token,
            trap: b[HONEYPOT_FIELD],
            notifyReplies: b.notify !== undefined && b.notify !== '',
          },
          { ip: request.ip, userAgent: request.headers['user-agent'] },
        );
        const post = await services.posts.publishedById(result.postId);
        const url = urls.post(post?.slug ?? '');
        // Held and flagged comments get the very same answer: a spammer learns nothing.
        return reply.redirect(
          result.status === 'approved' ? `${url}#comment-${result.id}` : `${url}?comment=pending#respond`,
          303,
        );
      } catch (error) {
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_COMMENT_RATE_LIMIT') {
          const page = await errorPage(deps, request.url, 429, error.message);
          return reply
            .code(429)
            .headers({
              ...securityHeaders,
              'cache-control': PRIVATE_CACHE_CONTROL,
              'retry-after': String(Number(error.params.minutes ?? 10) * 60),
            })
            .type('text/html; charset=utf-8')
            .send(page.html);
        }
        if (!(error instanceof ValidationError)) throw error;
        const id = parseId(b.post_id);
        const post = id === undefined ? undefined : await services.posts.publishedById(id);
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
        return sendPage(cache, request, reply, {
          key: null,
          cacheControl: PRIVATE_CACHE_CONTROL,
          render: () =>
            renderPost(
              request,
              post,
              { values, errors: error.fields, replyTo: error.fields.parent ? undefined : parentId },
              400,
            ),
        });
      }
    },
  );
}
