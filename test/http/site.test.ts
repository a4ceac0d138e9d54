import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useTestApp } from '../helpers/app.js';

const testApp = useTestApp();
const get = testApp.get;

describe('home page', () => {
  it('lists the newest posts with image, category, title, excerpt, author and date', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html).toContain('Benefits of Infant Massage');
    expect(html).toMatch(
      /<article class="card">[\s\S]*?<picture>[\s\S]*?class="label" href="\/category\/green-living\/"/,
    );
    expect(html).toMatch(/By <a href="\/author\/[a-z-]+\/">/);
    expect(html).toMatch(/<time datetime="2026-10-20T08:30:00.000Z">October 20, 2026<\/time>/);
    expect((html.match(/<article class="card">/g) ?? []).length).toBe(7);
    expect(html).toContain('rel="next" href="/page/2/"');
  });

  it('paginates, and answers 404 for page numbers that are past the end, zero, negative or not numbers', async () => {
    expect((await get('/page/2/')).statusCode).toBe(200);
    for (const bad of ['/page/0/', '/page/-1/', '/page/abc/', '/page/999/', '/page/1.5/', '/page/99999999999/']) {
      const res = await get(bad);
      expect(res.statusCode, bad).toBe(404);
      expect(res.body, bad).toContain('Page not found');
    }
  });

  it('sends an ETag and answers 304 when it still matches', async () => {
    const first = await get('/');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toContain('must-revalidate');
    const again = await get('/', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('compresses with brotli or gzip as the client accepts', async () => {
    const br = await get('/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan((await get('/')).rawPayload.length / 3);
    const gz = await get('/', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toContain('accept-encoding');
  });

  it('carries the security headers, with no inline script allowed', async () => {
    const res = await get('/');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('archives', () => {
  it('shows a category archive with its name and description', async () => {
    const res = await get('/category/green-living/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Green Living</h1>');
    expect(res.body).toContain('Benefits of Infant Massage');
  });

  it('shows tag and author archives', async () => {
    const post = await get('/benefits-of-infant-massage/');
    const tagUrl = post.body.match(/<ul class="tags"[\s\S]*?href="(\/tag\/[a-z0-9-]+\/)"/)?.[1] as string;
    const authorUrl = post.body.match(/rel="author" href="(\/author\/[a-z0-9-]+\/)"/)?.[1] as string;
    const tag = await get(tagUrl);
    expect(tag.statusCode).toBe(200);
    expect(tag.body).toContain('Benefits of Infant Massage');
    const author = await get(authorUrl);
    expect(author.statusCode).toBe(200);
    expect(author.body).toContain('Benefits of Infant Massage');
  });

  it('answers 404 for unknown archives and bad page numbers in them', async () => {
    for (const url of [
      '/category/nope/',
      '/tag/nope/',
      '/author/nope/',
      '/category/green-living/page/0/',
      '/category/green-living/page/50/',
      '/category/green-living/page/x/',
    ]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
  });
});

describe('characters in the HTML', () => {
  it('are UTF-8 on every public page, written as themselves rather than as numeric references', async () => {
    for (const url of [
      '/',
      '/benefits-of-infant-massage/',
      '/category/green-living/',
      '/about/',
      '/search/?q=massage',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      const references = [...res.body.matchAll(/&#(\d+);|&#x([0-9a-f]+);/gi)].filter(
        ([, dec, hex]) => Number(dec ?? Number.parseInt(hex ?? '', 16)) > 0x7f,
      );
      expect(
        references.map(([r]) => r),
        url,
      ).toEqual([]);
    }
    const post = (await get('/benefits-of-infant-massage/')).body;
    expect(post).toContain('Hello, I’m Maren.');
  });
});

describe('post page', () => {
  let html: string;
  beforeAll(async () => {
    const res = await get('/benefits-of-infant-massage/');
    expect(res.statusCode).toBe(200);
    html = res.body;
  });

  it('has the site header with a menu of categories', () => {
    expect(html).toMatch(/<nav class="site-nav" aria-label="Main">[\s\S]*href="\/category\/green-living\/"/);
  });

  it('shows the category label linked to its archive, the title and the byline', () => {
    expect(html).toMatch(
      /<a class="label" href="\/category\/green-living\/">Green Living<\/a>\s*<h1 id="post-title" class="post-title">Benefits of Infant Massage<\/h1>/,
    );
    expect(html).toMatch(/class="byline"[\s\S]*?By <a rel="author"/);
  });

  it('opens with the editor’s note, set apart and signed by its author', () => {
    const note = html.match(/<aside class="editor-note"[\s\S]*?<\/aside>/)?.[0] ?? '';
    expect(note).toContain('A note from the editor');
    expect(note).toMatch(/class="editor-note__signature">— <a href="\/author\/[a-z-]+\/">/);
    expect(html.indexOf('editor-note')).toBeLessThan(html.indexOf('class="prose"'));
  });

  it('has a P.S. about the photos, figures with captions and no file name as a caption', () => {
    expect(html).toContain('<aside class="postscript" aria-label="Postscript">');
    const figures = html.match(/<figure class="figure">[\s\S]*?<\/figure>/g) ?? [];
    expect(figures.length).toBeGreaterThanOrEqual(3);
    for (const f of figures) {
      expect(f).toMatch(/<img [^>]*alt="[^"]{5,}"[^>]*width="\d+" height="\d+" loading="lazy" decoding="async">/);
      expect(f).toMatch(/<figcaption>(?![^<]*\.(jpe?g|png))/);
      expect(f).toContain('type="image/webp"');
    }
  });

  it('links to the earlier guest post', () => {
    const prose = html.match(/<div class="prose">[\s\S]*?<\/div>\s*<ul class="tags"/)?.[0] ?? '';
    expect(prose).toMatch(/<a href="\/[a-z0-9-]+\/">/);
  });

  it('has the how-to steps and their HowTo JSON-LD', () => {
    expect(html).toMatch(/<section class="howto"[\s\S]*<ol class="howto-steps">/);
    const ld = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) =>
      JSON.parse(m[1] as string),
    );
    const howto = ld.find((x) => x['@type'] === 'HowTo');
    expect(howto.step.length).toBeGreaterThanOrEqual(5);
    expect(howto.step[0]).toMatchObject({ '@type': 'HowToStep', position: 1 });
    expect(ld.find((x) => x['@type'] === 'BlogPosting')?.headline).toBe('Benefits of Infant Massage');
  });

  it('has share links that load no third-party script, and a copy-link button', () => {
    expect(html).toContain(
      'https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Fblog.test%2Fbenefits-of-infant-massage%2F',
    );
    expect(html).toContain('data-copy-link="http://blog.test/benefits-of-infant-massage/"');
    expect(html).toContain('data-web-share');
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.every((s) => s?.startsWith('/assets/'))).toBe(true);
  });

  it('has bio boxes for the guest author and the editor', () => {
    expect((html.match(/<aside class="author-box"/g) ?? []).length).toBe(2);
  });

  it('suggests three related posts with thumbnails', () => {
    const related = html.match(/<section class="related"[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(related).toContain('You Might Also Like');
    expect((related.match(/<article class="card card--small">/g) ?? []).length).toBe(3);
    expect((related.match(/<picture>/g) ?? []).length).toBe(3);
    expect(related).not.toContain('Benefits of Infant Massage');
  });

  it('shows the approved comments with name, linked website, date and time, and the text', () => {
    const comments = html.match(/<li class="comment comment--depth-1" id="comment-\d+">[\s\S]*?<\/li>/g) ?? [];
    expect(comments.length).toBe(3);
    expect(html).toMatch(
      /<a href="https:\/\/[^"]+" rel="nofollow ugc noopener">[^<]+<\/a><\/p>\s*<p class="comment__date">/,
    );
    expect(comments[0]).toMatch(/<time datetime="[^"]+">[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2} (AM|PM)<\/time>/);
  });

  it('shows dates in the configured time zone', async () => {
    const tokyo = await createTestApp({ timezone: 'Asia/Tokyo' });
    try {
      const res = await tokyo.server.inject('/benefits-of-infant-massage/');
      // 08:30 UTC is 17:30 in Tokyo.
      expect(res.body).toMatch(/<time datetime="2026-10-20T08:30:00.000Z">October 20, 2026<\/time>/);
      const utc = html.match(/comment__date"><a [^>]+><time datetime="([^"]+)">([^<]+)</);
      const local = res.body.match(/comment__date"><a [^>]+><time datetime="([^"]+)">([^<]+)</);
      expect(local?.[1]).toBe(utc?.[1]);
      expect(local?.[2]).not.toBe(utc?.[2]);
    } finally {
      await tokyo.close();
    }
  });

  it('ends with the comment form and the footer', () => {
    expect(html).toMatch(/<form class="comment-form" method="post" action="\/comments"/);
    expect(html).toMatch(/<footer class="site-footer">/);
  });
});

describe('static pages, robots, favicon, assets, media', () => {
  it('serves the About page without post furniture', async () => {
    const res = await get('/about/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 id="post-title" class="post-title">About');
    expect(res.body).not.toContain('You Might Also Like');
  });

  it('serves robots.txt and a favicon', async () => {
    const robots = await get('/robots.txt');
    expect(robots.statusCode).toBe(200);
    expect(robots.body).toContain('User-agent: *');
    const icon = await get('/favicon.ico');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/png');
  });

  it('serves theme assets and media with long-lived caching', async () => {
    const home = (await get('/')).body;
    const css = home.match(/href="(\/assets\/style\.css\?v=\w+)"/)?.[1] as string;
    const cssRes = await get(css);
    expect(cssRes.statusCode).toBe(200);
    expect(cssRes.headers['cache-control']).toContain('immutable');
    const img = home.match(/<img src="(\/media\/[^"]+)"/)?.[1] as string;
    const imgRes = await get(img);
    expect(imgRes.statusCode).toBe(200);
    expect(imgRes.headers['content-type']).toBe('image/jpeg');
    expect((await get('/media/../hearth.db')).statusCode).toBe(404);
  });
});

describe('unknown addresses', () => {
  it('answer with the themed 404 page', async () => {
    const res = await get('/no-such-post/');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
    expect(res.body).toContain('<nav class="site-nav"');
    // A CDN may keep a 404 a minute (scanners ask again and again); a new post purges it.
    expect(res.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, must-revalidate');
    expect(res.headers['surrogate-key']).toBe('posts site');
  });

  it('redirect a page address without its trailing slash, and never to another host', async () => {
    const res = await get('/benefits-of-infant-massage');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/benefits-of-infant-massage/');
    const sneaky = await get('//evil.example/x');
    expect(String(sneaky.headers.location ?? '')).not.toMatch(/^\/\//);
  });

  it('never answer 500 for odd input', async () => {
    for (const url of ['/%E0%A4%A/', '/category/%00/', `/${'a'.repeat(5000)}/`, '/tag/<script>/', '/page/%2F/']) {
      const res = await get(url);
      expect(res.statusCode, url).toBeLessThan(500);
    }
  });
});

describe('search engines and shares', () => {
  const ld = (html: string) =>
    [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) =>
      JSON.parse(m[1] as string),
    );

  it('gives the post page Open Graph, Twitter card and BlogPosting + BreadcrumbList JSON-LD', async () => {
    const html = (await get('/benefits-of-infant-massage/')).body;
    expect(html).toContain('<meta property="og:type" content="article">');
    expect(html).toContain('<meta property="og:title" content="Benefits of Infant Massage">');
    expect(html).toMatch(/<meta property="og:image" content="http:\/\/blog\.test\/media\/[^"]+\.jpg">/);
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).toContain('<link rel="canonical" href="http://blog.test/benefits-of-infant-massage/">');
    const items = ld(html);
    const posting = items.find((x) => x['@type'] === 'BlogPosting');
    expect(posting).toMatchObject({
      headline: 'Benefits of Infant Massage',
      author: { '@type': 'Person' },
      publisher: { '@type': 'Organization' },
    });
    expect(posting.datePublished).toBe('2026-10-20T08:30:00.000Z');
    const crumbs = items.find((x) => x['@type'] === 'BreadcrumbList');
    expect(crumbs.itemListElement.map((c: { name: string }) => c.name)).toEqual([
      'Willowfold',
      'Green Living',
      'Benefits of Infant Massage',
    ]);
    expect((html.match(/property="og:title"/g) ?? []).length).toBe(1);
  });

  it('describes the site with a WebSite SearchAction on the home page, and an author as a Person', async () => {
    const home = ld((await get('/')).body);
    expect(home[0]).toMatchObject({ '@type': 'WebSite', potentialAction: { '@type': 'SearchAction' } });
    const authorUrl = (await get('/benefits-of-infant-massage/')).body.match(
      /rel="author" href="([^"]+)"/,
    )?.[1] as string;
    expect(ld((await get(authorUrl)).body)[0]).toMatchObject({ '@type': 'Person' });
  });

  it('keeps later pages of lists and the search page out of search engines', async () => {
    expect((await get('/')).body).not.toContain('name="robots"');
    expect((await get('/page/2/')).body).toContain('<meta name="robots" content="noindex">');
  });
});
