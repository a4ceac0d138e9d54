import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

// Slugs in scripts the transliteration does not know: the letters themselves, percent-encoded
// in every URL Hearth writes. Regression: a tag named only in Chinese was dropped, a Hebrew
// category needed an ASCII slug typed by hand, and a Japanese title gave `untitled`.
const PASSWORD = 'correct horse battery';
const TAG = '中文';
const CATEGORY = 'מטבח';
const TITLE = '味噌汁とおにぎり';
const AUTHOR = '李雷';
const enc = encodeURIComponent;
const SITEMAP_XSD = fileURLToPath(new URL('./fixtures/sitemap.xsd', import.meta.url));

let app: App;
let admin: AdminClient;
let postId: number;

const get = (url: string) => app.server.inject({ method: 'GET', url });
const db = () => app.database.db;

/** Every absolute URL of the blog in a document, with XML's `&amp;` undone. */
const blogUrls = (text: string) =>
  [...text.replaceAll('&amp;', '&').matchAll(/http:\/\/blog\.test[^\s"'<>\\]*/g)].map((m) => m[0]);

/** A URL as a feed reader or crawler reads it: it parses, is already ASCII-escaped, and leads to a page. */
async function expectRoundTrip(url: string): Promise<void> {
  const parsed = new URL(url);
  expect(parsed.href, url).toBe(parsed.pathname === '/' ? `${url.replace(/\/$/, '')}/` : url);
  expect(url, url).toMatch(/^[\x21-\x7e]+$/);
  // Files, and the category and tag schemes of Atom's <category> (names, not pages).
  if (/\.(xml|json|png|jpg|webp)$|^\/(media|category|tag)\/$|^\/media\//.test(parsed.pathname)) return;
  const res = await get(parsed.pathname);
  expect(res.statusCode, url).toBe(200);
}

beforeAll(async () => {
  app = await createTestApp({ demo: false });
  await app.services.users.create({ name: AUTHOR, email: 'li@example.org', password: PASSWORD, role: 'owner' });
  admin = new AdminClient(app.server, { ip: '192.0.2.40' });
  expect((await admin.signIn('li@example.org', PASSWORD)).statusCode).toBe(303);

  await admin.get('/admin/categories');
  const category = await admin.post('/admin/categories', { name: CATEGORY, slug: '', description: '' });
  expect(category.statusCode, category.body).toBe(303);
  const { id: categoryId } = await db()
    .selectFrom('categories')
    .select('id')
    .where('name', '=', CATEGORY)
    .executeTakeFirstOrThrow();

  await admin.get('/admin/posts/new');
  const res = await admin.post('/admin/posts/new', {
    title: TITLE,
    body: 'Some text.',
    status: 'published',
    category: String(categoryId),
    tags: `${TAG}, 한국어`,
  });
  expect(res.statusCode, res.body).toBe(303);
  postId = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
});
afterAll(async () => {
  await app?.close();
});

describe('Unicode slugs', () => {
  it('keeps a tag named only in Chinese or Korean, with the letters as its slug', async () => {
    const tags = await db().selectFrom('tags').select(['name', 'slug']).orderBy('name').execute();
    expect(tags).toEqual(
      expect.arrayContaining([
        { name: TAG, slug: TAG },
        { name: '한국어', slug: '한국어' },
      ]),
    );
    const post = await db().selectFrom('posts').select('slug').where('id', '=', postId).executeTakeFirstOrThrow();
    expect(post.slug).toBe(TITLE);
    const author = await db()
      .selectFrom('users')
      .select('slug')
      .where('email', '=', 'li@example.org')
      .executeTakeFirst();
    expect(author?.slug).toBe(AUTHOR);
  });

  it('serves the archives and the post at their percent-encoded addresses, from the cache too', async () => {
    const tagPath = `/tag/${enc(TAG)}/`;
    expect(tagPath).toBe('/tag/%E4%B8%AD%E6%96%87/');
    const first = await get(tagPath);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(TITLE);
    const again = await get(tagPath);
    expect(again.statusCode).toBe(200);
    expect(again.headers.etag).toBe(first.headers.etag);
    // The same cached page whichever way a client writes the escapes, or sends the characters
    // raw: a title changed behind the cache's back (no change announced) is not seen.
    await db().updateTable('posts').set({ title: 'Changed behind the cache' }).where('id', '=', postId).execute();
    for (const variant of [tagPath.toLowerCase(), `/tag/${TAG}/`]) {
      const res = await get(variant);
      expect(res.statusCode, variant).toBe(200);
      expect(res.body, variant).toContain(TITLE);
      expect(res.headers.etag, variant).toBe(first.headers.etag);
    }
    await db().updateTable('posts').set({ title: TITLE }).where('id', '=', postId).execute();
    // Korean written decomposed (NFD) by the client finds the NFC slug's feed.
    const nfd = `/tag/${enc('한국어'.normalize('NFD'))}/`;
    expect(nfd).not.toBe(`/tag/${enc('한국어')}/`);
    for (const path of [
      `/category/${enc(CATEGORY)}/`,
      `/author/${enc(AUTHOR)}/`,
      `/${enc(TITLE)}/`,
      `${nfd}feed.json`,
    ]) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toContain(TITLE);
    }
  });

  it('leads another spelling of an address (decomposed, or ASCII letters escaped) to the canonical one, with its query', async () => {
    await app.services.users.create({
      name: 'Hannah',
      email: 'hannah@example.org',
      password: PASSWORD,
      role: 'author',
    });
    const cachedBefore = app.cache.size;
    const nfd = (text: string) => enc(text.normalize('NFD'));
    expect(nfd(TITLE)).not.toBe(enc(TITLE));
    const cases = [
      [`/tag/${nfd('한국어')}/`, `/tag/${enc('한국어')}/`],
      [`/tag/${nfd('한국어')}/page/2/?x=1`, `/tag/${enc('한국어')}/page/2/?x=1`],
      [`/${nfd(TITLE)}/`, `/${enc(TITLE)}/`],
      [`/${nfd(TITLE)}/?comment=pending`, `/${enc(TITLE)}/?comment=pending`],
      ['/author/%68annah/', '/author/hannah/'],
      ['/category/%6eews/?a=b', '/category/news/?a=b'],
    ];
    for (const [asked, canonical] of cases) {
      const res = await get(asked as string);
      expect(res.statusCode, asked).toBe(301);
      expect(res.headers.location, asked).toBe(canonical);
    }
    for (const path of [`/tag/${enc('한국어')}/`, `/${enc(TITLE)}/`, '/author/hannah/']) {
      expect((await get(path)).statusCode, path).toBe(200);
    }
    // Nothing cached for the other spellings: only the pages at the canonical addresses.
    expect(app.cache.size).toBeLessThanOrEqual(cachedBefore + 3);
  });

  it('links to them percent-encoded from the post page: canonical, archives, JSON-LD, share links', async () => {
    const page = (await get(`/${enc(TITLE)}/`)).body;
    const canonical = `http://blog.test/${enc(TITLE)}/`;
    expect(page).toContain(`<link rel="canonical" href="${canonical}">`);
    expect(page).toContain(`href="/tag/${enc(TAG)}/"`);
    expect(page).toContain(`href="/category/${enc(CATEGORY)}/"`);
    expect(page).toContain(`href="/author/${enc(AUTHOR)}/"`);
    expect(page).toContain(`https://www.facebook.com/sharer/sharer.php?u=${enc(canonical)}`);
    const jsonLd = /<script type="application\/ld\+json">([^<]+)<\/script>/.exec(page)?.[1] as string;
    expect(JSON.stringify(JSON.parse(jsonLd))).toContain(canonical);
    for (const url of blogUrls(page)) await expectRoundTrip(url);
  });

  it('writes percent-encoded <loc> in sitemaps that validate', async () => {
    const posts = (await get('/sitemap-posts-1.xml')).body;
    const taxonomies = (await get('/sitemap-taxonomies.xml')).body;
    expect(posts).toContain(`<loc>http://blog.test/${enc(TITLE)}/</loc>`);
    expect(taxonomies).toContain(`<loc>http://blog.test/tag/${enc(TAG)}/</loc>`);
    expect(taxonomies).toContain(`<loc>http://blog.test/category/${enc(CATEGORY)}/</loc>`);
    expect(taxonomies).toContain(`<loc>http://blog.test/author/${enc(AUTHOR)}/</loc>`);
    for (const xml of [posts, taxonomies]) {
      expect(XMLValidator.validate(xml)).toBe(true);
      const run = spawnSync('xmllint', ['--noout', '--schema', SITEMAP_XSD, '-'], { input: xml, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      for (const url of [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] as string)) {
        await expectRoundTrip(url);
      }
    }
  });

  it('gives RSS, Atom and JSON feeds links and ids that parse as URLs and lead back to the pages', async () => {
    const feeds = ['/feed.xml', '/atom.xml', '/feed.json'].flatMap((file) => [
      file,
      `/tag/${enc(TAG)}/${file.slice(1)}`,
      `/category/${enc(CATEGORY)}/${file.slice(1)}`,
    ]);
    for (const feed of feeds) {
      const res = await get(feed);
      expect(res.statusCode, feed).toBe(200);
      const urls = blogUrls(res.body);
      expect(urls, feed).toContain(`http://blog.test/${enc(TITLE)}/`);
      for (const url of urls) await expectRoundTrip(url);
      if (feed.endsWith('.json')) {
        const json = JSON.parse(res.body) as { feed_url: string; items: { id: string; url: string }[] };
        expect(new URL(json.feed_url).pathname).toBe(feed);
        expect(json.items[0]?.url).toBe(`http://blog.test/${enc(TITLE)}/`);
      } else {
        expect(XMLValidator.validate(res.body), feed).toBe(true);
      }
    }
  });

  it('answers search JSON with percent-encoded post URLs', async () => {
    const res = await get(`/search.json?q=${enc('味噌汁')}`);
    expect(res.statusCode).toBe(200);
    const json = JSON.parse(res.body) as { results: { url: string }[] };
    expect(json.results.map((r) => r.url)).toContain(`/${enc(TITLE)}/`);
    // Filtered by the Hebrew category, as the search form's <select> sends it.
    const filtered = await get(`/search.json?${new URLSearchParams({ q: '味噌汁', category: CATEGORY })}`);
    expect((JSON.parse(filtered.body) as { results: { url: string }[] }).results.map((r) => r.url)).toEqual([
      `/${enc(TITLE)}/`,
    ]);
  });

  it('leads a renamed Unicode tag and post to their new addresses with an ASCII Location', async () => {
    const tag = await db().selectFrom('tags').select('id').where('slug', '=', TAG).executeTakeFirstOrThrow();
    await admin.get(`/admin/tags/${tag.id}`);
    const renamed = await admin.post(`/admin/tags/${tag.id}`, { name: '汉语', slug: '汉语', description: '' });
    expect(renamed.statusCode, renamed.body).toBe(303);
    for (const old of [`/tag/${enc(TAG)}/`, `/tag/${enc(TAG).toLowerCase()}/`]) {
      const moved = await get(old);
      expect(moved.statusCode, old).toBe(301);
      expect(moved.headers.location).toBe(`/tag/${enc('汉语')}/`);
    }
    const followed = await get(`/tag/${enc('汉语')}/`);
    expect(followed.statusCode).toBe(200);
    expect(followed.body).toContain(TITLE);

    const editor = await admin.get(`/admin/posts/${postId}`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(editor.body)?.[1] as string;
    const saved = await admin.post(`/admin/posts/${postId}`, {
      title: TITLE,
      slug: 'おにぎり',
      body: 'Some text.',
      status: 'published',
      tags: '汉语',
      updatedAt,
    });
    expect(saved.statusCode, saved.body).toBe(303);
    const moved = await get(`/${enc(TITLE)}/`);
    expect(moved.statusCode).toBe(301);
    expect(moved.headers.location).toBe(`/${enc('おにぎり')}/`);
    expect((await get(moved.headers.location as string)).statusCode).toBe(200);
  });

  it('pins a related post by its Unicode slug, typed or copied percent-encoded from the address bar', async () => {
    const other = await app.services.posts.create({
      title: '第二篇',
      body: 'Some text.',
      status: 'published',
      publishedAt: '2020-01-01T10:00:00.000Z',
      authorId: (await db().selectFrom('users').select('id').executeTakeFirstOrThrow()).id,
      tags: [],
    });
    expect(other.slug).toBe('第二篇');
    for (const pin of ['第二篇', ` /${enc('第二篇')}/ `]) {
      await admin.get(`/admin/posts/${postId}`);
      const res = await admin.post(`/admin/posts/${postId}/related`, { pin, exclude: '' });
      expect(res.statusCode, pin).toBe(303);
      expect(await app.services.related.overrides(postId), pin).toEqual({ pin: [other.id], exclude: [] });
    }
  });

  it('checks a typed slug with the same rule, normalising it, and names the field of a bad one', async () => {
    await admin.get('/admin/categories');
    const typed = await admin.post('/admin/categories', { name: 'Japan', slug: '  日本-2 ', description: '' });
    expect(typed.statusCode, typed.body).toBe(303);
    const upper = await admin.post('/admin/categories', { name: 'Upper', slug: 'UPPER-Case', description: '' });
    expect(upper.statusCode, upper.body).toBe(303);
    const slugs = (await db().selectFrom('categories').select('slug').execute()).map((r) => r.slug);
    expect(slugs).toEqual(expect.arrayContaining(['日本-2', 'upper-case']));

    for (const bad of ['中 文', '中文/汉语', '..', '中文\u0007', '中'.repeat(81), 'café']) {
      await admin.get('/admin/categories');
      const res = await admin.post('/admin/categories', { name: 'Bad', slug: bad, description: '' });
      expect(res.statusCode, bad).toBe(400);
      expect(fieldError(res.body, 'new-slug'), bad).toContain('lower-case letters');
    }
    await admin.get('/admin/posts/new');
    const post = await admin.post('/admin/posts/new', {
      title: 'X',
      slug: '中文/../x',
      body: 'Text.',
      status: 'draft',
    });
    expect(post.statusCode).toBe(400);
    expect(fieldError(post.body, 'post-slug')).toContain('lower-case letters');
  });
});
