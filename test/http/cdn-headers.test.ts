import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseOptions } from '../../src/config.js';
import type { App } from '../../src/main.js';
import { openDatabase } from '../../src/storage/index.js';
import { createTestApp, form, useTestApp } from '../helpers/app.js';
import { postgresUrl } from '../helpers/postgres.js';

/*
 * What shared caches may do with each kind of response (issue 19): public responses say
 * how long, and carry the page cache's tags as Surrogate-Key and Cache-Tag; personal ones
 * are `no-store`. With a purge URL, writes call it in the background with their tags.
 */

const PAGE = 'public, max-age=0, s-maxage=60, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A real purge endpoint that records each call, or holds it unanswered while `hang` is set. */
async function purgeEndpoint() {
  const calls: { method: string; headers: http.IncomingHttpHeaders; tags: string[] }[] = [];
  const held: http.ServerResponse[] = [];
  const state = { hang: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        headers: req.headers,
        tags: (JSON.parse(body) as { tags: string[] }).tags,
      });
      if (state.hang) held.push(res);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`,
    calls,
    state,
    release() {
      state.hang = false;
      for (const res of held.splice(0)) res.end();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('with a purge URL', () => {
  let app: App;
  let cdn: Awaited<ReturnType<typeof purgeEndpoint>>;
  const get = (url: string, headers: Record<string, string> = {}) => app.server.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    cdn = await purgeEndpoint();
    app = await createTestApp({
      purge: { url: cdn.url, method: 'POST', headers: { Authorization: 'Bearer test-token' } },
    });
  });
  afterAll(async () => {
    cdn.release();
    await app?.close();
    await cdn?.close();
  });

  /** The tags a response carries, from both headers, which must agree. */
  const tagsOf = (res: { headers: Record<string, unknown> }) => {
    const surrogate = String(res.headers['surrogate-key'] ?? '').split(' ');
    expect(String(res.headers['cache-tag'] ?? '').split(',')).toEqual(surrogate);
    return surrogate;
  };

  it('lets a purged CDN keep pages, feeds and the sitemap a day, any other shared cache a minute, with their tags', async () => {
    const home = await get('/');
    // A post the home page lists: the list carries its comment count's tag.
    const postId = Number(/(?:^| )comments:(\d+)/.exec(String(home.headers['surrogate-key']))?.[1]);
    const { slug } = await app.database.db
      .selectFrom('posts')
      .select('slug')
      .where('id', '=', postId)
      .executeTakeFirstOrThrow();
    const postUrl = `/${slug}/`;
    const category = /href="(\/category\/[^"]+\/)"/.exec(home.body)?.[1] as string;
    const expected: Record<string, string[]> = {
      '/': ['posts', 'site'],
      [postUrl]: ['posts', 'site', `post:${postId}`],
      [category]: ['posts', 'site'],
      '/feed/': ['posts', 'site'],
      '/sitemap.xml': ['posts', 'site'],
      '/comments/feed/': ['comments', 'posts', 'site'],
      [`${postUrl}comments/atom.xml`]: [`post:${postId}`, 'posts', 'site'],
      '/books/': ['books', 'site'],
    };
    for (const [url, tags] of Object.entries(expected)) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(PAGE);
      expect(res.headers['surrogate-control'], url).toBe('max-age=86400');
      expect(res.headers['cdn-cache-control'], url).toBe('max-age=86400');
      for (const tag of tags) expect(tagsOf(res), url).toContain(tag);
      // The same from the page cache, and on a 304.
      const again = await get(url, { 'if-none-match': String(res.headers.etag) });
      expect(again.statusCode, url).toBe(304);
      expect(again.headers['cache-control'], url).toBe(PAGE);
      expect(again.headers['surrogate-key'], url).toBe(res.headers['surrogate-key']);
    }
  });

  it('tags a book’s page, drawn images and share cards, and says how long each may be kept', async () => {
    const books = await get('/books/');
    const bookUrl = /href="(\/books\/[^"/]+\/)"/.exec(books.body)?.[1];
    expect(bookUrl, 'the demo has a public book').toBeDefined();
    const book = await get(bookUrl as string);
    expect(book.headers['cache-control']).toBe(PAGE);
    expect(tagsOf(book).some((t) => /^book:\d+$/.test(t))).toBe(true);
    const cover = /(\/books\/[^"]+\/cover-[0-9a-f]{12}\.jpg)/.exec(book.body)?.[1];
    if (cover) {
      const res = await get(cover);
      expect(res.headers['cache-control']).toBe(IMMUTABLE);
      expect(tagsOf(res)).toEqual([tagsOf(book).find((t) => t.startsWith('book:')), 'site']);
    }
    // A post without a feature image shares a drawn card.
    const author = await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const created = await app.services.posts.create({
      title: 'A post without a photo',
      body: 'Shared with a drawn card.',
      status: 'published',
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
      authorId: author.id,
    });
    const page = await get(`/${created.slug}/`);
    const card = /content="https?:\/\/[^/"]+(\/share\/[^"]+\.png)"/.exec(page.body)?.[1];
    const cardPost = created.id;
    expect(card, 'a demo post has a drawn share card').toBeDefined();
    const image = await get(card as string);
    expect(image.statusCode).toBe(200);
    expect(image.headers['cache-control']).toBe(IMMUTABLE);
    expect(tagsOf(image)).toEqual([`post:${cardPost}`, 'site']);
  });

  it('lets a CDN keep a post no longer than until its comments close', async () => {
    await app.services.settings.update({ commentsCloseAfterDays: 1 });
    const author = await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    // Published a day ago, less 40 seconds: its comments close in 40 seconds.
    const created = await app.services.posts.create({
      title: 'Comments close soon',
      body: 'Say it now.',
      status: 'published',
      publishedAt: new Date(Date.now() - 86_400_000 + 40_000).toISOString(),
      authorId: author.id,
    });
    const res = await get(`/${created.slug}/`);
    const cdnAge = Number(/^max-age=(\d+)$/.exec(String(res.headers['surrogate-control']))?.[1]);
    expect(cdnAge).toBeGreaterThan(30);
    expect(cdnAge).toBeLessThanOrEqual(40);
    expect(res.headers['cdn-cache-control']).toBe(`max-age=${cdnAge}`);
    const shared = Number(/s-maxage=(\d+)/.exec(String(res.headers['cache-control']))?.[1]);
    expect(shared).toBeLessThanOrEqual(40);
    await app.services.settings.update({ commentsCloseAfterDays: 0 });
  });

  it('lets caches keep a 404 and a permanent redirect a little, tagged so a new post drops them', async () => {
    const missing = await get('/no-such-post-here/');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe(PAGE);
    expect(missing.headers['surrogate-control']).toBeUndefined();
    expect(tagsOf(missing)).toEqual(['posts', 'site']);
    const home = await get('/');
    const postUrl = /<a href="(\/[^/"]+\/)"/.exec(home.body)?.[1] as string;
    const moved = await get(postUrl.slice(0, -1));
    expect(moved.statusCode).toBe(301);
    expect(moved.headers['cache-control']).toBe('public, max-age=300');
    expect(tagsOf(moved)).toEqual(['posts', 'site']);
  });

  it('keeps static files a year and robots.txt an hour', async () => {
    const home = await get('/');
    const css = /href="(\/assets\/[^"]+)"/.exec(home.body)?.[1] as string;
    expect((await get(css)).headers['cache-control']).toBe(IMMUTABLE);
    const img = /<img src="(\/media\/[^"]+)"/.exec(home.body)?.[1] as string;
    expect((await get(img)).headers['cache-control']).toBe(IMMUTABLE);
    expect((await get('/robots.txt')).headers['cache-control']).toBe('public, max-age=3600');
    expect((await get('/favicon.ico')).headers['cache-control']).toBe('public, max-age=86400');
  });

  it('never lets a cache keep anything personal: admin, API, search, form answers, tokens, health', async () => {
    const privateOnes = [
      await get('/admin/login'),
      await get('/admin/posts'),
      await get('/api/posts'),
      await get('/search/?q=sleep'),
      await get('/comments/token?post=1'),
      await get('/comments/token'),
      await get('/preview/1/not-a-token'),
      await get('/healthz'),
      await app.server.inject({ method: 'POST', url: '/comments', ...form({ post_id: '999999', body: 'x' }) }),
      await app.server.inject({ method: 'POST', url: '/comments', ...form({ name: 'A' }) }),
    ];
    for (const res of privateOnes) {
      const label = `${res.raw.req.method} ${res.raw.req.url} ${res.statusCode}`;
      expect(String(res.headers['cache-control']), label).toMatch(/no-store/);
      expect(res.headers['surrogate-key'], label).toBeUndefined();
      expect(res.headers['surrogate-control'], label).toBeUndefined();
    }
  });

  it('calls the purge URL with the tags of a write, in the background, never making the write wait', async () => {
    // The purges of the tests before (batched for 100 ms) are sent first.
    await new Promise((r) => setTimeout(r, 250));
    await app.purge?.settled();
    const before = cdn.calls.length;
    const post = await app.database.db
      .selectFrom('posts')
      .select(['id', 'slug'])
      .where('status', '=', 'published')
      .where('type', '=', 'post')
      .executeTakeFirstOrThrow();
    cdn.state.hang = true;
    await app.services.posts.update(post.id, { title: 'First change' });
    // The call is out and unanswered: the CDN hangs.
    while (cdn.calls.length === before) await new Promise((r) => setTimeout(r, 10));
    expect(cdn.calls[before]).toMatchObject({ method: 'POST', tags: [`post:${post.id}`, 'posts'] });
    expect(cdn.calls[before]?.headers.authorization).toBe('Bearer test-token');
    expect(cdn.calls[before]?.headers['surrogate-key']).toBe(`post:${post.id} posts`);
    // Writes and pages go on meanwhile.
    const started = performance.now();
    await app.services.posts.update(post.id, { title: 'Second change' });
    const page = await get(`/${post.slug}/`);
    expect(page.body).toContain('Second change');
    expect(performance.now() - started).toBeLessThan(2000);
    cdn.release();
    await app.purge?.settled();
    expect(cdn.calls.slice(before).map((c) => c.tags)).toEqual([
      [`post:${post.id}`, 'posts'],
      [`post:${post.id}`, 'posts'],
    ]);
  });
});

describe.skipIf(postgresUrl)('with a purge URL, on SQLite', () => {
  it('purges everything within seconds when another process (the CLI) writes to the file', async () => {
    const cdn = await purgeEndpoint();
    const app = await createTestApp({ purge: { url: cdn.url, method: 'POST', headers: {} } });
    const other = await openDatabase(databaseOptions(app.config));
    try {
      await other.db.updateTable('posts').set({ title: 'Changed by another process' }).where('id', '=', 1).execute();
      const started = Date.now();
      while (!cdn.calls.some((c) => c.tags.includes('site')) && Date.now() - started < 8000)
        await new Promise((r) => setTimeout(r, 100));
      expect(cdn.calls.map((c) => c.tags)).toContainEqual(['site']);
    } finally {
      await other.close();
      await app.close();
      await cdn.close();
    }
  }, 15_000);
});

describe('without a purge URL', () => {
  const test = useTestApp();

  it('tags pages but tells no cache to keep them beyond a minute, and purges nothing', async () => {
    const res = await test.get('/');
    expect(res.headers['cache-control']).toBe(PAGE);
    expect(res.headers['surrogate-control']).toBeUndefined();
    expect(res.headers['cdn-cache-control']).toBeUndefined();
    expect(String(res.headers['surrogate-key'])).toMatch(/(^| )site( |$)/);
    expect(test.app.purge).toBeUndefined();
  });
});
