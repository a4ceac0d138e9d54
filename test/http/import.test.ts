import fs, { createReadStream } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  folderMediaFiles,
  type ImportEntry,
  type Importer,
  type ImportPost,
  wordpressImporter,
} from '../../src/domain/portability/index.js';
import { createTestApp } from '../helpers/app.js';
import { noisyPhoto } from '../helpers/photos.js';

/**
 * The import writer on the test database (SQLite, or PostgreSQL under test:postgres), on a blog
 * that already has the demo content: one transaction per run, nothing duplicated, nothing left
 * behind by a run that fails.
 */
type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let app: TestApp;
let uploads: string;
const family = path.resolve('test/fixtures/wxr-family-blog.xml');
const hill = path.resolve('test/unit/fixtures/wxr-1.2-https.xml');

async function count(
  table: 'posts' | 'users' | 'media' | 'comments' | 'redirects' | 'import_sources' | 'categories' | 'tags',
) {
  const row = await app.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function mediaFiles(): string[] {
  const root = path.join(app.dataDir, 'media');
  return fs.existsSync(root)
    ? (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.\w+$/.test(f)).sort()
    : [];
}

beforeAll(async () => {
  app = await createTestApp();
  uploads = fs.mkdtempSync(path.join(app.dataDir, 'uploads-'));
  fs.mkdirSync(path.join(uploads, '2023/04'), { recursive: true });
  fs.writeFileSync(path.join(uploads, '2023/04/garden-beds.jpg'), await noisyPhoto(800, 600).jpeg().toBuffer());
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('the import writer', () => {
  it('leaves the blog as it was when a run fails half-way, photos included', async () => {
    const before = { posts: await count('posts'), users: await count('users'), media: mediaFiles() };
    const failing: Importer = async function* (context): AsyncGenerator<ImportEntry> {
      for await (const entry of wordpressImporter(() => createReadStream(family))(context)) {
        yield entry;
        if (entry.kind === 'post' && entry.post.id === '202') throw new Error('the disk went away');
      }
    };
    await expect(app.services.imports.run(failing, { mediaFiles: folderMediaFiles(uploads) })).rejects.toThrow(
      'the disk went away',
    );
    expect(await count('posts')).toBe(before.posts);
    expect(await count('users')).toBe(before.users);
    expect(await count('import_sources')).toBe(0);
    expect(mediaFiles()).toEqual(before.media);
  });

  it('imports both namespace spellings, matches authors by email, and adds nothing the second time', async () => {
    const owner = await app.database.db
      .selectFrom('users')
      .select(['id', 'email'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    // A writer of the blog wrote on WordPress under the same address: her posts become hers.
    const text = fs.readFileSync(family, 'utf8').replaceAll('clara@acorns.example.com', owner.email);
    const file = path.join(app.dataDir, 'family.xml');
    fs.writeFileSync(file, text);
    const run = () =>
      app.services.imports.run(
        wordpressImporter(() => createReadStream(file)),
        { mediaFiles: folderMediaFiles(uploads) },
      );
    const first = await run();
    expect(first.counts.authors).toEqual({ added: 1, existing: 0, matched: 1 });
    expect(first.counts.posts.added).toBe(11);
    const raised = await app.database.db
      .selectFrom('posts')
      .select('author_id')
      .where('slug', '=', 'raised-beds')
      .executeTakeFirstOrThrow();
    expect(raised.author_id).toBe(owner.id);
    const counts = {
      posts: await count('posts'),
      users: await count('users'),
      comments: await count('comments'),
      redirects: await count('redirects'),
      media: await count('media'),
      categories: await count('categories'),
      tags: await count('tags'),
    };
    const second = await run();
    expect(second.counts.posts).toEqual({ added: 0, existing: 11, matched: 0 });
    expect(second.counts.comments.added).toBe(0);
    expect(second.counts.media.added).toBe(0);
    expect({
      posts: await count('posts'),
      users: await count('users'),
      comments: await count('comments'),
      redirects: await count('redirects'),
      media: await count('media'),
      categories: await count('categories'),
      tags: await count('tags'),
    }).toEqual(counts);
    const page = await app.server.inject('/2023/04/raised-beds/');
    expect([page.statusCode, page.headers.location]).toEqual([301, '/raised-beds/']);

    const https = await app.services.imports.run(wordpressImporter(() => createReadStream(hill)));
    expect(https.source).toBe('hill.example.org/blog');
    expect(https.counts.posts.added + https.counts.pages.added).toBeGreaterThan(0);
    expect(https.counts.authors.added).toBe(2);
  });

  it('keeps imported links safe, addresses of unpublished posts unknown, and long titles whole', async () => {
    const post = (id: string, fields: Partial<ImportPost>): ImportEntry => ({
      kind: 'post',
      post: {
        id,
        type: 'post',
        slug: id,
        title: id,
        body: 'Text.',
        excerpt: '',
        status: 'published',
        publishedAt: '2024-02-01T10:00:00.000Z',
        createdAt: '2024-02-01T10:00:00.000Z',
        updatedAt: '2024-02-01T10:00:00.000Z',
        authorId: 'mallory',
        categoryIds: [],
        tagIds: [],
        featureImageId: null,
        featured: false,
        parentId: null,
        menuOrder: 0,
        commentsEnabled: true,
        seoTitle: null,
        seoDescription: null,
        oldUrls: [],
        comments: [],
        heldBack: null,
        unknownShortcodes: [],
        ...fields,
      },
    });
    const importer: Importer = async function* () {
      yield {
        kind: 'site',
        site: { platform: 'ghost', key: 'safety.example', url: 'https://safety.example', title: '' },
      };
      yield {
        kind: 'author',
        author: {
          id: 'mallory',
          slug: 'mallory',
          name: 'Mallory',
          email: 'mallory@safety.example',
          bio: 'Hi',
          website: 'javascript:alert(document.cookie)',
          oldUrls: [],
        },
      };
      yield post('secret-merger-plans', { status: 'draft', publishedAt: null, oldUrls: ['/?p=7'] });
      yield post('archived', { oldUrls: ['https://safety.example/archives/12'] });
      yield post('emoji', { title: '😀'.repeat(130) });
    };
    const report = await app.services.imports.run(importer);
    expect(report.counts.posts.added).toBe(3);
    const author = await app.database.db
      .selectFrom('users')
      .select('website')
      .where('slug', '=', 'mallory')
      .executeTakeFirstOrThrow();
    expect(author.website).toBeNull();
    expect((await app.server.inject('/?p=7')).headers.location).toBeUndefined();
    const noSlash = await app.server.inject('/archives/12');
    expect([noSlash.statusCode, noSlash.headers.location]).toEqual([301, '/archived/']);
    const emoji = await app.database.db
      .selectFrom('posts')
      .select('title')
      .where('slug', '=', 'emoji')
      .executeTakeFirstOrThrow();
    expect(emoji.title.length).toBeLessThanOrEqual(250);
    expect(emoji.title.startsWith('😀😀')).toBe(true);
    expect(emoji.title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no half of an emoji left at the end
  });
});
