import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import { SITEMAP_PAGE_SIZE, sitemapPageRange } from './paging.js';
import {
  type DatedRow,
  readPages,
  readPostChunks,
  readPostSlugs,
  readPostTotals,
  readTaxonomies,
} from './sitemap-reads.js';
import { type SitemapLink, sitemapIndexDocument, urlsetDocument } from './sitemap-xml.js';

/** The paths of the sitemap and its children. */
export const sitemapPaths = {
  index: '/sitemap.xml',
  posts: (n: number) => `/sitemap-posts-${n}.xml`,
  pages: '/sitemap-pages.xml',
  taxonomies: '/sitemap-taxonomies.xml',
};

/** A sitemap ready to send, and when the newest thing it lists changed. */
export interface SitemapDocument {
  body: string;
  updated: Date | undefined;
}

export interface SitemapServiceDeps {
  db: Db;
  /** The site's public URL, no trailing slash. */
  publicUrl: string;
  now?: () => Date;
}

/**
 * The sitemap for search engines: an index of child sitemaps, posts in runs of
 * `SITEMAP_PAGE_SIZE` (so any number of posts fits), pages (with the home page), and the
 * category, tag and author archives. Lists only what is published.
 */
export class SitemapService {
  #db: Db;
  #publicUrl: string;
  #now: () => Date;

  constructor(deps: SitemapServiceDeps) {
    this.#db = deps.db;
    this.#publicUrl = deps.publicUrl;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The sitemap index: only children that list something. */
  async index(): Promise<SitemapDocument> {
    const now = this.#now().toISOString();
    const [chunks, pages, taxonomies] = await Promise.all([
      readPostChunks(this.#db, now, SITEMAP_PAGE_SIZE),
      this.#pageLinks(now),
      this.#taxonomyLinks(now),
    ]);
    const links: SitemapLink[] = [{ loc: this.#url(sitemapPaths.pages), lastmod: newest(pages) }];
    if (taxonomies.length > 0) links.push({ loc: this.#url(sitemapPaths.taxonomies), lastmod: newest(taxonomies) });
    for (const c of chunks) {
      links.push({ loc: this.#url(sitemapPaths.posts(c.chunk + 1)), lastmod: lastChange(c) });
    }
    return document(sitemapIndexDocument(links), links);
  }

  /** Post sitemap `n` (from 1); undefined when there is no such page. */
  async posts(n: number): Promise<SitemapDocument | undefined> {
    const now = this.#now().toISOString();
    const range = sitemapPageRange(n, (await readPostTotals(this.#db, now)).count);
    if (!range) return undefined;
    const rows = await readPostSlugs(this.#db, now, range.offset, range.limit);
    if (rows.length === 0) return undefined;
    const links = rows.map((r) => this.#link(urls.post(r.slug), r));
    return document(urlsetDocument(links), links);
  }

  /** The home page and every published page. */
  async pages(): Promise<SitemapDocument> {
    const links = await this.#pageLinks(this.#now().toISOString());
    return document(urlsetDocument(links), links);
  }

  /** Category, author and tag archives; undefined when none has a published post. */
  async taxonomies(): Promise<SitemapDocument | undefined> {
    const links = await this.#taxonomyLinks(this.#now().toISOString());
    return links.length === 0 ? undefined : document(urlsetDocument(links), links);
  }

  async #pageLinks(now: string): Promise<SitemapLink[]> {
    const [pages, posts] = await Promise.all([
      readPages(this.#db, now, SITEMAP_PAGE_SIZE - 1),
      readPostTotals(this.#db, now),
    ]);
    // The home page lists the newest posts: it changes when any of them does.
    const home: SitemapLink = { loc: this.#url(urls.home()), lastmod: lastChange(posts) };
    return [home, ...pages.map((p) => this.#link(urls.post(p.slug), p))];
  }

  async #taxonomyLinks(now: string): Promise<SitemapLink[]> {
    const { categories, authors, tags } = await readTaxonomies(this.#db, now, SITEMAP_PAGE_SIZE);
    return [
      ...categories.map((r) => this.#link(urls.category(r.slug), r)),
      ...authors.map((r) => this.#link(urls.author(r.slug), r)),
      ...tags.map((r) => this.#link(urls.tag(r.slug), r)),
    ];
  }

  #link(path: string, row: Pick<DatedRow, 'published' | 'updated'>): SitemapLink {
    return { loc: this.#url(path), lastmod: lastChange(row) };
  }

  #url(path: string): string {
    return `${this.#publicUrl}${path}`;
  }
}

/** The later of publication and last edit (a post edited before it went out shows its publication). */
function lastChange(row: { published: string | null; updated: string | null }): Date | undefined {
  return latest([row.published, row.updated].map((t) => (t ? new Date(t) : undefined)));
}

function latest(dates: (Date | undefined)[]): Date | undefined {
  let max: Date | undefined;
  for (const d of dates) if (d && !Number.isNaN(d.getTime()) && (!max || d > max)) max = d;
  return max;
}

function newest(links: SitemapLink[]): Date | undefined {
  return latest(links.map((l) => l.lastmod));
}

function document(body: string, links: SitemapLink[]): SitemapDocument {
  return { body, updated: newest(links) };
}
