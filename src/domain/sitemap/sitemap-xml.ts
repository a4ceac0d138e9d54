import { xmlDocument } from '../../shared/xml.js';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/** One `<url>` or `<sitemap>`: an absolute URL and when it last changed, if known. */
export interface SitemapLink {
  loc: string;
  lastmod: Date | undefined;
}

const entry = (link: SitemapLink) => ({
  loc: link.loc,
  ...(link.lastmod ? { lastmod: link.lastmod.toISOString() } : {}),
});

/** A `<urlset>` (https://www.sitemaps.org/protocol.html). */
export function urlsetDocument(links: SitemapLink[]): string {
  return xmlDocument('urlset', { '@_xmlns': SITEMAP_NS, url: links.map(entry) });
}

/** A `<sitemapindex>` listing child sitemaps. */
export function sitemapIndexDocument(links: SitemapLink[]): string {
  return xmlDocument('sitemapindex', { '@_xmlns': SITEMAP_NS, sitemap: links.map(entry) });
}
