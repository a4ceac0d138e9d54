import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { labelledPosts } from '../fixtures/related-topics.js';
import { createTestApp } from '../helpers/app.js';

/** The titles under "You might also like" on a post's page. */
async function suggestions(app: App, slug: string): Promise<string[]> {
  const res = await app.server.inject(`/${slug}/`);
  expect(res.statusCode, slug).toBe(200);
  const section = res.body.match(/<section[^>]*class="related"[\s\S]*?<\/section>/)?.[0] ?? '';
  return [...section.matchAll(/<h3[^>]*>\s*<a[^>]*>([^<]+)<\/a>/g)].map((m) =>
    (m[1] ?? '').trim().replaceAll('&#39;', "'").replaceAll('&amp;', '&'),
  );
}

describe('related posts on the demo site', () => {
  let app: App;
  let authorId: number;
  beforeAll(async () => {
    app = await createTestApp();
    authorId = (await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows three related posts, and takes a new post in at once, one post at a time', async () => {
    const before = await suggestions(app, 'benefits-of-infant-massage');
    expect(before).toHaveLength(3);
    const created = await app.services.posts.create({
      title: 'Infant massage for colic and sleep',
      body: 'Massage your baby with warm oil: gentle strokes on the tummy ease colic, and infant massage before sleep calms a fussy baby. Massage strokes for legs and back.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId,
      tags: ['Massage', 'Babies'],
    });
    expect((await suggestions(app, 'benefits-of-infant-massage'))[0]).toBe('Infant massage for colic and sleep');
    expect(await suggestions(app, created.slug)).toContain('Benefits of Infant Massage');

    // Unpublished, it leaves every list, and the lists are filled again.
    await app.services.posts.update(created.id, { status: 'draft' });
    const after = await suggestions(app, 'benefits-of-infant-massage');
    expect(after).not.toContain('Infant massage for colic and sleep');
    expect(after).toHaveLength(3);
  });

  it('puts pinned posts first and never shows excluded ones', async () => {
    const post = await app.services.posts.publishedBySlug('benefits-of-infant-massage');
    if (!post) throw new Error('demo post missing');
    const shown = await suggestions(app, post.slug);
    const about = await app.database.db
      .selectFrom('posts')
      .select(['id', 'title'])
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .where('id', '!=', post.id)
      .where('title', 'not in', shown)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const first = await app.database.db
      .selectFrom('posts')
      .select('id')
      .where('title', '=', shown[0] ?? '')
      .executeTakeFirstOrThrow();
    await app.services.related.setOverrides(post.id, { pin: [about.id], exclude: [first.id] });
    const now = await suggestions(app, post.slug);
    expect(now[0]).toBe(about.title);
    expect(now).not.toContain(shown[0]);
    expect(now).toHaveLength(3);

    await app.services.related.setOverrides(post.id, { pin: [], exclude: [] });
    expect(await suggestions(app, post.slug)).toEqual(shown);
  });

  it('keeps pins in their order, lets enough pins fill the list alone, and passes over a pin that is not public', async () => {
    const post = await app.services.posts.publishedBySlug('benefits-of-infant-massage');
    if (!post) throw new Error('demo post missing');
    const shown = await suggestions(app, post.slug);
    const others = await app.database.db
      .selectFrom('posts')
      .select(['id', 'title'])
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .where('id', '!=', post.id)
      .orderBy('id', 'desc')
      .execute();
    const [a, b, c, d] = others as [(typeof others)[0], (typeof others)[0], (typeof others)[0], (typeof others)[0]];

    // Two pins, in the writer's order, then the best suggestion not pinned.
    await app.services.related.setOverrides(post.id, { pin: [b.id, a.id], exclude: [] });
    const two = await suggestions(app, post.slug);
    expect(two.slice(0, 2)).toEqual([b.title, a.title]);
    expect(two[2]).toBe(shown.find((title) => title !== a.title && title !== b.title));

    // Four pins: the first three, and no suggestion.
    await app.services.related.setOverrides(post.id, { pin: [c.id, a.id, d.id, b.id], exclude: [] });
    expect(await suggestions(app, post.slug)).toEqual([c.title, a.title, d.title]);

    // A pinned post taken back to draft is passed over; the next pin moves up.
    await app.services.posts.update(c.id, { status: 'draft' });
    expect(await suggestions(app, post.slug)).toEqual([a.title, d.title, b.title]);

    await app.services.posts.update(c.id, { status: 'published' });
    await app.services.related.setOverrides(post.id, { pin: [], exclude: [] });
    expect(await suggestions(app, post.slug)).toEqual(shown);
  });

  it('refuses pins of itself, of missing posts, of too many, or both pinned and excluded, changing nothing', async () => {
    const post = await app.services.posts.publishedBySlug('benefits-of-infant-massage');
    if (!post) throw new Error('demo post missing');
    const others = await app.database.db.selectFrom('posts').select('id').where('id', '!=', post.id).execute();
    const ids = others.map((o) => o.id);
    await expect(app.services.related.setOverrides(post.id, { pin: [post.id], exclude: [] })).rejects.toThrow(/itself/);
    await expect(app.services.related.setOverrides(post.id, { pin: [999_999], exclude: [] })).rejects.toThrow(
      /no post with the id 999999/,
    );
    await expect(app.services.related.setOverrides(post.id, { pin: ids.slice(0, 7), exclude: [] })).rejects.toThrow(
      /At most 6/,
    );
    await expect(
      app.services.related.setOverrides(post.id, { pin: [ids[0] ?? 0], exclude: [ids[0] ?? 0] }),
    ).rejects.toThrow(/both pinned and excluded/);
    expect(await app.services.related.overrides(post.id)).toEqual({ pin: [], exclude: [] });
  });
});

describe('related posts on a labelled set of posts with known topics', () => {
  let app: App;
  const topicOf = new Map<number, string>();
  const slugs = new Map<number, string>();
  beforeAll(async () => {
    app = await createTestApp({ demo: false });
    const author = await app.services.users.create({ name: 'Test Writer', email: 'w@example.org', role: 'author' });
    const categories = new Map<string, number>();
    for (const post of labelledPosts()) {
      let categoryId = categories.get(post.category);
      if (categoryId === undefined) {
        categoryId = (await app.services.taxonomy.createCategory({ name: post.category })).id;
        categories.set(post.category, categoryId);
      }
      const { id, slug } = await app.services.posts.create({
        title: post.title,
        body: post.body,
        status: 'published',
        publishedAt: post.publishedAt,
        authorId: author.id,
        categoryId,
        tags: post.tags,
      });
      topicOf.set(id, post.topic);
      slugs.set(id, slug);
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  /** Share of the three suggestions on each page that are on the page's own topic. */
  async function precision(): Promise<number> {
    let good = 0;
    let shown = 0;
    for (const [id, topic] of topicOf) {
      const post = await app.services.posts.publishedById(id);
      if (!post) throw new Error(`post ${id} missing`);
      const related = await app.services.posts.related(post, 3);
      expect(related).toHaveLength(3);
      shown += related.length;
      good += related.filter((r) => topicOf.get(r.id) === topic).length;
    }
    return good / shown;
  }

  /** The same for what Hearth did before: same category counts 2, each shared tag 1, then newest. */
  async function baselinePrecision(): Promise<number> {
    const posts = await Promise.all([...topicOf.keys()].map((id) => app.services.posts.publishedById(id)));
    let good = 0;
    for (const p of posts) {
      if (!p) throw new Error('missing');
      const scored = posts
        .filter((q) => q && q.id !== p.id)
        .map((q) => {
          if (!q) throw new Error('missing');
          const shared = q.tags.filter((t) => p.tags.some((u) => u.id === t.id)).length;
          return { q, score: (q.category?.id === p.category?.id ? 2 : 0) + shared };
        })
        .sort((a, b) => b.score - a.score || (b.q.publishedAt ?? '').localeCompare(a.q.publishedAt ?? ''));
      good += scored.slice(0, 3).filter((s) => topicOf.get(s.q.id) === topicOf.get(p.id)).length;
    }
    return good / (posts.length * 3);
  }

  it('suggests posts on the same topic (precision at 3), kept one post at a time as close as a full rebuild', async () => {
    const incremental = await precision();
    await app.services.related.rebuild();
    const rebuilt = await precision();
    const baseline = await baselinePrecision();
    const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
    console.log(
      `related posts, ${topicOf.size} labelled posts on 8 topics: precision@3 ${pct(incremental)} kept post by post, ${pct(rebuilt)} after a full rebuild; category and tags alone: ${pct(baseline)}`,
    );
    expect(incremental).toBeGreaterThanOrEqual(0.8);
    expect(rebuilt).toBeGreaterThanOrEqual(0.8);
    expect(incremental).toBeGreaterThan(baseline + 0.1);
    expect(Math.abs(incremental - rebuilt)).toBeLessThan(0.05);
  });

  it('answers the same through the post page', async () => {
    const [id, slug] = [...slugs][0] ?? [0, ''];
    const post = await app.services.posts.publishedById(id);
    if (!post) throw new Error('missing');
    const titles = (await app.services.posts.related(post, 3)).map((r) => r.title);
    expect(await suggestions(app, slug)).toEqual(titles);
  });
});
