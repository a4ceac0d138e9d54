import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'a long enough password';
let app: App;
const clock = { now: new Date('2031-05-01T09:00:00.000Z') };
const people: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp({ demo: false }, { now: () => clock.now });
  for (const role of ['owner', 'editor', 'author', 'contributor'] as const) {
    const user = await app.services.users.create({
      name: `${role} Ülla`,
      email: `${role}@trash.example`,
      password: PASSWORD,
      role,
    });
    people[role] = user.id;
  }
  const other = await app.services.users.create({
    name: 'Other author',
    email: 'other@trash.example',
    password: PASSWORD,
    role: 'author',
  });
  people.other = other.id;
});
afterAll(async () => {
  await app?.close();
});

let lastIp = 0;
async function signedIn(who: string): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `198.51.100.${++lastIp}` });
  expect((await client.signIn(`${who}@trash.example`, PASSWORD)).statusCode).toBe(303);
  await client.get('/admin/posts');
  return client;
}

async function newPost(client: AdminClient, values: Record<string, string>): Promise<number> {
  await client.get('/admin/posts/new');
  const res = await client.post(`/admin/posts/new${values.type === 'page' ? '?type=page' : ''}`, {
    body: 'Words about the garden, tomatoes and rain.',
    status: 'draft',
    ...values,
  });
  expect(res.statusCode, res.body).toBe(303);
  return Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
}

const site = (url: string) => app.server.inject({ method: 'GET', url });

describe('the trash', () => {
  it('takes a published post off the site, its feed, sitemap and search, and restore brings it back', async () => {
    const editor = await signedIn('editor');
    const id = await newPost(editor, {
      title: 'Rain barrels in spring',
      slug: 'rain-barrels',
      status: 'published',
      publishedAt: '2031-04-01T08:00',
      tags: 'rain',
    });
    // Cached once, so that the trash must purge it.
    expect((await site('/rain-barrels/')).statusCode).toBe(200);
    expect((await site('/feed.xml')).body).toContain('Rain barrels in spring');
    expect((await site('/search/?q=barrels')).body).toContain('Rain barrels in spring');
    expect((await site('/tag/rain/')).body).toContain('Rain barrels in spring');

    const moved = await editor.post(`/admin/posts/${id}/trash`);
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe(`/admin/trash?moved=${id}`);
    const trashView = await editor.get(moved.headers.location as string);
    expect(trashView.body).toContain('“Rain barrels in spring” is in the trash.');
    expect(trashView.body).toContain(`action="/admin/trash/${id}/restore"`);
    expect(trashView.body).toContain('editor Ülla, 2031-05-01 09:00 UTC');
    expect(trashView.body).toContain('2031-05-31 09:00 UTC');

    expect((await site('/rain-barrels/')).statusCode).toBe(404);
    expect((await site('/feed.xml')).body).not.toContain('Rain barrels in spring');
    expect((await site('/search/?q=barrels')).body).not.toContain('Rain barrels in spring');
    expect((await site('/sitemap-posts-1.xml')).body).not.toContain('rain-barrels');
    expect((await editor.get('/admin/posts')).body).not.toContain('Rain barrels in spring');

    // The editor shows it as trashed and refuses to save it.
    const page = await editor.get(`/admin/posts/${id}`);
    expect(page.body).toContain('is in the trash');
    const save = await editor.post(`/admin/posts/${id}`, { title: 'Changed', body: 'x', status: 'published' });
    expect(save.statusCode).toBe(409);
    expect(save.body).toContain('is in the trash. Restore it before you change it.');

    const restored = await editor.post(`/admin/trash/${id}/restore`);
    expect(restored.statusCode).toBe(303);
    expect((await site('/rain-barrels/')).statusCode).toBe(200);
    expect((await site('/feed.xml')).body).toContain('Rain barrels in spring');
    expect((await site('/search/?q=barrels')).body).toContain('Rain barrels in spring');
    const row = await app.database.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('published');
    expect(row.trashed_at).toBeNull();

    const actions = (await app.services.audit.recent(20)).map((e) => e.action);
    expect(actions).toContain('post_trashed');
    expect(actions).toContain('post_restored');
  });

  it('takes a trashed post’s comments out of the moderation queue and the dashboard, and restore brings them back', async () => {
    const editor = await signedIn('editor');
    const id = await newPost(editor, {
      title: 'Compost in winter',
      slug: 'compost-in-winter',
      status: 'published',
      publishedAt: '2031-04-02T08:00',
    });
    await app.database.db
      .insertInto('comments')
      .values({
        post_id: id,
        author_name: 'Wren',
        author_email: 'wren@readers.example',
        body: 'Does the heap freeze solid in January?',
        status: 'pending',
        created_at: '2031-04-03T08:00:00.000Z',
      })
      .execute();
    const question = 'Does the heap freeze solid in January?';
    expect((await editor.get('/admin/comments?tab=pending')).body).toContain(question);
    expect((await editor.get('/admin')).body).toContain(question);

    expect((await editor.post(`/admin/posts/${id}/trash`)).statusCode).toBe(303);
    expect((await editor.get('/admin/comments?tab=pending')).body).not.toContain(question);
    expect((await editor.get('/admin')).body).not.toContain(question);
    expect((await app.services.moderation.counts()).pending).toBe(0);

    expect((await editor.post(`/admin/trash/${id}/restore`)).statusCode).toBe(303);
    expect((await editor.get('/admin/comments?tab=pending')).body).toContain(question);
    expect((await app.services.moderation.counts()).pending).toBe(1);
  });

  it('lets an author trash their own draft, not their published post nor someone else’s (403)', async () => {
    const author = await signedIn('author');
    const other = await signedIn('other');
    const mine = await newPost(author, { title: 'My draft about beans' });
    const published = await newPost(author, {
      title: 'My published beans',
      status: 'published',
      publishedAt: '2031-04-02T08:00',
    });
    const theirs = await newPost(other, { title: 'Their draft' });

    const foreign = await author.post(`/admin/posts/${theirs}/trash`);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).toContain(
      `may move only your own drafts to the trash, restore them or delete them; post ${theirs}`,
    );
    expect((await author.post(`/admin/posts/${published}/trash`)).statusCode).toBe(403);
    expect(await app.services.trash.isTrashed(theirs)).toBe(false);

    const token = await app.services.editorial.previewToken(
      { id: people.author as number, email: 'author@trash.example', role: 'author' },
      mine,
    );
    expect((await site(`/preview/${mine}/${token}`)).statusCode).toBe(200);
    expect((await author.post(`/admin/posts/${mine}/trash`)).statusCode).toBe(303);
    // Its private preview link shows nothing while it is in the trash.
    expect((await site(`/preview/${mine}/${token}`)).statusCode).toBe(404);
    // The other author sees none of it in their trash, and cannot restore or delete it.
    expect((await other.get('/admin/trash')).body).not.toContain('My draft about beans');
    expect((await other.post(`/admin/trash/${mine}/restore`)).statusCode).toBe(403);
    expect((await other.post(`/admin/trash/${mine}/delete`)).statusCode).toBe(403);
    expect((await other.get(`/admin/trash/${mine}/delete`)).statusCode).toBe(404);
    // No CSRF token: refused, still in the trash.
    expect((await author.post(`/admin/trash/${mine}/restore`, { _csrf: null })).statusCode).toBe(403);
    expect(await app.services.trash.isTrashed(mine)).toBe(true);
    // Restoring something not in the trash, or not there at all.
    expect((await author.post(`/admin/trash/${published}/restore`)).statusCode).toBe(409);
    expect((await author.post('/admin/trash/999999/restore')).statusCode).toBe(404);

    expect((await author.post(`/admin/trash/${mine}/restore`)).statusCode).toBe(303);
    expect(await app.services.trash.isTrashed(mine)).toBe(false);
  });

  it('keeps a trashed post’s slug reserved: taking it is refused naming the slug, restoring it works', async () => {
    const editor = await signedIn('editor');
    const id = await newPost(editor, {
      title: 'Compost heaps',
      slug: 'compost',
      status: 'published',
      publishedAt: '2031-04-03T08:00',
    });
    expect((await editor.post(`/admin/posts/${id}/trash`)).statusCode).toBe(303);
    await editor.get('/admin/posts/new');
    const taken = await editor.post('/admin/posts/new', {
      title: 'Compost again',
      slug: 'compost',
      body: 'x',
      status: 'draft',
    });
    expect(taken.statusCode).toBe(409);
    expect(fieldError(taken.body, 'post-slug')).toContain(
      'The slug &#34;compost&#34; belongs to &#34;Compost heaps&#34;, which is in the trash.',
    );
    // A page cannot take it either.
    const asPage = await editor.post('/admin/posts/new?type=page', {
      title: 'Compost',
      slug: 'compost',
      body: 'x',
      status: 'draft',
    });
    expect(asPage.statusCode).toBe(409);
    expect((await editor.post(`/admin/trash/${id}/restore`)).statusCode).toBe(303);
    expect((await site('/compost/')).statusCode).toBe(200);
  });

  it('deletes forever after a confirmation page, with comments, revisions and tag links; photos stay', async () => {
    const editor = await signedIn('editor');
    const id = await newPost(editor, {
      title: 'Leeks',
      slug: 'leeks',
      status: 'published',
      publishedAt: '2031-04-04T08:00',
      tags: 'winter',
    });
    const db = app.database.db;
    await db
      .insertInto('comments')
      .values({
        post_id: id,
        parent_id: null,
        author_name: 'Reader',
        author_email: null,
        author_website: null,
        body: 'Nice leeks.',
        body_html: '<p>Nice leeks.</p>',
        status: 'approved',
        created_at: clock.now.toISOString(),
        ip_hash: null,
        user_agent: null,
        body_hash: null,
        spam_reasons: null,
        spam_score: null,
        trained_as: null,
        staff_user_id: null,
      })
      .execute();
    const media = (
      await db
        .selectFrom('media')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
    )?.n;
    // An old address (as an import leaves one) leads to it until it is deleted for good.
    await db
      .insertInto('redirects')
      .values({
        from_path: '/2019/04/leeks-old/',
        to_path: '/leeks/',
        status_code: 301,
        created_at: '2031-04-04T08:00:00.000Z',
      })
      .execute();
    expect((await site('/2019/04/leeks-old/')).headers.location).toBe('/leeks/');
    expect((await editor.post(`/admin/posts/${id}/trash`)).statusCode).toBe(303);
    const confirm = await editor.get(`/admin/trash/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('This cannot be undone.');
    const gone = await editor.post(`/admin/trash/${id}/delete`);
    expect(gone.statusCode).toBe(303);
    expect((await editor.get(gone.headers.location as string)).body).toContain('The post is deleted for good.');
    expect(await db.selectFrom('posts').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('comments').select('id').where('post_id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('revisions').select('id').where('post_id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('post_tags').select('tag_id').where('post_id', '=', id).execute()).toEqual([]);
    expect(
      (
        await db
          .selectFrom('media')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst()
      )?.n,
    ).toBe(media);
    // The old address no longer leads to a page that is not there.
    expect((await site('/2019/04/leeks-old/')).statusCode).toBe(404);
    expect(await db.selectFrom('redirects').select('id').where('to_path', '=', '/leeks/').execute()).toEqual([]);
    // The slug is free again.
    expect(await newPost(editor, { title: 'Leeks again', slug: 'leeks' })).toBeGreaterThan(id);
    // Twice: not in the trash any more.
    expect((await editor.post(`/admin/trash/${id}/delete`)).statusCode).toBe(404);
  });

  it('purges what has been in the trash 30 days, once, on the scheduler’s clock', async () => {
    const editor = await signedIn('editor');
    const old = await newPost(editor, { title: 'Old potatoes' });
    expect((await editor.post(`/admin/posts/${old}/trash`)).statusCode).toBe(303);
    clock.now = new Date(clock.now.getTime() + 20 * 86_400_000);
    const later = await signedIn('editor');
    const young = await newPost(later, { title: 'Young potatoes' });
    expect((await later.post(`/admin/posts/${young}/trash`)).statusCode).toBe(303);

    clock.now = new Date(clock.now.getTime() + 9 * 86_400_000);
    expect(await app.services.trash.purgeDue()).toEqual([]);
    clock.now = new Date(clock.now.getTime() + 2 * 86_400_000);
    // Two instances at once: each post is deleted by one of them.
    const [a, b] = await Promise.all([app.services.trash.purgeDue(), app.services.trash.purgeDue()]);
    // (The server's own scheduler may have been first: then neither call found it.)
    expect([...a, ...b].filter((x) => x === old).length).toBeLessThanOrEqual(1);
    expect(await app.services.trash.isTrashed(old)).toBeUndefined();
    expect(await app.services.trash.isTrashed(young)).toBe(true);
    // The scheduler runs the purge too.
    clock.now = new Date(clock.now.getTime() + 20 * 86_400_000);
    await app.scheduler.runDue();
    expect(await app.services.trash.isTrashed(young)).toBeUndefined();
    const audit = await app.services.audit.recent(50);
    expect(audit.some((e) => e.action === 'post_deleted' && e.subject === `post:${old}` && e.actorId === null)).toBe(
      true,
    );
  });

  it('moves pages to the trash too, off the site', async () => {
    const editor = await signedIn('editor');
    const id = await newPost(editor, {
      type: 'page',
      title: 'About the garden',
      slug: 'about-garden',
      status: 'published',
      publishedAt: '2031-04-05T08:00',
    });
    expect((await site('/about-garden/')).statusCode).toBe(200);
    expect((await editor.post(`/admin/posts/${id}/trash`)).statusCode).toBe(303);
    expect((await site('/about-garden/')).statusCode).toBe(404);
    expect((await editor.get('/admin/pages')).body).not.toContain('About the garden');
    expect((await editor.get('/admin/trash')).body).toContain('About the garden');
    expect((await editor.post(`/admin/trash/${id}/restore`)).statusCode).toBe(303);
    expect((await site('/about-garden/')).statusCode).toBe(200);
  });
});
