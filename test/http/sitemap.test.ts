import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITEMAP_PAGE_SIZE, sitemapPageCount, sitemapPageRange } from '../../src/domain/sitemap/index.js';
import type { App } from '../../src/main.js';
import type { NewPost } from '../../src/storage/index.js';
import { createTestApp, useTestApp } from '../helpers/app.js';

const xsd = {
  urlset: fileURLToPath(new URL('./fixtures/sitemap.xsd', import.meta.url)),
  index: fileURLToPath(new URL('./fixtures/siteindex.xsd', import.meta.url)),
};

/** Validates a document against an XSD with xmllint (Debian's libxml2-utils). */
function expectValid(xml: string, schema: string, name: string): void {
  const run = spawnSync('xmllint', ['--noout', '--schema', schema, '-'], { input: xml, encoding: 'utf8' });
  if (run.error) throw new Error('xmllint is missing: apt-get install -y libxml2-utils', { cause: run.error });
  expect(run.stderr, name).toContain('- validates');
  expect(run.status, `${name}: ${run.stderr}`).toBe(0);
}

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] as string);

const testApp = useTestApp();
const get = testApp.get;

describe('sitemap index', () => {
  it('lists the pages, archives and post sitemaps, dated, and passes the sitemaps.org XSD', async () => {
    const res = await get('/sitemap.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.body).toContain('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    expectValid(res.body, xsd.index, 'sitemap.xml');
    expect(locs(res.body)).toEqual([
      'http://blog.test/sitemap-pages.xml',
      'http://blog.test/sitemap-taxonomies.xml',
      'http://blog.test/sitemap-posts-1.xml',
    ]);
    expect(res.body.match(/<lastmod>/g)).toHaveLength(3);
    expect(res.headers['last-modified']).toBeTruthy();
  });

  it('is named in robots.txt', async () => {
    const res = await get('/robots.txt');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^Sitemap: http:\/\/blog\.test\/sitemap\.xml$/m);
    expect(res.body).toContain('Disallow: /setup/');
  });

  it('answers 304 to a matching ETag or date', async () => {
    const first = await get('/sitemap.xml');
    expect((await get('/sitemap.xml', { 'if-none-match': first.headers.etag as string })).statusCode).toBe(304);
    const since = first.headers['last-modified'] as string;
    expect((await get('/sitemap.xml', { 'if-modified-since': since })).statusCode).toBe(304);
  });
});

describe('child sitemaps', () => {
  it('each passes the sitemaps.org XSD and lists only addresses that answer 200', async () => {
    for (const path of ['/sitemap-posts-1.xml', '/sitemap-pages.xml', '/sitemap-taxonomies.xml']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type'], path).toBe('application/xml; charset=utf-8');
      expectValid(res.body, xsd.urlset, path);
      const listed = locs(res.body);
      expect(listed.length, path).toBeGreaterThan(0);
      expect(res.body.match(/<lastmod>/g)?.length, path).toBe(listed.length);
      for (const loc of listed) {
        expect(loc, path).toMatch(/^http:\/\/blog\.test\//);
        expect((await get(loc.replace('http://blog.test', ''))).statusCode, loc).toBe(200);
      }
    }
  });

  it('puts posts, pages and archives each in their own sitemap', async () => {
    const posts = locs((await get('/sitemap-posts-1.xml')).body);
    expect(posts).toHaveLength(11);
    expect(posts).toContain('http://blog.test/benefits-of-infant-massage/');
    expect(posts).not.toContain('http://blog.test/about/');
    expect(locs((await get('/sitemap-pages.xml')).body)).toEqual(['http://blog.test/', 'http://blog.test/about/']);
    const archives = locs((await get('/sitemap-taxonomies.xml')).body);
    expect(archives).toContain('http://blog.test/category/green-living/');
    expect(archives).toContain('http://blog.test/category/home-garden/');
    expect(archives).toContain('http://blog.test/author/tess-okafor/');
    expect(archives).toContain('http://blog.test/tag/infant-massage/');
  });

  it('answers 404 for post sitemaps that do not exist', async () => {
    for (const url of [
      '/sitemap-posts-0.xml',
      '/sitemap-posts-2.xml',
      '/sitemap-posts-01.xml',
      '/sitemap-posts-x.xml',
      '/sitemap-posts-.xml',
      '/sitemap-posts-99999999999.xml',
      '/sitemap-other.xml',
    ]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
  });
});

describe('a site with nothing published yet', () => {
  it('lists only the home page, and has no post or archive sitemaps', async () => {
    const empty = await createTestApp({ demo: false });
    try {
      const index = await empty.server.inject('/sitemap.xml');
      expectValid(index.body, xsd.index, 'sitemap.xml');
      expect(locs(index.body)).toEqual(['http://blog.test/sitemap-pages.xml']);
      const pages = await empty.server.inject('/sitemap-pages.xml');
      expectValid(pages.body, xsd.urlset, 'sitemap-pages.xml');
      expect(locs(pages.body)).toEqual(['http://blog.test/']);
      expect((await empty.server.inject('/sitemap-posts-1.xml')).statusCode).toBe(404);
      expect((await empty.server.inject('/sitemap-taxonomies.xml')).statusCode).toBe(404);
    } finally {
      await empty.close();
    }
  });
});

describe('sitemap paging', () => {
  it('needs one post sitemap a 10,000 posts, so 100,000 posts fit in ten', () => {
    expect(SITEMAP_PAGE_SIZE).toBe(10_000);
    expect(sitemapPageCount(0)).toBe(0);
    expect(sitemapPageCount(1)).toBe(1);
    expect(sitemapPageCount(10_000)).toBe(1);
    expect(sitemapPageCount(10_001)).toBe(2);
    expect(sitemapPageCount(100_000)).toBe(10);
    expect(sitemapPageCount(100_001)).toBe(11);
    expect(sitemapPageRange(1, 100_000)).toEqual({ offset: 0, limit: 10_000 });
    expect(sitemapPageRange(10, 100_000)).toEqual({ offset: 90_000, limit: 10_000 });
    for (const n of [0, -1, 1.5, 11, Number.NaN]) expect(sitemapPageRange(n, 100_000), String(n)).toBeUndefined();
    expect(sitemapPageRange(1, 0)).toBeUndefined();
  });

  describe('with more than 10,000 posts', () => {
    let big: App;
    const extra = 10_005;
    beforeAll(async () => {
      big = await createTestApp();
      const db = big.database.db;
      const author = await db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow();
      const base = Date.parse('2020-01-01T00:00:00.000Z');
      const rows: NewPost[] = Array.from({ length: extra }, (_, i) => {
        const time = new Date(base + i * 60_000).toISOString();
        return {
          type: 'post',
          slug: `generated-${i}`,
          title: `Generated ${i}`,
          status: 'published',
          published_at: time,
          created_at: time,
          updated_at: time,
          author_id: author.id,
        };
      });
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < rows.length; i += 1000)
          await tx
            .insertInto('posts')
            .values(rows.slice(i, i + 1000))
            .execute();
      });
    }, 120_000);
    afterAll(async () => {
      await big?.close();
    });

    it('splits the posts into sitemaps of at most 10,000 that together list each post once', async () => {
      const bigGet = (url: string) => big.server.inject({ method: 'GET', url });
      const index = await bigGet('/sitemap.xml');
      expectValid(index.body, xsd.index, 'sitemap.xml');
      const children = locs(index.body).filter((l) => l.includes('/sitemap-posts-'));
      expect(children).toEqual(['http://blog.test/sitemap-posts-1.xml', 'http://blog.test/sitemap-posts-2.xml']);

      const first = await bigGet('/sitemap-posts-1.xml');
      expectValid(first.body, xsd.urlset, 'sitemap-posts-1.xml');
      const second = await bigGet('/sitemap-posts-2.xml');
      expectValid(second.body, xsd.urlset, 'sitemap-posts-2.xml');
      const listed = [...locs(first.body), ...locs(second.body)];
      expect(locs(first.body)).toHaveLength(10_000);
      expect(locs(second.body)).toHaveLength(extra + 11 - 10_000);
      expect(new Set(listed).size).toBe(extra + 11);
      // Oldest first: the generated posts (2020) open the first sitemap, the demo's close the last.
      expect(listed[0]).toBe('http://blog.test/generated-0/');
      expect(listed.at(-1)).toBe('http://blog.test/benefits-of-infant-massage/');
      expect((await bigGet('/sitemap-posts-3.xml')).statusCode).toBe(404);
    });
  });
});
