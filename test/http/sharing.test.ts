import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/main.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
let authorId: number;

beforeAll(async () => {
  app = await createTestApp();
  authorId = (await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await app?.close();
});

const meta = (html: string, attr: string) =>
  html.match(new RegExp(`<meta (?:property|name)="${attr}" content="([^"]*)">`))?.[1];

describe('sharing images', () => {
  it('draws a 1200×630 card from the title for a post with no feature image, kept and cached for a year', async () => {
    const { slug } = await app.services.posts.create({
      title: 'Why we swapped the tumble dryer for a washing line and never looked back',
      body: 'Sun, wind and a few pegs.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId,
    });
    const page = await app.server.inject(`/${slug}/`);
    const image = meta(page.body, 'og:image') ?? '';
    expect(image).toMatch(/^http:\/\/blog\.test\/share\/\d+-[0-9a-f]{10}\.png$/);
    expect(meta(page.body, 'twitter:card')).toBe('summary_large_image');

    const path = new URL(image).pathname;
    const first = await app.server.inject(path);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const info = await sharp(first.rawPayload).metadata();
    expect([info.format, info.width, info.height]).toEqual(['png', 1200, 630]);
    // Drawn once: the second request reads the kept file.
    const second = await app.server.inject(path);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
  });

  it('keeps the card in the media store, so another instance on the same store sends it without drawing', async () => {
    const { slug } = await app.services.posts.create({
      title: 'Line-drying in winter: frost, fog and patience',
      body: 'It dries, slowly.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId,
    });
    const address = new URL(meta((await app.server.inject(`/${slug}/`)).body, 'og:image') ?? '').pathname;
    const name = address.slice('/share/'.length);
    expect(await app.services.mediaStore.read(`cache/share/${name}`)).toBeUndefined();
    // Three first requests at once: one drawing, the same bytes for all, kept in the store.
    const answers = await Promise.all([1, 2, 3].map(() => app.server.inject(address)));
    for (const res of answers) expect(res.rawPayload.equals(answers[0]?.rawPayload as Buffer)).toBe(true);
    const kept = await app.services.mediaStore.read(`cache/share/${name}`);
    expect(kept?.equals(answers[0]?.rawPayload as Buffer)).toBe(true);

    // A second instance sharing the store sends what is kept there (a marked copy, to tell).
    const other = await createApp(app.config, { pause: async () => {} });
    try {
      const marked = await sharp(kept).png({ compressionLevel: 1 }).withMetadata({ density: 123 }).toBuffer();
      expect(marked.equals(kept as Buffer)).toBe(false);
      await app.services.mediaStore.put(`cache/share/${name}`, marked);
      const res = await other.server.inject(address);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(marked)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('gives a retitled post a new image address, and sends the old one there', async () => {
    const { id, slug } = await app.services.posts.create({
      title: 'Pegs and patience',
      body: 'Drying outside.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId,
    });
    const before = new URL(meta((await app.server.inject(`/${slug}/`)).body, 'og:image') ?? '').pathname;
    await app.services.posts.update(id, { title: 'Pegs, patience and a sunny line' });
    const after = new URL(meta((await app.server.inject(`/${slug}/`)).body, 'og:image') ?? '').pathname;
    expect(after).not.toBe(before);
    const old = await app.server.inject(before);
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe(after);
  });

  it('uses the feature image when there is one', async () => {
    const html = (await app.server.inject('/benefits-of-infant-massage/')).body;
    expect(meta(html, 'og:image')).toMatch(/^http:\/\/blog\.test\/media\//);
  });

  it('answers 404 for bad names, unknown posts and drafts', async () => {
    const { id } = await app.services.posts.create({
      title: 'Not yet',
      body: 'Draft.',
      status: 'draft',
      authorId,
    });
    for (const path of [
      '/share/nonsense.png',
      '/share/12.png',
      '/share/999999-0123456789.png',
      `/share/${id}-0123456789.png`,
      '/share/1-0123456789.png.svg',
      `/share/${'9'.repeat(30)}-0123456789.png`,
    ]) {
      const res = await app.server.inject(path);
      expect(res.statusCode, path).toBe(404);
    }
  });
});

describe('per-post SEO title and description', () => {
  it('shows them to search engines and shares instead of the title and excerpt, and can change them', async () => {
    const { id, slug } = await app.services.posts.create({
      title: 'Line drying',
      excerpt: 'Pegs.',
      body: 'Text.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId,
      seoTitle: 'How to dry laundry outdoors all year',
      seoDescription: 'A family of five dries everything outside, even in winter.',
    });
    let html = (await app.server.inject(`/${slug}/`)).body;
    expect(html).toContain('<title>How to dry laundry outdoors all year · Willowfold</title>');
    expect(meta(html, 'og:title')).toBe('How to dry laundry outdoors all year');
    expect(meta(html, 'description')).toBe('A family of five dries everything outside, even in winter.');
    expect(html).toContain('<h1');
    expect(html).toMatch(/<h1[^>]*>Line drying<\/h1>/);

    await app.services.posts.update(id, { seoTitle: null, seoDescription: '' });
    html = (await app.server.inject(`/${slug}/`)).body;
    expect(meta(html, 'og:title')).toBe('Line drying');
    expect(meta(html, 'description')).toBe('Pegs.');
  });
});

describe('editing a post', () => {
  it('leaves a permanent redirect from a public post’s old address, and follows chains', async () => {
    const { id, slug } = await app.services.posts.create({
      title: 'First name',
      body: 'Text.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId,
    });
    await app.services.posts.update(id, { slug: 'second-name' });
    await app.services.posts.update(id, { slug: 'third-name' });
    for (const old of [`/${slug}/`, '/second-name/']) {
      const res = await app.server.inject(old);
      expect(res.statusCode, old).toBe(301);
      expect(res.headers.location).toBe('/third-name/');
    }
    expect((await app.server.inject('/third-name/')).statusCode).toBe(200);
    // Taking an old name back makes it a post again, not a redirect.
    await app.services.posts.update(id, { slug: 'second-name' });
    expect((await app.server.inject('/second-name/')).statusCode).toBe(200);
    expect((await app.server.inject('/third-name/')).headers.location).toBe('/second-name/');
  });

  it('refuses a save made on an outdated copy, a taken slug and a bad time, changing nothing', async () => {
    const { id } = await app.services.posts.create({
      title: 'Shared draft',
      body: 'One.',
      status: 'draft',
      authorId,
    });
    const first = await app.services.posts.update(id, { body: 'Two.' });
    const stale = await app.database.db
      .selectFrom('posts')
      .select('updated_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await app.services.posts.update(id, { body: 'Three.', expectedUpdatedAt: stale.updated_at });
    await expect(
      app.services.posts.update(id, { body: 'Four.', expectedUpdatedAt: first.updatedAt }),
    ).rejects.toMatchObject({
      code: 'HEARTH_ERR_POST_CONFLICT',
    });
    await expect(app.services.posts.update(id, { slug: 'benefits-of-infant-massage' })).rejects.toMatchObject({
      code: 'HEARTH_ERR_SLUG_TAKEN',
    });
    await expect(app.services.posts.update(id, { status: 'published', publishedAt: 'soon' })).rejects.toMatchObject({
      fields: { publishedAt: 'This is not a valid date and time.' },
    });
    await expect(app.services.posts.update(999_999, { title: 'x' })).rejects.toMatchObject({
      code: 'HEARTH_ERR_POST_MISSING',
    });
    const row = await app.database.db
      .selectFrom('posts')
      .select(['body', 'slug', 'status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ body: 'Three.', slug: 'shared-draft', status: 'draft' });
  });
});

describe('feed autodiscovery', () => {
  it('links the site feeds on every page, and an archive’s own feeds on its pages', async () => {
    const html = (await app.server.inject('/category/green-living/')).body;
    for (const href of [
      '/feed.xml',
      '/atom.xml',
      '/feed.json',
      '/category/green-living/feed.xml',
      '/category/green-living/atom.xml',
      '/category/green-living/feed.json',
    ])
      expect(html).toContain(`href="${href}"`);
    expect(html).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Willowfold: Green Living" href="/category/green-living/atom.xml">',
    );
    const author =
      (await app.server.inject('/benefits-of-infant-massage/')).body.match(/rel="author" href="([^"]+)"/)?.[1] ?? '';
    expect((await app.server.inject(author)).body).toContain(`href="${author}feed.xml"`);
    for (const href of ['/category/green-living/feed.xml', `${author}feed.json`]) {
      expect((await app.server.inject(href)).statusCode, href).toBe(200);
    }
  });
});
