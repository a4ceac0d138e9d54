import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cacheTagsFor, encodedBody, PageCache } from '../../src/render/page-cache.js';

const html = 'text/html; charset=utf-8';
const page = (body: string, tags: string[] = [], status = 200) => ({ status, contentType: html, body, tags });
/** A body well above the size below which compression is skipped. */
const bigBody = `<!doctype html><main>${'<p>The quick brown fox jumps over the lazy dog.</p>\n'.repeat(200)}</main>`;

describe('PageCache', () => {
  it('keeps a stored page and gives it back by key', () => {
    const cache = new PageCache({ enabled: true });
    const stored = cache.store('/hello/', page('<p>Hello</p>', ['post:1']));
    expect(stored.kept).toBe(true);
    const got = cache.get('/hello/');
    expect(got).toBe(stored);
    expect(got?.body.toString()).toBe('<p>Hello</p>');
    expect(got?.status).toBe(200);
    expect(got?.contentType).toBe(html);
    expect(cache.get('/other/')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('lets a page go after maxAgeMs, a backstop for a change never announced', async () => {
    const cache = new PageCache({ enabled: true, maxAgeMs: 40 });
    const stored = cache.store('/hello/', page('<p>Hello</p>', ['post:1']));
    expect(stored.expiresAt).toBeUndefined();
    expect(cache.get('/hello/')).toBe(stored);
    await new Promise((r) => setTimeout(r, 60));
    expect(cache.get('/hello/')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('invalidates exactly the pages carrying a tag and keeps the rest', () => {
    const cache = new PageCache({ enabled: true });
    cache.store('/', page('home', ['posts', 'post:1', 'post:2']));
    cache.store('/first/', page('first', ['post:1']));
    cache.store('/second/', page('second', ['post:2']));
    cache.store('/about/', page('about', ['site']));

    cache.invalidate(['post:1']);

    expect(cache.get('/')).toBeUndefined();
    expect(cache.get('/first/')).toBeUndefined();
    expect(cache.get('/second/')?.body.toString()).toBe('second');
    expect(cache.get('/about/')?.body.toString()).toBe('about');
    expect(cache.size).toBe(2);

    cache.invalidate(['no-such-tag']);
    expect(cache.size).toBe(2);
  });

  it('invalidates a page rendered again by its new tags only, not by what it showed before', () => {
    const cache = new PageCache({ enabled: true });
    cache.store('/', page('home v1', ['posts', 'post:1']));
    cache.invalidate(['posts']);
    cache.store('/', page('home v2', ['posts', 'post:2']));

    cache.invalidate(['post:1']);
    expect(cache.get('/')?.body.toString()).toBe('home v2');

    cache.invalidate(['post:2']);
    expect(cache.get('/')).toBeUndefined();
  });

  it('invalidates a page replaced in place by its new tags only', () => {
    const cache = new PageCache({ enabled: true });
    cache.store('/', page('home v1', ['post:1']));
    cache.store('/', page('home v2', ['post:2']));
    cache.invalidate(['post:1']);
    expect(cache.get('/')?.body.toString()).toBe('home v2');
    expect(cache.size).toBe(1);
  });

  it('keeps nothing when disabled, but still builds the entry for the response', () => {
    const cache = new PageCache({ enabled: false });
    const entry = cache.store('/hello/', page('<p>Hello</p>', ['post:1']));
    expect(entry.kept).toBe(false);
    expect(entry.body.toString()).toBe('<p>Hello</p>');
    expect(entry.etag).toMatch(/^"[\w-]+"$/);
    expect(cache.get('/hello/')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never keeps a page with a null key', () => {
    const cache = new PageCache({ enabled: true });
    const entry = cache.store(null, page('<form>…</form>', ['post:1']));
    expect(entry.kept).toBe(false);
    expect(cache.size).toBe(0);
  });

  it.each([301, 304, 404, 500, 503])('never keeps a page with status %i', (status) => {
    const cache = new PageCache({ enabled: true });
    const entry = cache.store('/missing/', page('Not here', [], status));
    expect(entry.kept).toBe(false);
    expect(entry.status).toBe(status);
    expect(cache.get('/missing/')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('gives the same body the same ETag and a different body a different one', () => {
    const cache = new PageCache({ enabled: true });
    const a = cache.store('/a/', page('<p>Same</p>'));
    const b = cache.store('/b/', page('<p>Same</p>'));
    const c = cache.store('/c/', page('<p>Other</p>'));
    const d = new PageCache({ enabled: false }).store(null, page('<p>Same</p>'));
    expect(a.etag).toMatch(/^"[\w-]+"$/);
    expect(b.etag).toBe(a.etag);
    expect(d.etag).toBe(a.etag);
    expect(c.etag).not.toBe(a.etag);
    // Same length, one letter apart: the CRC still tells them apart.
    const e = cache.store('/e/', page('<p>Sane</p>'));
    expect(e.etag).not.toBe(a.etag);
  });

  it('does not grow past maxEntries', () => {
    const cache = new PageCache({ enabled: true, maxEntries: 3 });
    for (let n = 0; n < 10; n++) cache.store(`/p/${n}/`, page(`page ${n}`, [`post:${n}`]));
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(cache.get('/p/9/')?.body.toString()).toBe('page 9');
  });
});

describe('encodedBody', () => {
  const entry = () => new PageCache({ enabled: true }).store('/big/', page(bigBody));

  it('prefers brotli when the client takes both', () => {
    const e = entry();
    const { body, encoding } = encodedBody(e, 'gzip, deflate, br');
    expect(encoding).toBe('br');
    expect(body.length).toBeLessThan(e.body.length);
    expect(brotliDecompressSync(body).toString()).toBe(bigBody);
  });

  it('uses gzip when only gzip is accepted', () => {
    const e = entry();
    const { body, encoding } = encodedBody(e, 'gzip');
    expect(encoding).toBe('gzip');
    expect(body.length).toBeLessThan(e.body.length);
    expect(gunzipSync(body).toString()).toBe(bigBody);
  });

  it('does not use an encoding the client refuses with q=0', () => {
    const { body, encoding } = encodedBody(entry(), 'br;q=0, gzip;q=0.8');
    expect(encoding).toBe('gzip');
    expect(gunzipSync(body).toString()).toBe(bigBody);
    expect(encodedBody(entry(), 'gzip;q=0').encoding).toBeUndefined();
  });

  it('sends the body as it is without an Accept-Encoding header or with no known coding', () => {
    const e = entry();
    expect(encodedBody(e, undefined)).toEqual({ body: e.body, encoding: undefined });
    expect(encodedBody(e, '')).toEqual({ body: e.body, encoding: undefined });
    expect(encodedBody(e, 'deflate, identity')).toEqual({ body: e.body, encoding: undefined });
  });

  it('does not compress a small body', () => {
    const small = new PageCache({ enabled: true }).store('/small/', page('<p>Hi</p>'));
    const { body, encoding } = encodedBody(small, 'br, gzip');
    expect(encoding).toBeUndefined();
    expect(body.toString()).toBe('<p>Hi</p>');
  });

  it('compresses each entry once per encoding', () => {
    const e = entry();
    const first = encodedBody(e, 'br').body;
    expect(encodedBody(e, 'br').body).toBe(first);
    expect(e.encoded.br).toBe(first);
    expect(e.encoded.gzip).toBeUndefined();
  });

  it('compresses a page that is not kept as well', () => {
    const e = new PageCache({ enabled: false }).store(null, page(bigBody));
    expect(brotliDecompressSync(encodedBody(e, 'br').body).toString()).toBe(bigBody);
    expect(gunzipSync(encodedBody(e, 'gzip').body).toString()).toBe(bigBody);
  });
});

describe('cacheTagsFor', () => {
  it("maps a comment change to its post's page, the counts of lists showing it, and the comments feeds", () => {
    expect(cacheTagsFor({ kind: 'comment', postId: 12 })).toEqual(['post:12', 'comments:12', 'comments']);
  });

  it('maps a post change to the post and every list', () => {
    expect(cacheTagsFor({ kind: 'post', postId: 12 })).toEqual(['post:12', 'posts']);
  });

  it('maps a site change to the site tag', () => {
    expect(cacheTagsFor({ kind: 'site' })).toEqual(['site']);
  });

  it('lets a comment change drop only the pages of that post', () => {
    const cache = new PageCache({ enabled: true });
    cache.store('/', page('home', ['posts', 'post:12', 'post:13']));
    cache.store('/twelve/', page('twelve', ['post:12']));
    cache.store('/thirteen/', page('thirteen', ['post:13']));
    cache.invalidate(cacheTagsFor({ kind: 'comment', postId: 13 }));
    expect(cache.get('/thirteen/')).toBeUndefined();
    expect(cache.get('/')).toBeUndefined();
    expect(cache.get('/twelve/')?.body.toString()).toBe('twelve');
  });

  it('drops a list whose counts show the post, and keeps a list that does not show it', () => {
    const cache = new PageCache({ enabled: true });
    cache.store('/', page('home', ['posts', 'comments:12', 'comments:13']));
    cache.store('/page/2/', page('older', ['posts', 'comments:14']));
    cache.invalidate(cacheTagsFor({ kind: 'comment', postId: 13 }));
    expect(cache.get('/')).toBeUndefined();
    expect(cache.get('/page/2/')?.body.toString()).toBe('older');
  });
});

describe('pages that go stale by themselves', () => {
  it('are dropped once their time has passed', () => {
    const cache = new PageCache({ enabled: true });
    cache.store('/soon/', { ...page('soon'), expiresAt: Date.now() - 1 });
    cache.store('/later/', { ...page('later'), expiresAt: Date.now() + 60_000 });
    expect(cache.get('/soon/')).toBeUndefined();
    expect(cache.get('/later/')?.body.toString()).toBe('later');
  });
});

describe('a page rendered while its content changed', () => {
  it('is served but not kept, so the change is not hidden behind it', () => {
    const cache = new PageCache({ enabled: true });
    const before = cache.generation;
    cache.invalidate(['post:12']);
    const entry = cache.store('/twelve/', page('rendered before the change', ['post:12']), before);
    expect(entry.kept).toBe(false);
    expect(cache.get('/twelve/')).toBeUndefined();
    cache.store('/twelve/', page('fresh', ['post:12']), cache.generation);
    expect(cache.get('/twelve/')?.body.toString()).toBe('fresh');
  });
});
