import fs from 'node:fs';
import { extractFromJson, extractFromXml } from '@extractus/feed-extractor';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { createTestApp, useTestApp } from '../helpers/app.js';

// ajv-formats is CommonJS: its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const schema = JSON.parse(fs.readFileSync(new URL('./fixtures/jsonfeed-1.1.schema.json', import.meta.url), 'utf8'));
// strictRequired would refuse the schema's `anyOf: [{ required: ['content_html'] }, ...]`, which is plain JSON Schema.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const validateJsonFeed = ajv.compile(schema);

/** What rss-parser reads besides its own fields: Media RSS, content:encoded, Atom's id and author. */
interface ParsedItem {
  media?: { $: Record<string, string> };
  'content:encoded'?: string;
  id?: string;
  author?: string;
}
const rssParser = new Parser<Record<string, unknown>, ParsedItem>({
  customFields: { item: [['media:content', 'media', { keepArray: false }]] },
});
const site = 'http://blog.test';
const RFC_822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TAG_URI = /^tag:blog\.test,\d{4}-\d{2}-\d{2}:post-\d+$/;

interface JsonFeed {
  version: string;
  title: string;
  feed_url: string;
  items: {
    id: string;
    url: string;
    title: string;
    content_html?: string;
    content_text?: string;
    summary?: string;
    image?: string;
    date_published: string;
    date_modified: string;
    authors: { name: string; url: string }[];
    tags?: string[];
  }[];
}

const testApp = useTestApp();
const get = testApp.get;

describe('RSS 2.0', () => {
  it('parses with rss-parser and feed-extractor: every post, newest first, with ids, dates, authors, categories and images', async () => {
    const res = await get('/feed.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');

    const feed = await rssParser.parseString(res.body);
    expect(feed.title).toBe('Willowfold');
    expect(feed.link).toBe(`${site}/`);
    expect(feed.items).toHaveLength(11);
    const dates = feed.items.map((i) => i.isoDate ?? '');
    expect([...dates].sort().reverse()).toEqual(dates);
    const first = feed.items[0] as Parser.Item & ParsedItem;
    expect(first.title).toBe('Benefits of Infant Massage');
    expect(first.link).toBe(`${site}/benefits-of-infant-massage/`);
    expect(first.guid).toMatch(TAG_URI);
    expect(first.pubDate).toBe('Tue, 20 Oct 2026 08:30:00 GMT');
    expect(first.isoDate).toBe('2026-10-20T08:30:00.000Z');
    expect(first.creator).toBe('Tess Okafor');
    expect(first.categories).toContain('Green Living');
    expect(first.enclosure?.url).toMatch(/^http:\/\/blog\.test\/media\/.+\.(jpg|png)$/);
    expect(first.enclosure?.type).toMatch(/^image\/(jpeg|png)$/);
    expect(Number(first.enclosure?.length)).toBeGreaterThan(0);
    expect(first.media?.$.medium).toBe('image');
    expect(first['content:encoded']).toContain('Idris was a loud baby.');
    for (const item of feed.items) expect(item.pubDate).toMatch(RFC_822);

    const extracted = extractFromXml(res.body, { descriptionMaxLen: 0, useISODateFormat: true });
    expect(extracted.title).toBe('Willowfold');
    expect(extracted.entries).toHaveLength(11);
    expect(extracted.entries?.[0]?.id).toBe(first.guid);
    expect(extracted.entries?.[0]?.link).toBe(first.link);
    expect(extracted.entries?.[0]?.published).toBe('2026-10-20T08:30:00.000Z');
    expect(extracted.entries?.map((e) => e.title)).toEqual(feed.items.map((i) => i.title));
  });

  it('escapes what XML must (a category named Home & Garden) and carries no page, draft or script', async () => {
    const xml = (await get('/feed.xml')).body;
    expect(xml).toContain('<category>Home &amp; Garden</category>');
    expect(xml).not.toContain('/about/');
    expect(xml).not.toMatch(/&lt;script/);
    expect(xml).toContain('<atom:link href="http://blog.test/feed.xml" rel="self" type="application/rss+xml"/>');
  });
});

describe('Atom 1.0', () => {
  it('parses with rss-parser and feed-extractor, with the same ids as the RSS feed', async () => {
    const res = await get('/atom.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');

    const feed = await rssParser.parseString(res.body);
    expect(feed.title).toBe('Willowfold');
    expect(feed.items).toHaveLength(11);
    const rss = await rssParser.parseString((await get('/feed.xml')).body);
    expect(feed.items.map((i) => i.id)).toEqual(rss.items.map((i) => i.guid));
    expect(feed.items[0]?.link).toBe(`${site}/benefits-of-infant-massage/`);
    expect(feed.items[0]?.author).toBe('Tess Okafor');
    expect(feed.items[0]?.content).toContain('Idris was a loud baby.');

    const extracted = extractFromXml(res.body, { descriptionMaxLen: 0 });
    expect(extracted.entries).toHaveLength(11);
    expect(extracted.entries?.[0]?.id).toMatch(TAG_URI);
    expect(extracted.entries?.[0]?.link).toBe(`${site}/benefits-of-infant-massage/`);
    // feed-extractor reads an Atom entry's date from <updated> first.
    const updated = res.body.match(/<entry>[\s\S]*?<updated>([^<]+)<\/updated>/)?.[1];
    expect(extracted.entries?.[0]?.published).toBe(updated);
  });

  it('dates entries in RFC 3339 UTC and carries categories, authors and the feature image', async () => {
    const xml = (await get('/atom.xml')).body;
    for (const [, date] of xml.matchAll(/<(?:published|updated)>([^<]+)</g)) expect(date).toMatch(RFC_3339);
    expect(xml).toContain('<category term="green-living" label="Green Living" scheme="http://blog.test/category/"/>');
    expect(xml).toContain('label="Home &amp; Garden"');
    expect(xml).toMatch(
      /<author>\s*<name>Tess Okafor<\/name>\s*<uri>http:\/\/blog\.test\/author\/tess-okafor\/<\/uri>/,
    );
    expect(xml).toMatch(/<link rel="enclosure" type="image\/jpeg" length="\d+" href="http:\/\/blog\.test\/media\//);
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="http://blog.test/atom.xml"/>');
  });
});

describe('JSON Feed 1.1', () => {
  it('passes the JSON Feed 1.1 schema and parses with feed-extractor', async () => {
    const res = await get('/feed.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = res.json() as JsonFeed;
    expect(validateJsonFeed(feed), JSON.stringify(validateJsonFeed.errors)).toBe(true);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe(`${site}/feed.json`);
    const first = feed.items[0];
    expect(first?.url).toBe(`${site}/benefits-of-infant-massage/`);
    expect(first?.date_published).toBe('2026-10-20T08:30:00.000Z');
    expect(first?.authors[0]).toMatchObject({ name: 'Tess Okafor', url: `${site}/author/tess-okafor/` });
    expect(first?.tags).toContain('Green Living');
    expect(first?.image).toMatch(/^http:\/\/blog\.test\/media\//);
    for (const item of feed.items) expect(item.date_modified >= item.date_published).toBe(true);

    const rss = await rssParser.parseString((await get('/feed.xml')).body);
    expect(feed.items.map((i) => i.id)).toEqual(rss.items.map((i) => i.guid));

    const extracted = extractFromJson(res.body);
    expect(extracted.entries).toHaveLength(11);
    expect(extracted.entries?.[0]?.link).toBe(`${site}/benefits-of-infant-massage/`);
  });

  it('makes every URL inside the content absolute and leaves the page’s scripts behind', async () => {
    const feed = (await get('/feed.json')).json() as JsonFeed;
    const html = feed.items.find((i) => i.url.endsWith('/benefits-of-infant-massage/'))?.content_html ?? '';
    expect(html).toContain('Idris was a loud baby.');
    expect(html).not.toMatch(/\s(href|src|srcset)="\//);
    expect(html).toMatch(/<img src="http:\/\/blog\.test\/media\/[^"]+\.jpg"/);
    expect(html).toContain('href="http://blog.test/babywearing-for-beginners/"');
    expect(html).toContain('href="http://blog.test/benefits-of-infant-massage/#how-we-started"');
    for (const [, srcset] of html.matchAll(/srcset="([^"]+)"/g)) {
      for (const candidate of (srcset ?? '').split(', '))
        expect(candidate).toMatch(/^http:\/\/blog\.test\/media\/\S+ \d+w$/);
    }
    expect(html).not.toContain('<script');
  });
});

describe('archive feeds', () => {
  it('a category feed holds only that category’s posts, all of them', async () => {
    const site = await rssParser.parseString((await get('/feed.xml')).body);
    const inCategory = site.items.filter((i) => i.categories?.includes('Green Living')).map((i) => i.link);
    expect(inCategory.length).toBeGreaterThan(0);
    expect(inCategory.length).toBeLessThan(site.items.length);

    const res = await get('/category/green-living/feed.xml');
    expect(res.statusCode).toBe(200);
    const feed = await rssParser.parseString(res.body);
    expect(feed.title).toBe('Green Living · Willowfold');
    expect(feed.link).toBe('http://blog.test/category/green-living/');
    expect(feed.items.map((i) => i.link)).toEqual(inCategory);
    for (const item of feed.items) expect(item.categories).toContain('Green Living');

    const json = (await get('/category/green-living/feed.json')).json() as JsonFeed;
    expect(validateJsonFeed(json)).toBe(true);
    expect(json.feed_url).toBe('http://blog.test/category/green-living/feed.json');
    expect(json.items.map((i) => i.url)).toEqual(inCategory);
  });

  it('a tag feed and an author feed hold only their posts', async () => {
    const atom = (await get('/atom.xml')).body;
    const tag = atom.match(/<category term="([^"]+)" label="[^"]+" scheme="http:\/\/blog\.test\/tag\/"/)?.[1] as string;
    const tagFeed = await get(`/tag/${tag}/atom.xml`);
    expect(tagFeed.statusCode).toBe(200);
    const entries = tagFeed.body.split('<entry>').slice(1);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry).toContain(`term="${tag}"`);

    const author = (await get('/author/tess-okafor/feed.json')).json() as JsonFeed;
    expect(validateJsonFeed(author)).toBe(true);
    expect(author.items.length).toBeGreaterThan(0);
    for (const item of author.items) expect(item.authors[0]?.name).toBe('Tess Okafor');
  });

  it('answers 404 for an unknown feed type, taxonomy or slug', async () => {
    for (const url of [
      '/feed.rdf',
      '/feed.txt',
      '/rss.xml',
      '/category/green-living/feed.rdf',
      '/category/green-living/feeds.xml',
      '/category/nope/feed.xml',
      '/tag/nope/atom.xml',
      '/author/nope/feed.json',
      '/colour/red/feed.xml',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('Page not found');
    }
  });

  it('is announced in the head of every page', async () => {
    for (const url of ['/', '/benefits-of-infant-massage/', '/category/green-living/']) {
      const html = (await get(url)).body;
      expect(html, url).toContain(
        '<link rel="alternate" type="application/rss+xml" title="Willowfold" href="/feed.xml">',
      );
      expect(html, url).toContain(
        '<link rel="alternate" type="application/atom+xml" title="Willowfold" href="/atom.xml">',
      );
      expect(html, url).toContain(
        '<link rel="alternate" type="application/feed+json" title="Willowfold" href="/feed.json">',
      );
    }
  });
});

describe('conditional GET', () => {
  it('answers 304 to a matching If-None-Match, and If-None-Match wins over If-Modified-Since', async () => {
    for (const url of ['/feed.xml', '/atom.xml', '/feed.json', '/category/green-living/feed.xml']) {
      const first = await get(url);
      const etag = first.headers.etag as string;
      expect(etag, url).toMatch(/^"[\w-]+"$/);
      const again = await get(url, { 'if-none-match': etag });
      expect(again.statusCode, url).toBe(304);
      expect(again.body, url).toBe('');
      expect(again.headers.etag, url).toBe(etag);
      const stale = await get(url, {
        'if-none-match': '"something-else"',
        'if-modified-since': first.headers['last-modified'] as string,
      });
      expect(stale.statusCode, url).toBe(200);
    }
  });

  it('sends the date of the newest change as Last-Modified and answers 304 to If-Modified-Since', async () => {
    const first = await get('/feed.json');
    const lastModified = first.headers['last-modified'] as string;
    expect(lastModified).toMatch(RFC_822);
    const feed = first.json() as JsonFeed;
    const newest = Math.max(...feed.items.map((i) => Date.parse(i.date_modified)));
    expect(Date.parse(lastModified)).toBe(Math.floor(newest / 1000) * 1000);

    const same = await get('/feed.json', { 'if-modified-since': lastModified });
    expect(same.statusCode).toBe(304);
    expect(same.headers['last-modified']).toBe(lastModified);
    const later = await get('/feed.json', { 'if-modified-since': new Date(newest + 60_000).toUTCString() });
    expect(later.statusCode).toBe(304);
    const earlier = await get('/feed.json', { 'if-modified-since': new Date(newest - 1000).toUTCString() });
    expect(earlier.statusCode).toBe(200);
    const nonsense = await get('/feed.json', { 'if-modified-since': 'yesterday' });
    expect(nonsense.statusCode).toBe(200);
  });

  it('compresses a feed as the client accepts', async () => {
    const res = await get('/feed.xml', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toContain('accept-encoding');
  });
});

describe('a feed is built once until a write', () => {
  let own: App;
  beforeAll(async () => {
    own = await createTestApp();
  });
  afterAll(async () => {
    await own?.close();
  });
  const ownGet = (url: string) => own.server.inject({ method: 'GET', url });

  it('serves the cached feed until a post is published, then shows the new post first', async () => {
    const before = await ownGet('/feed.xml');
    expect((await ownGet('/feed.xml')).headers.etag).toBe(before.headers.etag);
    expect(own.cache.size).toBeGreaterThan(0);

    const author = await own.services.users.bySlug('maren-ashby');
    await own.services.posts.create({
      title: 'Fish & Chips <on Friday>',
      body: 'See [the about page](/about/) and ![a photo](/media/nowhere.jpg).',
      status: 'published',
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
      authorId: author?.id ?? 0,
    });
    await own.services.posts.create({
      title: 'Not yet',
      body: 'Scheduled.',
      status: 'scheduled',
      publishedAt: new Date(Date.now() + 86_400_000).toISOString(),
      authorId: author?.id ?? 0,
    });

    const after = await ownGet('/feed.xml');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const feed = await rssParser.parseString(after.body);
    expect(feed.items[0]?.title).toBe('Fish & Chips <on Friday>');
    expect(feed.items[0]?.['content:encoded']).toContain('href="http://blog.test/about/"');
    expect(feed.items.map((i) => i.title)).not.toContain('Not yet');
    const json = (await ownGet('/feed.json')).json() as JsonFeed;
    expect(json.items[0]?.title).toBe('Fish & Chips <on Friday>');
    expect(validateJsonFeed(json)).toBe(true);
  });

  it('carries only the excerpt when the site says so', async () => {
    expect((await ownGet('/feed.xml')).body).toContain('<content:encoded>');
    await own.services.settings.update({ feedContent: 'excerpt' });
    own.services.changes.publish({ kind: 'site' });

    const rss = await ownGet('/feed.xml');
    expect(rss.body).not.toContain('<content:encoded>');
    const parsed = await rssParser.parseString(rss.body);
    const massage = parsed.items.find((i) => i.link?.endsWith('/benefits-of-infant-massage/'));
    expect(massage?.content).toMatch(/^Guest writer Tess Okafor on how ten quiet minutes/);
    expect(massage?.content).not.toContain('Idris was a loud baby.');
    // A post without an excerpt of its own gets its opening words.
    expect(parsed.items[0]?.content).toMatch(/^See the about page and/);

    const atom = (await ownGet('/atom.xml')).body;
    expect(atom).not.toContain('<content ');
    expect(atom).toContain('<summary type="text">Guest writer Tess Okafor on how ten quiet minutes');

    const json = (await ownGet('/feed.json')).json() as JsonFeed;
    expect(validateJsonFeed(json), JSON.stringify(validateJsonFeed.errors)).toBe(true);
    for (const item of json.items) {
      expect(item.content_html).toBeUndefined();
      expect(item.content_text).toBeTruthy();
    }
  });
});

describe('a site with nothing published yet', () => {
  let empty: App;
  beforeAll(async () => {
    empty = await createTestApp({ demo: false });
  });
  afterAll(async () => {
    await empty?.close();
  });

  it('offers empty feeds that still parse, with no Last-Modified to promise', async () => {
    const rss = await empty.server.inject('/feed.xml');
    expect(rss.statusCode).toBe(200);
    expect(rss.headers['last-modified']).toBeUndefined();
    expect((await rssParser.parseString(rss.body)).items).toHaveLength(0);
    const atom = await empty.server.inject('/atom.xml');
    // feed-extractor tells Atom by its first <entry>, so only rss-parser reads an empty one.
    expect((await rssParser.parseString(atom.body)).items).toHaveLength(0);
    expect(atom.body).toMatch(/<updated>[^<]+<\/updated>/);
    const json = (await empty.server.inject('/feed.json')).json() as JsonFeed;
    expect(validateJsonFeed(json), JSON.stringify(validateJsonFeed.errors)).toBe(true);
    expect(json.items).toEqual([]);
  });
});

describe('WordPress feed addresses', () => {
  // Every blog imported from WordPress has readers subscribed to /feed/: they get the
  // RSS feed itself there (no redirect, which some readers follow badly).
  it('serves the RSS feed at /feed/ and /feed, byte for byte, with the same headers', async () => {
    const rss = await get('/feed.xml', { 'accept-encoding': 'identity' });
    expect(rss.statusCode).toBe(200);
    for (const url of ['/feed/', '/feed', '/category/green-living/feed/', '/tag/babies/feed/']) {
      const original = url === '/feed/' || url === '/feed' ? rss : await get(url.replace('/feed/', '/feed.xml'));
      const res = await get(url, { 'accept-encoding': 'identity' });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(original.body);
      for (const header of ['content-type', 'etag', 'cache-control', 'last-modified'])
        expect(res.headers[header], `${url} ${header}`).toBe(original.headers[header]);
    }
    expect((await rssParser.parseString((await get('/feed/')).body)).items).toHaveLength(11);
  });

  it('answers a revalidation at /feed/ with 304', async () => {
    const first = await get('/feed/');
    const again = await get('/feed/', { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('serves the comments feed at /comments/feed/ and /comments/feed', async () => {
    const atom = await get('/comments/atom.xml');
    expect(atom.statusCode).toBe(200);
    for (const url of ['/comments/feed/', '/comments/feed']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(atom.body);
      expect(res.headers['content-type'], url).toBe(atom.headers['content-type']);
      expect(res.headers.etag, url).toBe(atom.headers.etag);
    }
  });
});
