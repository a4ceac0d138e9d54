import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { createTestApp, form } from '../helpers/app.js';

let app: App;
let postId: number;

beforeAll(async () => {
  app = await createTestApp();
  const post = await app.database.db
    .selectFrom('posts')
    .select('id')
    .where('slug', '=', 'benefits-of-infant-massage')
    .executeTakeFirstOrThrow();
  postId = post.id;
});
afterAll(async () => {
  await app?.close();
});

const countComments = async () =>
  Number(
    (
      await app.database.db
        .selectFrom('comments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const post = (fields: Record<string, string>) =>
  app.server.inject({ method: 'POST', url: '/comments', ...form(fields) });

describe('the comment form', () => {
  it('stores a pending comment and says it awaits moderation', async () => {
    const before = await countComments();
    const res = await post({
      post_id: String(postId),
      name: 'Rosa',
      email: 'rosa@example.org',
      website: 'https://rosa.example.org',
      body: 'Lovely post, thank you.',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/benefits-of-infant-massage/?comment=pending#respond');
    expect(await countComments()).toBe(before + 1);
    const stored = await app.database.db
      .selectFrom('comments')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      status: 'pending',
      author_name: 'Rosa',
      author_email: 'rosa@example.org',
      post_id: postId,
    });
    expect(stored.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.ip_hash).not.toContain('127.0.0.1');

    const page = await app.server.inject(res.headers.location as string);
    expect(page.body).toContain('awaiting moderation');
    expect(page.body).not.toContain('Lovely post, thank you.');
  });

  const bad: [string, Record<string, string>, string][] = [
    ['missing name', { name: '', body: 'Hello' }, 'name'],
    ['missing text', { name: 'Ann', body: '   ' }, 'body'],
    ['text over 10,000 characters', { name: 'Ann', body: 'x'.repeat(10_001) }, 'body'],
    ['a malformed email', { name: 'Ann', email: 'ann@', body: 'Hello' }, 'email'],
    ['a website that is not http(s)', { name: 'Ann', website: 'javascript:alert(1)', body: 'Hello' }, 'website'],
    ['a name with a line break', { name: 'Ann\r\nBcc: x@example.org', body: 'Hello' }, 'name'],
  ];
  for (const [what, fields, field] of bad) {
    it(`refuses ${what} with 400, the error next to the field, the input kept, nothing stored`, async () => {
      const before = await countComments();
      const res = await post({ post_id: String(postId), ...fields });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(`id="comment-${field}-error"`);
      expect(res.body).toMatch(new RegExp(`id="comment-${field}"[^>]*aria-invalid="true"`));
      if (fields.name && field !== 'name') expect(res.body).toContain(`value="${fields.name}"`);
      if (fields.body && field !== 'body') expect(res.body).toContain(`>${fields.body}</textarea>`);
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(await countComments()).toBe(before);
    });
  }

  it('refuses a comment on a post that does not exist', async () => {
    const before = await countComments();
    for (const id of ['999999', 'abc', '', '-1']) {
      const res = await post({ post_id: id, name: 'Ann', body: 'Hello' });
      expect(res.statusCode, id).toBe(400);
      expect(res.body).toContain('does not exist');
    }
    expect(await countComments()).toBe(before);
  });

  it('keeps script typed into the form as text', async () => {
    const res = await post({
      post_id: String(postId),
      name: '<script>alert(1)</script>',
      email: 'bad',
      body: '<img src=x onerror=alert(1)>',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('page cache', () => {
  it('keeps the post page until a comment on it is approved, and only that page is rendered again', async () => {
    const url = '/benefits-of-infant-massage/';
    const other = (
      await app.database.db
        .selectFrom('posts')
        .select('slug')
        .where('id', '!=', postId)
        .where('type', '=', 'post')
        .executeTakeFirstOrThrow()
    ).slug;
    const first = await app.server.inject(url);
    const otherFirst = await app.server.inject(`/${other}/`);
    expect(app.cache.get(url)).toBeDefined();

    const res = await post({ post_id: String(postId), name: 'Mira', body: 'Approved later on.' });
    expect(res.statusCode).toBe(303);
    expect((await app.server.inject(url)).headers.etag).toBe(first.headers.etag);

    const id = (
      await app.database.db
        .selectFrom('comments')
        .select('id')
        .where('author_name', '=', 'Mira')
        .executeTakeFirstOrThrow()
    ).id;
    await app.services.comments.setStatus(id, 'approved');
    expect(app.cache.get(url)).toBeUndefined();
    expect(app.cache.get(`/${other}/`)?.etag).toBe(otherFirst.headers.etag);

    const after = await app.server.inject(url);
    expect(after.headers.etag).not.toBe(first.headers.etag);
    expect(after.body).toContain('Approved later on.');
    expect(after.body).toContain(`id="comment-${id}"`);
  });

  it('drops every list when a post is published', async () => {
    const home = await app.server.inject('/');
    const author = await app.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    await app.services.posts.create({
      title: 'A brand new post',
      body: 'Fresh words.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000).toISOString(),
      authorId: author.id,
    });
    const again = await app.server.inject('/');
    expect(again.headers.etag).not.toBe(home.headers.etag);
    expect(again.body).toContain('A brand new post');
  });
});

describe('text no database can store', () => {
  it('refuses NUL and other control characters in any field, storing nothing', async () => {
    const before = await countComments();
    const cases: Record<string, string>[] = [
      { name: 'A\u0000B', body: 'Hello' },
      { name: 'Ann', email: 'a\u0000b@example.org', body: 'Hello' },
      { name: 'Ann', website: 'https://example.org/\u0000', body: 'Hello' },
      { name: 'Ann', body: 'Hel\u0000lo' },
    ];
    for (const fields of cases) {
      const res = await post({ post_id: String(postId), ...fields });
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
    }
    expect(await countComments()).toBe(before);
  });
});

describe('settings changes', () => {
  it('drop every cached page, which then shows the new title', async () => {
    const before = await app.server.inject('/');
    expect(before.body).toContain('<title>Willowfold</title>');
    await app.services.settings.update({ title: 'Willowfold Revisited', postsPerPage: 5 });
    const after = await app.server.inject('/');
    expect(after.body).toContain('<title>Willowfold Revisited</title>');
    expect((after.body.match(/<article class="card">/g) ?? []).length).toBe(5);
  });
});
