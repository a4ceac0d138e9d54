import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
let admin: AdminClient;

beforeAll(async () => {
  app = await createTestApp();
  for (const role of ['administrator', 'author'] as const) {
    await app.services.users.create({ name: `${role} person`, email: `${role}@example.org`, password: PASSWORD, role });
  }
  admin = new AdminClient(app.server, { ip: '192.0.2.10' });
  expect((await admin.signIn('administrator@example.org', PASSWORD)).statusCode).toBe(303);
});
afterAll(async () => {
  await app?.close();
});

const db = () => app.database.db;
const categoryId = async (slug: string) =>
  (await db().selectFrom('categories').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
const tagId = async (slug: string) =>
  (await db().selectFrom('tags').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
const postsWithTag = async (id: number) =>
  (await db().selectFrom('post_tags').select('post_id').where('tag_id', '=', id).execute()).map((r) => r.post_id);

describe('categories', () => {
  it('lists categories with their post counts, and refuses an author', async () => {
    const res = await admin.get('/admin/categories');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Green Living');
    expect(res.body).toMatch(/data-label="Posts">[1-9]/);
    const author = new AdminClient(app.server, { ip: '192.0.2.11' });
    await author.signIn('author@example.org', PASSWORD);
    expect((await author.get('/admin/categories')).statusCode).toBe(403);
    expect((await author.post('/admin/categories', { name: 'Sneaky' })).statusCode).toBe(403);
  });

  it('creates a category, and refuses a taken slug naming the field', async () => {
    await admin.get('/admin/categories');
    const created = await admin.post('/admin/categories', { name: 'Crafts', slug: '' });
    expect(created.statusCode).toBe(303);
    expect(await categoryId('crafts')).toBeGreaterThan(0);
    await admin.get('/admin/categories');
    const taken = await admin.post('/admin/categories', { name: 'Other', slug: 'green-living' });
    expect(taken.statusCode).toBe(409);
    expect(fieldError(taken.body, 'new-slug')).toContain(
      'Another category already has the slug &#34;green-living&#34;',
    );
  });

  it('renames a category; its old archive address answers 301 to the new one, page 2 too', async () => {
    const id = await categoryId('family-kitchen');
    await admin.get(`/admin/categories/${id}`);
    // Seen once so that the page cache holds the old address.
    expect((await app.server.inject('/category/family-kitchen/')).statusCode).toBe(200);
    const res = await admin.post(`/admin/categories/${id}`, { name: 'Kitchen', slug: 'kitchen', description: '' });
    expect(res.statusCode).toBe(303);
    const old = await app.server.inject('/category/family-kitchen/');
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe('/category/kitchen/');
    expect((await app.server.inject('/category/family-kitchen/page/2/')).headers.location).toBe(
      '/category/kitchen/page/2/',
    );
    const now = await app.server.inject('/category/kitchen/');
    expect(now.statusCode).toBe(200);
    expect(now.body).toContain('Kitchen');
  });

  it('refuses renaming to a slug another category has, changing nothing', async () => {
    const id = await categoryId('green-living');
    await admin.get(`/admin/categories/${id}`);
    const res = await admin.post(`/admin/categories/${id}`, { name: 'Greener', slug: 'home-garden' });
    expect(res.statusCode).toBe(409);
    expect(fieldError(res.body, 'rename-slug')).toContain('home-garden');
    const row = await db().selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.name).toBe('Green Living');
    const bad = await admin.post(`/admin/categories/${id}`, { name: '', slug: 'Not A Slug' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'rename-name')).toBe('Please enter a name.');
  });

  it('merges a category into another: its posts move, it is gone, its archive redirects', async () => {
    const from = await categoryId('home-garden');
    const into = await categoryId('green-living');
    const moving = await db().selectFrom('posts').select('id').where('category_id', '=', from).execute();
    expect(moving.length).toBeGreaterThan(0);
    await admin.get(`/admin/categories/${from}`);
    const self = await admin.post(`/admin/categories/${from}/merge`, { into: String(from) });
    expect(self.statusCode).toBe(400);
    expect(fieldError(self.body, 'merge-into')).toBe(
      'A category cannot be merged into itself. Choose another category.',
    );
    const res = await admin.post(`/admin/categories/${from}/merge`, { into: String(into) });
    expect(res.statusCode).toBe(303);
    const after = await db()
      .selectFrom('posts')
      .select('category_id')
      .where(
        'id',
        'in',
        moving.map((m) => m.id),
      )
      .execute();
    expect(after.every((p) => p.category_id === into)).toBe(true);
    expect((await app.server.inject('/category/home-garden/')).headers.location).toBe('/category/green-living/');
  });

  it('deletes a category leaving its posts uncategorised, and 404s a missing one', async () => {
    const id = await categoryId('natural-parenting');
    const posts = await db().selectFrom('posts').select('id').where('category_id', '=', id).execute();
    await admin.get(`/admin/categories/${id}`);
    expect((await admin.post(`/admin/categories/${id}/delete`, { moveTo: '' })).statusCode).toBe(303);
    const left = await db()
      .selectFrom('posts')
      .select('category_id')
      .where(
        'id',
        'in',
        posts.map((p) => p.id),
      )
      .execute();
    expect(left.length).toBe(posts.length);
    expect(left.every((p) => p.category_id === null)).toBe(true);
    const missing = await admin.post('/admin/categories/999999/delete', { moveTo: '' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('There is no category with the id 999999.');
  });

  it('is recorded in the audit log', async () => {
    const events = await app.services.audit.recent(50);
    expect(events.some((e) => e.action === 'taxonomy_changed' && e.details.change === 'merged')).toBe(true);
  });
});

describe('tags', () => {
  it('merges a tag into another: each post keeps one link, and is listed under the target', async () => {
    const from = await tagId('toddlers');
    const into = await tagId('babies');
    const fromPosts = await postsWithTag(from);
    const intoPosts = await postsWithTag(into);
    await admin.get(`/admin/tags/${from}`);
    const self = await admin.post(`/admin/tags/${from}/merge`, { into: String(from) });
    expect(self.statusCode).toBe(400);
    expect(await postsWithTag(from)).toEqual(fromPosts);
    const res = await admin.post(`/admin/tags/${from}/merge`, { into: String(into) });
    expect(res.statusCode).toBe(303);
    const merged = await postsWithTag(into);
    expect(new Set(merged)).toEqual(new Set([...fromPosts, ...intoPosts]));
    expect(merged.length).toBe(new Set(merged).size);
    const page = await app.server.inject('/tag/babies/');
    expect(page.statusCode).toBe(200);
    const titles = await db().selectFrom('posts').select('title').where('id', 'in', fromPosts).execute();
    const escaped = (t: string) => t.replaceAll('&', '&amp;').replaceAll("'", '&#39;');
    expect(titles.some((t) => page.body.includes(escaped(t.title)))).toBe(true);
    expect((await app.server.inject('/tag/toddlers/')).headers.location).toBe('/tag/babies/');
  });

  it('renames a tag with a redirect, and refuses a duplicate slug', async () => {
    const id = await tagId('mending');
    await admin.get(`/admin/tags/${id}`);
    const dup = await admin.post(`/admin/tags/${id}`, { name: 'Mending', slug: 'sewing' });
    expect(dup.statusCode).toBe(409);
    expect(fieldError(dup.body, 'rename-slug')).toContain('Another tag already has the slug &#34;sewing&#34;');
    expect((await admin.post(`/admin/tags/${id}`, { name: 'Repair', slug: 'repair' })).statusCode).toBe(303);
    expect((await app.server.inject('/tag/mending/')).headers.location).toBe('/tag/repair/');
    // The search index knows the post by its new tag.
    const hits = await app.server.inject('/search/?q=repair');
    expect(hits.statusCode).toBe(200);
  });

  it('deletes a tag; its posts stay', async () => {
    const id = await tagId('sewing');
    const posts = await postsWithTag(id);
    await admin.get(`/admin/tags/${id}`);
    expect((await admin.post(`/admin/tags/${id}/delete`, {})).statusCode).toBe(303);
    expect(await db().selectFrom('tags').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    const still = await db().selectFrom('posts').select('id').where('id', 'in', posts).execute();
    expect(still.length).toBe(posts.length);
  });
});
