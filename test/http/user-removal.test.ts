import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'a long enough password';
let app: App;
const ids: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp({ demo: false });
  for (const [key, role] of [
    ['owner', 'owner'],
    ['admin', 'administrator'],
    ['editor', 'editor'],
    ['ada', 'author'],
    ['bo', 'author'],
    ['cy', 'author'],
  ] as const) {
    ids[key] = (
      await app.services.users.create({
        name: `${key} Ström`,
        email: `${key}@people.example`,
        password: PASSWORD,
        role,
      })
    ).id;
  }
});
afterAll(async () => {
  await app?.close();
});

let lastIp = 0;
async function signedIn(who: string): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `203.0.113.${++lastIp}` });
  expect((await client.signIn(`${who}@people.example`, PASSWORD)).statusCode).toBe(303);
  await client.get('/admin/posts');
  return client;
}

async function postBy(authorId: number, slug: string, status: 'draft' | 'published' = 'published') {
  return (
    await app.services.posts.create({
      title: `Post ${slug}`,
      slug,
      body: 'Some words.',
      status,
      publishedAt: status === 'published' ? '2026-01-01T00:00:00.000Z' : null,
      authorId,
    })
  ).id;
}

const authorOf = async (id: number) =>
  await app.database.db
    .selectFrom('posts')
    .select(['author_id', 'trashed_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('removing users', () => {
  it('gives the removed user’s posts to the person chosen and signs them out at once', async () => {
    const post = await postBy(ids.ada as number, 'ada-one');
    const ada = await signedIn('ada');
    expect((await ada.get('/admin/posts')).statusCode).toBe(200);
    const admin = await signedIn('admin');
    const page = await admin.get(`/admin/users/${ids.ada}/remove`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('They wrote 1 post(s) and page(s).');
    const res = await admin.post(`/admin/users/${ids.ada}/remove`, {
      posts: 'reassign',
      reassignTo: String(ids.editor),
    });
    expect(res.statusCode).toBe(303);
    expect((await admin.get(res.headers.location as string)).body).toContain('ada@people.example is removed.');
    expect((await authorOf(post)).author_id).toBe(ids.editor);
    expect((await app.server.inject({ url: '/ada-one/' })).statusCode).toBe(200);
    // Their session is over: the next request is sent to sign in.
    const after = await ada.get('/admin/posts');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toContain('/admin/login');
    expect((await ada.signIn('ada@people.example', PASSWORD)).statusCode).not.toBe(303);
    const event = (await app.services.audit.recent(10)).find((e) => e.action === 'user_removed');
    expect(event?.details).toMatchObject({ email: 'ada@people.example', posts: 1, to: `user:${ids.editor}` });
  });

  it('moves the removed user’s posts to the trash, off the site', async () => {
    const post = await postBy(ids.bo as number, 'bo-one');
    const draft = await postBy(ids.bo as number, 'bo-two', 'draft');
    expect((await app.server.inject({ url: '/bo-one/' })).statusCode).toBe(200);
    const owner = await signedIn('owner');
    await owner.get(`/admin/users/${ids.bo}/remove`);
    expect((await owner.post(`/admin/users/${ids.bo}/remove`, { posts: 'trash' })).statusCode).toBe(303);
    expect((await app.server.inject({ url: '/bo-one/' })).statusCode).toBe(404);
    for (const id of [post, draft]) {
      const row = await authorOf(id);
      expect(row.trashed_at).not.toBeNull();
      expect(row.author_id).toBe(ids.owner);
    }
    const trash = await owner.get('/admin/trash');
    expect(trash.body).toContain('Post bo-one');
    expect((await owner.post(`/admin/trash/${post}/restore`)).statusCode).toBe(303);
    expect((await app.server.inject({ url: '/bo-one/' })).statusCode).toBe(200);
  });

  it('refuses to remove the owner, oneself, or to give posts to a user who does not exist (400 naming the field)', async () => {
    const admin = await signedIn('admin');
    const owner = await admin.post(`/admin/users/${ids.owner}/remove`, { posts: 'trash' });
    expect(owner.statusCode).toBe(403);
    expect(owner.body).toContain('The owner cannot be removed.');
    expect((await admin.get(`/admin/users/${ids.owner}/remove`)).statusCode).toBe(403);
    const self = await admin.post(`/admin/users/${ids.admin}/remove`, { posts: 'trash' });
    expect(self.statusCode).toBe(403);
    expect(self.body).toContain('You cannot remove yourself.');

    const post = await postBy(ids.cy as number, 'cy-one');
    await admin.get(`/admin/users/${ids.cy}/remove`);
    const nobody = await admin.post(`/admin/users/${ids.cy}/remove`, { posts: 'reassign', reassignTo: '999999' });
    expect(nobody.statusCode).toBe(400);
    expect(fieldError(nobody.body, 'remove-reassignTo')).toContain('There is no user 999999 to give the posts to.');
    const toThemselves = await admin.post(`/admin/users/${ids.cy}/remove`, {
      posts: 'reassign',
      reassignTo: String(ids.cy),
    });
    expect(toThemselves.statusCode).toBe(400);
    const noChoice = await admin.post(`/admin/users/${ids.cy}/remove`, { posts: 'burn' });
    expect(noChoice.statusCode).toBe(400);
    expect(fieldError(noChoice.body, 'remove-posts')).toContain('Choose whether their posts go');
    // Nothing was half done.
    expect((await authorOf(post)).author_id).toBe(ids.cy);
    expect(
      await app.database.db
        .selectFrom('users')
        .select('id')
        .where('id', '=', ids.cy as number)
        .executeTakeFirst(),
    ).toBeDefined();
    expect((await admin.post('/admin/users/999999/remove', { posts: 'trash' })).statusCode).toBe(404);
    // An editor may not remove anyone.
    const editor = await signedIn('editor');
    expect((await editor.post(`/admin/users/${ids.cy}/remove`, { posts: 'trash' })).statusCode).toBe(403);
  });
});
