import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
const json = async (q: string, extra = '') => {
  const res = await app.server.inject(`/search.json?q=${encodeURIComponent(q)}${extra}`);
  expect(res.statusCode, q).toBe(200);
  return res.json() as { total: number; results: { title: string; url: string; snippetHtml: string }[] };
};

beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('full-text search', () => {
  it('finds posts by stemmed words, title first, with highlighted snippets', async () => {
    const r = await json('massaging babies');
    expect(r.total).toBeGreaterThanOrEqual(1);
    expect(r.results[0]?.title).toBe('Benefits of Infant Massage');
    expect(r.results[0]?.snippetHtml).toMatch(/<mark>[^<]+<\/mark>/);
  });

  it('matches the last word as a prefix while typing', async () => {
    const typing = await json('nappi');
    expect(typing.results.map((x) => x.url)).toContain('/cloth-nappies-without-the-fuss/');
  });

  it('filters by category and by date', async () => {
    const all = await json('baby');
    const kitchen = await json('baby', '&category=family-kitchen');
    expect(kitchen.total).toBeGreaterThan(0);
    expect(kitchen.total).toBeLessThan(all.total);
    const none = await json('baby', '&to=2025-12-31');
    expect(none.total).toBe(0);
  });

  it('finds a post as soon as it is published, in the same transaction as the write', async () => {
    const author = await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    await app.services.posts.create({
      title: 'Quince jelly for beginners',
      body: 'Slow simmered quinces and patience.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId: author.id,
      tags: ['Preserves'],
    });
    expect((await json('quince')).results[0]?.title).toBe('Quince jelly for beginners');
    expect((await json('preserves')).total).toBe(1);
  });

  it('leaves out drafts and posts waiting for their time, and common words when others remain', async () => {
    const author = await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const write = (title: string, status: 'draft' | 'published', at: number) =>
      app.services.posts.create({
        title,
        body: 'Rhubarb crumble with oats.',
        status,
        publishedAt: new Date(Date.now() + at).toISOString(),
        authorId: author.id,
      });
    await write('Rhubarb draft', 'draft', -1000);
    await write('Rhubarb tomorrow', 'published', 86_400_000);
    const now = await write('Rhubarb today', 'published', -1000);
    const found = await json('rhubarb');
    expect(found.results.map((r) => r.title)).toEqual(['Rhubarb today']);
    expect(found.total).toBe(1);
    // "with" and "the" are not required to match: the post says neither with "the".
    expect((await json('the rhubarb with oats ')).total).toBe(1);
    await app.services.posts.update(now.id, { status: 'draft' });
    expect((await json('rhubarb')).total).toBe(0);
  });

  it('never fails on odd queries: syntax characters, quotes, stop words only, other scripts, huge length', async () => {
    const odd = [
      '"',
      "'",
      'AND OR NOT',
      'massage*',
      '(infant',
      'NEAR(a b)',
      '-',
      '"unbalanced',
      'title:massage',
      'the of and',
      '赤ちゃん マッサージ',
      'تدليك الرضع',
      '😀',
      '%00',
      'x'.repeat(5000),
      '\\',
      ':*',
      '!&|',
    ];
    for (const q of odd) {
      const res = await app.server.inject(`/search.json?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q.slice(0, 20)).toBe(200);
      const page = await app.server.inject(`/search/?q=${encodeURIComponent(q)}`);
      expect(page.statusCode, q.slice(0, 20)).toBe(200);
    }
  });

  it('has a search page that works without JavaScript, escapes the query, and is not indexed', async () => {
    const res = await app.server.inject('/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%20massage');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<form class="search-form" role="search" aria-label="Posts, with filters" method="get" action="/search/">',
    );
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;');
    expect(res.body).toContain('<meta name="robots" content="noindex">');
    const empty = await app.server.inject('/search/');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).not.toContain('search-count');
  });

  it('gives each search landmark its own accessible name (the header search and the search page form)', async () => {
    const page = (await app.server.inject('/search/?q=massage')).body;
    const landmarks = [...page.matchAll(/<[^>]+role="search"[^>]*>/g)].map((m) => m[0]);
    expect(landmarks).toHaveLength(2);
    const names = landmarks.map((tag) => {
      const label = tag.match(/aria-label="([^"]+)"/)?.[1];
      if (label) return label;
      const by = tag.match(/aria-labelledby="([^"]+)"/)?.[1];
      expect(by, tag).toBeDefined();
      return page.match(new RegExp(`id="${by}"[^>]*>([^<]+)<`))?.[1];
    });
    for (const name of names) expect(name?.trim()).toBeTruthy();
    expect(new Set(names).size).toBe(2);
  });

  it('answers a bad date filter with a clear error, not a 500', async () => {
    const res = await app.server.inject('/search/?q=baby&from=yesterday');
    expect(res.statusCode).toBe(400);
  });
});
