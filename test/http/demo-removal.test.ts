import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MARKER } from '../../src/domain/demo/index.js';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp, form } from '../helpers/app.js';

const PASSWORD = 'a long enough password';
const apps: App[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function withDemo(): Promise<App> {
  // After the demo's install time, so that a save here is an edit since.
  const app = await createTestApp({}, { now: () => new Date(Date.now() + 3_600_000) });
  apps.push(app);
  return app;
}

async function owner(app: App): Promise<AdminClient> {
  await app.services.users.create({
    name: 'Oona Owner',
    email: 'oona@demo.example',
    password: PASSWORD,
    role: 'owner',
  });
  const client = new AdminClient(app.server, { ip: '192.0.2.77' });
  expect((await client.signIn('oona@demo.example', PASSWORD)).statusCode).toBe(303);
  return client;
}

const count = async (app: App, table: 'posts' | 'comments' | 'media' | 'books' | 'categories' | 'tags' | 'users') =>
  Number(
    (
      await app.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
    )?.n,
  );

describe('removing the demo content', () => {
  it('removes the demo in one click from the dashboard, keeping what the writer made or changed', async () => {
    const app = await withDemo();
    const client = await owner(app);
    expect(await count(app, 'books')).toBe(1);
    const dashboard = await client.get('/admin');
    expect(dashboard.body).toContain('Remove the demo content');

    // The writer's own post, using a demo tag and category; and a demo post they edited.
    const category = await app.database.db
      .selectFrom('categories')
      .select('id')
      .where('slug', '=', 'home-garden')
      .executeTakeFirstOrThrow();
    await app.services.posts.create({
      title: 'My own first post',
      slug: 'my-own',
      body: 'Mine.',
      status: 'published',
      publishedAt: '2026-01-01T00:00:00.000Z',
      authorId: (
        await app.database.db
          .selectFrom('users')
          .select('id')
          .where('email', '=', 'oona@demo.example')
          .executeTakeFirstOrThrow()
      ).id,
      categoryId: category.id,
    });
    const soup = await app.database.db
      .selectFrom('posts')
      .select(['id', 'author_id'])
      .where('slug', '=', 'autumn-lentil-soup')
      .executeTakeFirstOrThrow();
    await app.services.posts.update(soup.id, { title: 'Our Autumn Lentil Soup, my version' });
    const soupComments = await app.database.db
      .selectFrom('comments')
      .select('id')
      .where('post_id', '=', soup.id)
      .execute();
    expect(soupComments.length).toBeGreaterThan(0);
    const mediaBefore = await count(app, 'media');
    // The writer's own tagline stays; the demo's title and description go back to the defaults.
    await app.services.settings.update({ tagline: 'Notes from our kitchen table' });

    const res = await client.post('/admin/demo/remove');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin?demo=removed');
    const after = await client.get('/admin?demo=removed');
    expect(after.body).toContain('The demo content is removed.');
    expect(after.body).not.toContain('Remove the demo content</button>');

    const slugs = (await app.database.db.selectFrom('posts').select('slug').execute()).map((r) => r.slug).sort();
    expect(slugs).toEqual(['autumn-lentil-soup', 'my-own']);
    expect(await count(app, 'books')).toBe(0);
    // The demo's comments go, from the kept post too.
    expect(await count(app, 'comments')).toBe(0);
    // The kept post's author, and the category the writer uses, stay; other demo categories go.
    expect(
      await app.database.db.selectFrom('users').select('id').where('id', '=', soup.author_id).executeTakeFirst(),
    ).toBeDefined();
    const categories = (await app.database.db.selectFrom('categories').select('slug').execute())
      .map((c) => c.slug)
      .sort();
    expect(categories).toContain('home-garden');
    expect(categories).toContain('family-kitchen');
    expect(categories).not.toContain('green-living');
    const media = await count(app, 'media');
    expect(media).toBeLessThan(mediaBefore);
    expect((await app.server.inject('/benefits-of-infant-massage/')).statusCode).toBe(404);
    expect((await app.server.inject('/autumn-lentil-soup/')).statusCode).toBe(200);
    expect((await app.server.inject('/my-own/')).statusCode).toBe(200);
    expect(await app.services.settings.getInternal(DEMO_MARKER)).toMatch(/^removed at /);
    const site = await app.services.settings.get();
    expect(site.title).toBe('My Hearth blog');
    expect(site.tagline).toBe('Notes from our kitchen table');
    expect(site.description).toBe('');
    expect((await app.server.inject('/')).body).not.toContain('Willowfold');
    expect((await app.services.audit.recent(5)).some((e) => e.action === 'demo_removed')).toBe(true);

    // Twice: nothing left to remove.
    const again = await client.post('/admin/demo/remove');
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('There is no demo content left to remove.');
  });

  it('lets the setup page decline the demo; kept by default', async () => {
    const app = await withDemo();
    const path = new URL(app.setupUrl as string).pathname;
    const page = await app.server.inject(path);
    expect(page.body).toMatch(/<input id="setup-keepDemo" name="keepDemo" type="checkbox" value="on" checked>/);
    const res = await app.server.inject({
      method: 'POST',
      url: path,
      ...form({ name: 'Sam Setup', email: 'sam@demo.example', password: PASSWORD, demoAsked: 'yes' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).toContain('The demo content is removed');
    expect(await count(app, 'posts')).toBe(0);
    expect(await count(app, 'books')).toBe(0);
    expect(await app.services.demo.state()).toBe('removed');
    expect((await app.server.inject('/')).statusCode).toBe(200);

    const kept = await withDemo();
    const keptPath = new URL(kept.setupUrl as string).pathname;
    const posts = await count(kept, 'posts');
    expect(
      (
        await kept.server.inject({
          method: 'POST',
          url: keptPath,
          ...form({
            name: 'Kim Keep',
            email: 'kim@demo.example',
            password: PASSWORD,
            demoAsked: 'yes',
            keepDemo: 'on',
          }),
        })
      ).statusCode,
    ).toBe(201);
    expect(await count(kept, 'posts')).toBe(posts);
    expect(await kept.services.demo.state()).toBe('installed');
  });

  it('removes a demo declined while another instance still installs it, once that install is done', async () => {
    const app = await createTestApp({ demo: false });
    apps.push(app);
    await app.services.settings.setInternal(DEMO_MARKER, `installing since ${new Date().toISOString()}`);
    expect(await app.services.demo.removeOrMark(null)).toBe('later');
    expect(await app.services.demo.removeIfUnwanted()).toBe(false);
    // The other instance finishes (here: the marker says installed).
    await app.services.settings.setInternal(DEMO_MARKER, new Date().toISOString());
    expect(await app.services.demo.removeIfUnwanted()).toBe(true);
    expect(await app.services.demo.state()).toBe('removed');
    expect(await app.services.demo.removeIfUnwanted()).toBe(false);
  });
});
