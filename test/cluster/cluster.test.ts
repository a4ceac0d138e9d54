import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoContent } from '../../src/domain/demo/index.js';
import { MIGRATION_NAMES } from '../../src/storage/migrations/index.js';
import { Browser, type Cluster, startCluster, within } from './harness.js';

/*
 * Issue 19, done means: PostgreSQL, three Hearth instances and nginx as the load balancer,
 * all on 127.0.0.1. A write through one instance is on every instance's pages within a
 * second; a scheduled post is published once; a notification is sent once.
 */
let cluster: Cluster;
let owner: Browser;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  // Newsletters as fast as the test's SMTP server takes them.
  cluster = await startCluster({ instances: 3, env: { HEARTH_NEWSLETTER_RATE: '60000' } });
  const made = cluster.hearth(
    ['user', 'create', '--name', 'Olive Owner', '--email', 'owner@example.org', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  expect(made.status, made.stderr).toBe(0);
  // The owner works on instance 1 directly, as a sticky session or a lone admin would.
  owner = new Browser(cluster.instances[0]?.url as string);
  await owner.signIn('owner@example.org', PASSWORD);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Fetches a page twice on every instance, so each keeps it in its page cache. */
async function warm(path: string): Promise<void> {
  for (const instance of cluster.instances) {
    for (let i = 0; i < 2; i++) expect((await fetch(`${instance.url}${path}`)).status).toBe(200);
  }
}

/** Waits until every instance shows `text` at `path`; returns the slowest time. */
async function onEveryInstance(path: string, ok: (body: string) => boolean, ms = 1000): Promise<number> {
  const times = await Promise.all(cluster.instances.map((i) => within(ms, `${i.url}${path}`, ok)));
  return Math.max(...times);
}

describe('three instances on one database', () => {
  it('started together on an empty database: every migration ran, the demo was installed once', async () => {
    // A migration run twice would have failed its instance's start (tables already there):
    // all three are up, and the database records exactly this code's migrations.
    for (const instance of cluster.instances) expect(instance.running).toBe(true);
    const migrations = await cluster.query<{ name: string }>('select name from kysely_migration order by name');
    expect(migrations.map((m) => m.name)).toEqual([...MIGRATION_NAMES].sort());
    // The demo once: its posts, categories and comments, none twice.
    const posts = await cluster.query<{ n: string }>("select count(*) as n from posts where type = 'post'");
    expect(Number(posts[0]?.n)).toBe(demoContent.posts.length);
    const categories = await cluster.query<{ n: string }>('select count(*) as n from categories');
    expect(Number(categories[0]?.n)).toBe(demoContent.categories.length);
    const marker = await cluster.query<{ value: string }>(
      "select value from settings where key = 'internal.demo_installed'",
    );
    expect(JSON.parse(marker[0]?.value ?? '""')).toMatch(/^\d{4}-/);
  });

  it('restarted together on a database without related posts: all start, and they are computed once', async () => {
    await Promise.all(cluster.instances.map((i) => i.stop('SIGTERM')));
    for (const table of ['related_posts', 'related_index', 'related_docs', 'related_terms'])
      await cluster.query(`delete from ${table}`);
    await Promise.all(cluster.instances.map((i) => i.start()));
    const docs = await cluster.query<{ n: string }>('select count(*) as n from related_docs');
    const posts = await cluster.query<{ n: string }>(
      "select count(*) as n from posts where type = 'post' and status = 'published'",
    );
    expect(Number(docs[0]?.n)).toBe(Number(posts[0]?.n));
    expect(await cluster.query("select key from settings where key = 'internal.related_rebuild'")).toEqual([]);
  });

  it('shows a post published through one instance on every instance’s pages within a second', async () => {
    await warm('/');
    await owner.get('/admin/posts/new');
    const res = await owner.post('/admin/posts/new', {
      title: 'Published on instance one',
      slug: 'published-on-instance-one',
      body: 'Written through the first instance.',
      status: 'published',
    });
    expect(res.status, res.body.slice(0, 400)).toBe(303);
    const took = await onEveryInstance('/', (body) => body.includes('Published on instance one'));
    expect(took).toBeLessThan(1000);
    await onEveryInstance('/published-on-instance-one/', (body) =>
      body.includes('Written through the first instance.'),
    );
  });

  it('shows a comment approved on one instance on every instance; each notification is sent once', async () => {
    const path = '/benefits-of-infant-massage/';
    await warm(path);
    const [post] = await cluster.query<{ id: number }>(
      "select id from posts where slug = 'benefits-of-infant-massage'",
    );
    // A reader comments through the load balancer; with no form token it waits for moderation.
    const before = cluster.smtp.received.length;
    const sent = await fetch(`${cluster.url}/comments`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        post_id: String(post?.id),
        name: 'Rowan Reader',
        email: 'rowan@example.org',
        body: 'A comment that travels between instances.',
        notify: 'on',
      }).toString(),
    });
    expect(sent.status).toBe(303);
    const [comment] = await cluster.query<{ id: number; status: string }>(
      "select id, status from comments where body like 'A comment that travels%'",
    );
    expect(comment?.status).toBe('pending');
    // The moderator is told once, by the instance that took the comment.
    await waitFor(() => cluster.smtp.received.length > before);
    // Approved on the second instance.
    const editor = new Browser(cluster.instances[1]?.url as string);
    await editor.signIn('owner@example.org', PASSWORD);
    await editor.get('/admin/comments?status=pending');
    const approved = await editor.post(`/admin/comments/${comment?.id}/action`, { action: 'approve' });
    expect(approved.status).toBe(303);
    const took = await onEveryInstance(path, (body) => body.includes('A comment that travels between instances.'));
    expect(took).toBeLessThan(1000);

    // A reply, approved on the third instance, tells the first commenter once.
    await fetch(`${cluster.url}/comments`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        post_id: String(post?.id),
        parent_id: String(comment?.id),
        name: 'Sam Second',
        body: 'A reply that Rowan hears about once.',
      }).toString(),
    });
    const [reply] = await cluster.query<{ id: number }>(
      "select id from comments where body like 'A reply that Rowan%'",
    );
    const third = new Browser(cluster.instances[2]?.url as string);
    await third.signIn('owner@example.org', PASSWORD);
    await third.get('/admin/comments?status=pending');
    expect((await third.post(`/admin/comments/${reply?.id}/action`, { action: 'approve' })).status).toBe(303);
    await onEveryInstance(path, (body) => body.includes('A reply that Rowan hears about once.'));
    await waitFor(() => cluster.smtp.received.some((m) => m.to && JSON.stringify(m.to).includes('rowan@example.org')));
    // Every instance has had time to send anything it would; count what arrived.
    await new Promise((r) => setTimeout(r, 1500));
    const toRowan = cluster.smtp.received.filter((m) => JSON.stringify(m.to).includes('rowan@example.org'));
    expect(toRowan).toHaveLength(1);
    const waiting = cluster.smtp.received.filter((m) => (m.text ?? '').includes('A comment that travels between'));
    expect(waiting).toHaveLength(1);
  });

  it('serves a photo uploaded through one instance from every instance (media in the bucket)', async () => {
    await owner.get('/admin/media');
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#7a9' } })
      .jpeg()
      .toBuffer();
    const body = new FormData();
    body.set('alt', 'A green square');
    body.set('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'green.jpg');
    const res = await owner.request('/admin/media/upload', {
      method: 'POST',
      body,
      headers: { 'x-csrf-token': owner.csrf, accept: 'application/json' },
    });
    expect(res.status, res.body.slice(0, 300)).toBe(201);
    const { id, url } = JSON.parse(res.body) as { id: number; url: string };
    const [row] = await cluster.query<{ variants: string }>('select variants from media where id = $1', [id]);
    const variants = JSON.parse(row?.variants ?? '[]') as { path: string }[];
    expect(variants.length).toBeGreaterThan(0);
    const first = await fetch(`${cluster.instances[0]?.url}${url}`);
    const bytes = Buffer.from(await first.arrayBuffer());
    for (const instance of cluster.instances) {
      const got = await fetch(`${instance.url}${url}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
      // Every variant too, from the bucket.
      const variant = variants[0]?.path as string;
      expect((await fetch(`${instance.url}/media/${variant}`)).status).toBe(200);
    }
    expect((await fetch(`${cluster.url}${url}`)).status).toBe(200);
  });

  it('offers a book built on one instance for download from every instance, built once', async () => {
    // The demo's book was queued by the instance that installed the demo.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const rows = await cluster.query<{ state: string }>(
        "select state from book_builds where format = 'epub' and state in ('queued', 'running', 'done')",
      );
      if (rows.some((r) => r.state === 'done')) break;
      if (Date.now() > deadline) throw new Error('the demo book was not built in time');
      await new Promise((r) => setTimeout(r, 250));
    }
    const built = await cluster.query<{ n: string }>(
      "select count(*) as n from book_builds where format = 'epub' and state = 'done'",
    );
    expect(Number(built[0]?.n)).toBe(1);
    const file = '/books/ten-quiet-minutes/ten-quiet-minutes.epub';
    const bodies: Buffer[] = [];
    for (const instance of cluster.instances) {
      const page = await within(5000, `${instance.url}/books/ten-quiet-minutes/`, (body) => body.includes(file));
      expect(page).toBeLessThan(5000);
      const res = await fetch(`${instance.url}${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/epub+zip');
      bodies.push(Buffer.from(await res.arrayBuffer()));
    }
    expect(bodies.every((b) => b.length > 1000 && b.equals(bodies[0] as Buffer))).toBe(true);
    // Kept in the bucket below private/, which /media/ never serves.
    const [row] = await cluster.query<{ file: string }>(
      "select file from book_builds where format = 'epub' and state = 'done'",
    );
    expect((await fetch(`${cluster.url}/media/private/books/${row?.file}`)).status).toBe(404);
  });

  it('publishes a scheduled post once, and every instance shows it', async () => {
    await warm('/');
    const at = new Date(Date.now() + 3000).toISOString().slice(0, 19);
    await owner.get('/admin/posts/new');
    const res = await owner.post('/admin/posts/new', {
      title: 'Scheduled across instances',
      slug: 'scheduled-across-instances',
      body: 'Due a few seconds from now.',
      status: 'scheduled',
      publishedAt: at,
    });
    expect(res.status, res.body.slice(0, 400)).toBe(303);
    await onEveryInstance('/', (body) => body.includes('Scheduled across instances'), 15_000);
    const [post] = await cluster.query<{ id: number; status: string }>(
      "select id, status from posts where slug = 'scheduled-across-instances'",
    );
    expect(post?.status).toBe('published');
    const audits = await cluster.query<{ n: string }>(
      "select count(*) as n from audit_log where action = 'post_published' and subject = $1",
      [`post:${post?.id}`],
    );
    expect(Number(audits[0]?.n)).toBe(1);
  });

  it('sends a newsletter once: one instance takes it, every reader gets it once', async () => {
    const readers = 120;
    const at = new Date().toISOString();
    await cluster.query(
      `insert into subscribers (email, status, source, token, consent_at, consent_note, created_at, updated_at)
       select 'reader' || n || '@cluster.example', 'active', 'import', 'cluster-token-' || n, $1, 'test', $1, $1
       from generate_series(1, ${readers}) as n`,
      [at],
    );
    const before = cluster.smtp.received.length;
    await owner.get('/admin/posts/new');
    const res = await owner.post('/admin/posts/new', {
      title: 'A letter to every reader',
      slug: 'a-letter-to-every-reader',
      body: 'Sent once, by one of three instances.',
      status: 'published',
      newsletter: 'publish',
      newsletterContent: 'full',
    });
    expect(res.status, res.body.slice(0, 400)).toBe(303);
    const letters = () => cluster.smtp.received.slice(before).filter((m) => m.subject === 'A letter to every reader');
    // Each instance looks for due sends every few seconds; one of them takes it.
    await waitFor(() => letters().length >= readers, 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const to = letters().map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text);
    expect(to).toHaveLength(readers);
    expect(new Set(to).size).toBe(readers);
    const [send] = await cluster.query<{ state: string; sent: number; total: number }>(
      "select state, sent, total from newsletters where key like 'post:%' order by id desc limit 1",
    );
    expect(send).toMatchObject({ state: 'done', sent: readers, total: readers });
  }, 90_000);
});

async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
