/** The sitemap for search engines: an index, posts in pages of 10,000, pages, archives. */
export { SITEMAP_PAGE_SIZE, sitemapPageCount, sitemapPageRange } from './paging.js';
export { type SitemapDocument, SitemapService, type SitemapServiceDeps, sitemapPaths } from './sitemap-service.js';
