import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
const clock = { now: new Date('2030-03-01T10:00:00.000Z') };
const people: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp({ demo: false, mediaMaxBytes: 200_000 }, { now: () => clock.now });
  for (const role of ['owner', 'editor', 'author', 'contributor'] as const) {
    const user = await app.services.users.create({
      name: `${role} person`,
      email: `${role}@example.org`,
      password: PASSWORD,
      role,
    });
    people[role] = user.id;
  }
});
afterAll(async () => {
  await app?.close();
});

let lastIp = 0;
async function signedIn(role: string): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${++lastIp}` });
  expect((await client.signIn(`${role}@example.org`, PASSWORD)).statusCode).toBe(303);
  return client;
}

const fields = (values: Record<string, string>) => ({
  title: 'A post',
  body: 'Some text.',
  status: 'draft',
  ...values,
});

async function newPost(client: AdminClient, values: Record<string, string> = {}): Promise<number> {
  await client.get('/admin/posts/new');
  const res = await client.post('/admin/posts/new', fields(values));
  expect(res.statusCode, res.body).toBe(303);
  return Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
}

function multipart(file: Buffer, name: string, type: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----hearthtest';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA photo\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function upload(client: AdminClient, file: Buffer, name: string, type = 'image/jpeg', json = true) {
  const { payload, headers } = multipart(file, name, type);
  return client.request({
    method: 'POST',
    url: json ? '/admin/media/upload' : `/admin/media/upload?_csrf=${client.csrf}`,
    payload,
    headers: { ...headers, ...(json ? { 'x-csrf-token': client.csrf, accept: 'application/json' } : {}) },
  });
}

const mediaCount = async () => (await app.services.media.list()).total;

describe('the editor over HTTP', () => {
  it('creates a draft, shows it again, and lists it with filters and search', async () => {
    const owner = await signedIn('owner');
    const id = await newPost(owner, { title: 'Bath time tips', tags: 'baths, evenings' });
    const page = await owner.get(`/admin/posts/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="Bath time tips"');
    expect(page.body).toContain('value="baths, evenings"');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const list = await owner.get('/admin/posts?q=bath&status=draft&tag=baths');
    expect(list.body).toContain('Bath time tips');
    expect((await owner.get('/admin/posts?q=nothing-like-it')).body).not.toContain('Bath time tips');
  });

  it('refuses a contributor who publishes or schedules with 403, and keeps nothing', async () => {
    const contributor = await signedIn('contributor');
    await contributor.get('/admin/posts/new');
    const res = await contributor.post('/admin/posts/new', fields({ title: 'Mine', status: 'published' }));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('may write drafts but not publish');
    const scheduled = await contributor.post(
      '/admin/posts/new',
      fields({ title: 'Mine', status: 'scheduled', publishedAt: '2030-04-01T09:00' }),
    );
    expect(scheduled.statusCode).toBe(403);
    const { total } = await app.services.editorial.list(
      { id: people.contributor as number, email: '', role: 'contributor' },
      { type: 'post', page: 1 },
    );
    expect(total).toBe(0);
    // A draft is fine; another writer's post is not theirs to open.
    await newPost(contributor, { title: 'My draft' });
    const owner = await signedIn('owner');
    const ownersPost = await newPost(owner, { title: 'Owner only' });
    expect((await contributor.get(`/admin/posts/${ownersPost}`)).statusCode).toBe(403);
    expect((await contributor.post(`/admin/posts/${ownersPost}`, fields({}))).statusCode).toBe(403);
    expect((await contributor.get('/admin/posts')).body).not.toContain('Owner only');
  });

  it('answers a stale save with 409, keeping the second writer’s text', async () => {
    const owner = await signedIn('owner');
    const editor = await signedIn('editor');
    const id = await newPost(owner, { title: 'Shared' });
    const a = await owner.get(`/admin/posts/${id}`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(a.body)?.[1] as string;
    await editor.get(`/admin/posts/${id}`);
    expect((await editor.post(`/admin/posts/${id}`, fields({ title: 'Shared', updatedAt }))).statusCode).toBe(303);
    await owner.get(`/admin/posts/${id}`);
    const stale = await owner.post(`/admin/posts/${id}`, fields({ title: 'Shared', body: 'My words.', updatedAt }));
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else saved this post');
    expect(stale.body).toContain('My words.');
  });

  it('names the field of a bad slug or time with 400 and keeps the input', async () => {
    const owner = await signedIn('owner');
    await owner.get('/admin/posts/new');
    const res = await owner.post('/admin/posts/new', fields({ slug: 'Not A Slug!', body: 'Kept text' }));
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'post-slug')).toContain('lower-case letters');
    expect(res.body).toContain('Kept text');
    const time = await owner.post('/admin/posts/new', fields({ status: 'scheduled', publishedAt: '2030-02-31T25:00' }));
    expect(time.statusCode).toBe(400);
    expect(fieldError(time.body, 'post-publishedAt')).toContain('not a valid date');
    const past = await owner.post('/admin/posts/new', fields({ status: 'scheduled', publishedAt: '2020-01-01T10:00' }));
    expect(past.statusCode).toBe(400);
    expect(fieldError(past.body, 'post-publishedAt')).toContain('future');
  });

  it('publishes a scheduled post at its time, once, and records it in the audit log', async () => {
    const author = await signedIn('author');
    const id = await newPost(author, { title: 'Later on', status: 'scheduled', publishedAt: '2030-03-01T10:30' });
    const path = `/later-on/`;
    expect((await app.server.inject(path)).statusCode).toBe(404);
    clock.now = new Date('2030-03-01T10:31:00.000Z');
    const [first, second] = await Promise.all([app.scheduler.runDue(), app.scheduler.runDue()]);
    expect([...first, ...second]).toEqual([id]);
    expect((await app.server.inject(path)).statusCode).toBe(200);
    const events = await app.services.audit.recent(20);
    expect(events.filter((e) => e.subject === `post:${id}` && e.action === 'post_published')).toHaveLength(1);
    expect(events.some((e) => e.subject === `post:${id}` && e.action === 'post_scheduled')).toBe(true);
  });

  it('drops a cached page when a post published ahead of time comes due', async () => {
    const owner = await signedIn('owner');
    await app.scheduler.runDue();
    await newPost(owner, { title: 'Ahead', status: 'published', publishedAt: '2030-03-01T11:00' });
    expect((await app.server.inject('/')).body).not.toContain('Ahead');
    clock.now = new Date('2030-03-01T11:00:30.000Z');
    await app.scheduler.runDue();
    expect((await app.server.inject('/')).body).toContain('Ahead');
  });

  it('keeps revisions, shows a diff and restores one', async () => {
    const owner = await signedIn('owner');
    const id = await newPost(owner, { title: 'Versions', body: 'First words.' });
    const page = await owner.get(`/admin/posts/${id}`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(page.body)?.[1] as string;
    await owner.post(`/admin/posts/${id}`, fields({ title: 'Versions', body: 'Second words.', updatedAt }));
    const revisions = await owner.get(`/admin/posts/${id}/revisions`);
    const revs = [...revisions.body.matchAll(/revisions\/(\d+)"/g)].map((m) => m[1]);
    expect(revs).toHaveLength(2);
    const oldest = revs[revs.length - 1] as string;
    const diff = await owner.get(`/admin/posts/${id}/revisions/${oldest}`);
    expect(diff.body).toContain('<del class="diff__removed">First words.</del>');
    expect(diff.body).toContain('<ins class="diff__added">Second words.</ins>');
    const restored = await owner.post(`/admin/posts/${id}/revisions/${oldest}/restore`);
    expect(restored.statusCode).toBe(303);
    expect((await owner.get(`/admin/posts/${id}`)).body).toContain('First words.');
  });

  it('keeps an autosaved copy and offers it back', async () => {
    const owner = await signedIn('owner');
    const id = await newPost(owner, { title: 'Autosaved' });
    await owner.get(`/admin/posts/${id}`);
    const res = await owner.request({
      method: 'POST',
      url: '/admin/posts/autosave',
      payload: { postId: String(id), title: 'Autosaved', body: 'Typed before the tab closed.', excerpt: '' },
      headers: { 'x-csrf-token': owner.csrf },
    });
    expect(res.statusCode, res.body).toBe(200);
    const again = await owner.get(`/admin/posts/${id}`);
    expect(again.body).toContain('You have an unsaved copy');
    const back = await owner.post('/admin/posts/autosaved', { postId: String(id), choice: 'restore' });
    expect(back.body).toContain('Typed before the tab closed.');
  });

  it('renders the preview with the real renderer, and a draft by its private link only', async () => {
    const owner = await signedIn('owner');
    await owner.get('/admin/posts/new');
    const preview = await owner.request({
      method: 'POST',
      url: '/admin/posts/preview',
      payload: { body: '**Bold** <script>x</script>' },
      headers: { 'x-csrf-token': owner.csrf },
    });
    expect(preview.json().html).toContain('<strong>Bold</strong>');
    expect(preview.json().html).not.toContain('<script>');
    const id = await newPost(owner, { title: 'Secret draft' });
    const page = await owner.get(`/admin/posts/${id}`);
    const link = /href="(\/preview\/\d+\/[\w-]+)"/.exec(page.body)?.[1] as string;
    const shown = await app.server.inject(link);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Secret draft');
    expect(shown.body).toContain('<meta name="robots" content="noindex">');
    expect(shown.headers['cache-control']).toBe('private, no-store');
    expect((await app.server.inject(`/preview/${id}/forged-token-123456`)).statusCode).toBe(404);
    expect((await app.server.inject(link.replace(`/preview/${id}/`, `/preview/${id + 1}/`))).statusCode).toBe(404);
  });
});

describe('photos over HTTP', () => {
  it('uploads a photo and asks before publishing it without alt text', async () => {
    const owner = await signedIn('owner');
    await owner.get('/admin/media');
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a86' } })
      .jpeg()
      .toBuffer();
    const res = await upload(owner, jpeg, 'kitchen.jpg', 'image/jpeg', false);
    expect(res.statusCode, res.body).toBe(303);
    // Other bytes: the same file again would be the photo already there.
    const other = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#8a6' } })
      .jpeg()
      .toBuffer();
    const json = await upload(owner, other, 'garden.jpg');
    expect(json.statusCode).toBe(201);
    const { id, url } = json.json() as { id: number; url: string };
    await app.services.media.update(id, { alt: '' }, 'system');
    const body = `Look: ![](${url})`;
    await owner.get('/admin/posts/new');
    const asked = await owner.post('/admin/posts/new', fields({ title: 'With a photo', body, status: 'published' }));
    expect(asked.statusCode).toBe(409);
    expect(asked.body).toContain('have no alt text');
    const confirmed = await owner.post(
      '/admin/posts/new',
      fields({ title: 'With a photo', body, status: 'published', confirmMissingAlt: 'yes' }),
    );
    expect(confirmed.statusCode).toBe(303);
    // In use: refused with the post named, then deleted anyway.
    const refused = await owner.post(`/admin/media/${id}/delete`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('With a photo');
    expect((await owner.post(`/admin/media/${id}/delete`, { force: 'yes' })).statusCode).toBe(303);
  });

  it('publishes with a feature image whose alt text field is left empty when the library has its alt text', async () => {
    const owner = await signedIn('owner');
    await owner.get('/admin/media');
    const jpeg = await sharp({ create: { width: 70, height: 50, channels: 3, background: '#68a' } })
      .jpeg()
      .toBuffer();
    const uploaded = await upload(owner, jpeg, 'bread.jpg');
    expect(uploaded.statusCode).toBe(201);
    const { id } = uploaded.json() as { id: number };
    // The form sends the field empty: the library's alt text ("A photo") is the one shown.
    await owner.get('/admin/posts/new');
    const saved = await owner.post(
      '/admin/posts/new',
      fields({ title: 'Bread', status: 'published', featureImageId: String(id), featureImageAlt: '' }),
    );
    expect(saved.statusCode, saved.body).toBe(303);
    // Without alt text anywhere, it asks.
    await app.services.media.update(id, { alt: '' }, 'system');
    await owner.get('/admin/posts/new');
    const asked = await owner.post(
      '/admin/posts/new',
      fields({ title: 'Bread again', status: 'published', featureImageId: String(id), featureImageAlt: '  ' }),
    );
    expect(asked.statusCode).toBe(409);
  });

  it('offers the library’s photos as the feature image, and sets the one chosen', async () => {
    const owner = await signedIn('owner');
    await owner.get('/admin/media');
    const jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#6a8' } })
      .jpeg()
      .toBuffer();
    const uploaded = await upload(owner, jpeg, 'meadow.jpg');
    expect(uploaded.statusCode).toBe(201);
    const { id } = uploaded.json() as { id: number };
    const page = await owner.get('/admin/posts/new');
    expect(page.body).toMatch(
      new RegExp(`<input type="radio" id="feature-${id}" name="featureImageId" value="${id}">`),
    );
    expect(page.body).toContain('meadow.jpg <span class="muted">(A photo)</span>');
    const postId = await newPost(owner, { title: 'Meadow', featureImageId: String(id), featureImageAlt: 'A meadow' });
    const stored = await app.database.db
      .selectFrom('posts')
      .select(['feature_image_id', 'feature_image_alt'])
      .where('id', '=', postId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ feature_image_id: id, feature_image_alt: 'A meadow' });
    expect((await owner.get(`/admin/posts/${postId}`)).body).toContain(`value="${id}" checked>`);
  });

  it('pins and excludes related posts by slug from the editor, naming a wrong slug', async () => {
    const owner = await signedIn('owner');
    const publish = (title: string) =>
      app.services.posts.create({
        title,
        body: 'Sourdough bread, starter and flour.',
        status: 'published',
        publishedAt: '2030-02-01T10:00:00.000Z',
        authorId: people.owner as number,
        tags: ['Bread'],
      });
    const main = await publish('Sourdough basics');
    const other = await publish('Sourdough starter care');
    const third = await publish('Sourdough for beginners');
    const page = await owner.get(`/admin/posts/${main.id}`);
    expect(page.body).toContain('id="related-heading"');
    expect(page.body).toContain('Sourdough starter care');

    const saved = await owner.post(`/admin/posts/${main.id}/related`, {
      pin: third.slug,
      exclude: ` /${other.slug}/ `,
    });
    expect(saved.statusCode, saved.body).toBe(303);
    expect(await app.services.related.overrides(main.id)).toEqual({ pin: [third.id], exclude: [other.id] });
    const publicPage = (await app.server.inject(`/${main.slug}/`)).body;
    const related = /<section[^>]*class="related"[\s\S]*?<\/section>/.exec(publicPage)?.[0] ?? '';
    expect(related.indexOf('Sourdough for beginners')).toBeGreaterThan(-1);
    expect(related).not.toContain('Sourdough starter care');

    await owner.get(`/admin/posts/${main.id}`);
    const bad = await owner.post(`/admin/posts/${main.id}/related`, { pin: 'no-such-post', exclude: '' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'post-pin')).toContain('No post has the slug &#34;no-such-post&#34;');
    const self = await owner.post(`/admin/posts/${main.id}/related`, { pin: main.slug, exclude: '' });
    expect(self.statusCode).toBe(400);
    expect(await app.services.related.overrides(main.id)).toEqual({ pin: [third.id], exclude: [other.id] });

    const author = await signedIn('author');
    await author.get('/admin/posts');
    expect((await author.post(`/admin/posts/${main.id}/related`, { pin: '', exclude: '' })).statusCode).toBe(403);
  });

  it('refuses a file too large, not an image, an SVG or a corrupt one, storing nothing', async () => {
    const owner = await signedIn('owner');
    await owner.get('/admin/media');
    const before = await mediaCount();
    const big = await upload(owner, Buffer.alloc(300_000, 1), 'big.jpg');
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('HEARTH_ERR_MEDIA_TOO_LARGE');
    const text = await upload(owner, Buffer.from('just some words, not a photo at all'), 'notes.jpg');
    expect(text.statusCode).toBe(415);
    const svg = await upload(owner, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), 'x.png');
    expect(svg.statusCode).toBe(415);
    expect(svg.json().error.code).toBe('HEARTH_ERR_MEDIA_SVG');
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a86' } })
      .jpeg()
      .toBuffer();
    const corrupt = await upload(owner, jpeg.subarray(0, 200), 'cut.jpg');
    expect(corrupt.statusCode).toBe(422);
    // Read from its temporary file, the photo is refused in the same words as from bytes, with no path shown.
    const fromBytes = await app.services.media.ingest({ data: jpeg.subarray(0, 200), name: 'cut.jpg' }).catch((e) => e);
    expect(corrupt.json().error.message).toBe((fromBytes as Error).message);
    expect(corrupt.json().error.message).not.toContain('/');
    const page = await upload(owner, Buffer.from('plain text'), 'notes.txt', 'text/plain', false);
    expect(page.statusCode).toBe(415);
    expect(page.body).toContain('not a photo');
    expect(await mediaCount()).toBe(before);
  });

  it('takes a contributor’s upload (issue 18: photos in their own drafts), checked as anyone’s', async () => {
    const contributor = await signedIn('contributor');
    await contributor.get('/admin/posts');
    expect((await upload(contributor, Buffer.from('x'), 'x.jpg')).statusCode).toBe(415);
  });
});
