import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_QUERY_LENGTH } from '../../domain/search/index.js';
import type { PageCache } from '../../render/page-cache.js';
import { dateView } from '../../render/view-models/index.js';
import { slugOfParam } from '../../shared/slug.js';
import { urls } from '../../shared/urls.js';
import { PRIVATE_CACHE_CONTROL, sendPage } from '../plugins/send-page.js';
import { pageContext, parsePageNumber, type SiteDeps } from './context.js';
import { errorPage } from './errors.js';

type Deps = SiteDeps & { cache: PageCache };

const querySchema = {
  querystring: {
    type: 'object',
    properties: {
      // Long queries are cut to their first words, not refused (the URL's own limit is the cap).
      q: { type: 'string' },
      category: { type: 'string', maxLength: 200 },
      from: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' },
      to: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' },
      page: { type: 'string', maxLength: 12 },
    },
  },
} as const;

type SearchRequest = FastifyRequest<{
  Querystring: { q?: string; category?: string; from?: string; to?: string; page?: string };
}>;

/**
 * Search: `/search/` is a page that works without JavaScript; `/search.json` answers the
 * same query as JSON (search-as-you-type uses it). Neither is cached or indexed.
 */
export async function searchRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { services, theme, cache } = deps;

  const run = async (request: SearchRequest, perPage: number) => {
    const query = request.query;
    const page = parsePageNumber(query.page);
    const category = query.category ? await services.taxonomy.categoryBySlug(slugOfParam(query.category)) : undefined;
    const result =
      page === null
        ? { results: [], total: 0, pages: 0, words: [] }
        : await services.search.search({
            q: (query.q ?? '').slice(0, MAX_QUERY_LENGTH),
            page,
            perPage,
            ...(category ? { categoryId: category.id } : {}),
            ...(query.from ? { from: query.from } : {}),
            ...(query.to ? { to: `${query.to}T23:59:59.999Z` } : {}),
          });
    return { page: page ?? 1, category, result };
  };

  app.get('/search/', { config: { access: 'public' }, schema: querySchema }, async (request: SearchRequest, reply) => {
    const { page, category, result } = await run(request, 10);
    return sendPage(cache, request, reply, {
      key: null,
      cacheControl: PRIVATE_CACHE_CONTROL,
      render: async () => {
        if (page > 1 && page > result.pages)
          return errorPage(deps, request.url, 404, 'There is no such page of results.');
        const { ctx, site } = await pageContext(deps, request.url);
        const q = request.query.q ?? '';
        const params = (n: number) => {
          const p = new URLSearchParams({ q, ...(category ? { category: category.slug } : {}) });
          if (request.query.from) p.set('from', request.query.from);
          if (request.query.to) p.set('to', request.query.to);
          if (n > 1) p.set('page', String(n));
          return `/search/?${p}`;
        };
        const html = theme.render('search', {
          site,
          page: { title: q ? `Search: ${q}` : 'Search', description: '', noindex: true },
          search: {
            q,
            category: category?.slug ?? '',
            from: request.query.from ?? '',
            to: request.query.to ?? '',
            searched: q.trim() !== '',
            total: result.total,
            categories: (await services.taxonomy.categories()).map((c) => ({ slug: c.slug, name: c.name })),
            results: result.results.map((r) => ({
              url: urls.post(r.slug),
              title: r.title,
              snippetHtml: r.snippetHtml,
              date: dateView(r.publishedAt, ctx),
            })),
            prev: page > 1 ? params(page - 1) : null,
            next: page < result.pages ? params(page + 1) : null,
          },
        });
        return { status: 200, html, tags: [] };
      },
    });
  });

  app.get(
    '/search.json',
    { config: { access: 'public' }, schema: querySchema },
    async (request: SearchRequest, reply) => {
      const { page, result } = await run(request, 8);
      return reply
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send({
          query: request.query.q ?? '',
          page,
          total: result.total,
          results: result.results.map((r) => ({
            title: r.title,
            url: urls.post(r.slug),
            publishedAt: r.publishedAt,
            snippetHtml: r.snippetHtml,
          })),
        });
    },
  );
}
