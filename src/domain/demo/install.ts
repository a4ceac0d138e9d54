import sharp from 'sharp';
import type { Db } from '../../storage/index.js';
import type { BookBuilds, BookService } from '../books/index.js';
import type { ChangeFeed } from '../changes.js';
import { bodyHash, renderCommentText } from '../comments/index.js';
import type { MediaService } from '../media/index.js';
import type { PostService } from '../posts/index.js';
import type { SettingsService } from '../settings/index.js';
import type { TaxonomyService } from '../taxonomy/index.js';
import type { UserService } from '../users/index.js';
import type { DemoContent } from './types.js';

/** Set once the demo is in (the time), or while an instance installs it (`installing since …`). */
export const DEMO_MARKER = 'internal.demo_installed';
const INSTALLING = 'installing since ';
/** The demo book's id and its last write as the install left it (`<id> <updated_at>`), so that removing the demo knows it unchanged. */
export const DEMO_BOOK = 'internal.demo_book';

/** Whether the demo marker says the demo is in (not only being installed). */
export function demoInstalled(marker: string | undefined): boolean {
  return marker !== undefined && !marker.startsWith(INSTALLING);
}

export interface DemoDeps {
  db: Db;
  users: UserService;
  taxonomy: TaxonomyService;
  media: MediaService;
  posts: PostService;
  settings: SettingsService;
  /** Makes the demo's book; without it the demo has none. */
  books?: BookService;
  /** Builds the demo's book in the background, so its page offers it at once. */
  bookBuilds?: BookBuilds;
  /** Told once the demo is in, for instances that were already serving. */
  changes?: ChangeFeed;
}

/**
 * Installs the demo blog in one transaction: settings, authors, categories, images
 * (drawn as SVG, rasterised with sharp, then stored like any upload), posts, the About
 * page and approved comments. Stages run in order; each is a plain function.
 */
export async function installDemo(deps: DemoDeps, content: DemoContent): Promise<{ posts: number }> {
  // Several instances starting on one empty database: the first to claim the marker
  // installs; the others go on at once (a blocking claim would wait out the statement
  // timeout while photos are made). Should the install fail, the claim is given back.
  // A claim whose instance died half-way (its transaction rolled back) is taken over after
  // ten minutes.
  const claim = `${INSTALLING}${new Date().toISOString()}`;
  const stale = (found: string) =>
    found.startsWith(INSTALLING) && Date.now() - Date.parse(found.slice(INSTALLING.length)) > 10 * 60_000;
  if (!(await deps.settings.claimInternal(DEMO_MARKER, claim, undefined, stale))) return { posts: 0 };
  let installed: { posts: number };
  try {
    installed = await installBlog(deps, content);
  } catch (error) {
    await deps.settings.releaseInternal(DEMO_MARKER, claim).catch(() => {});
    throw error;
  }
  // Instances already serving drop what they kept of the empty blog.
  deps.changes?.publish({ kind: 'site' });
  // The book after the posts it is made from are committed (BookService writes in its own transactions).
  if (deps.books && content.book) {
    const book = await installBook(deps.db, deps.books, content);
    const written = await deps.db.selectFrom('books').select('updated_at').where('id', '=', book.id).executeTakeFirst();
    if (written) await deps.settings.setInternal(DEMO_BOOK, `${book.id} ${written.updated_at}`);
    for (const format of deps.bookBuilds?.formats ?? []) await deps.bookBuilds?.start(null, book.id, format);
  }
  return installed;
}

async function installBlog(deps: DemoDeps, content: DemoContent): Promise<{ posts: number }> {
  return deps.db.transaction().execute(async (tx) => {
    await deps.settings.update(content.site, tx);
    const images = await installImages(deps, content, tx);
    const authors = await installAuthors(deps, content, images, tx);
    const categories = new Map<string, number>();
    for (const c of content.categories) {
      categories.set(c.slug, (await deps.taxonomy.createCategory(c, tx)).id);
    }
    const imageUrl = (key: string) => {
      const image = images.get(key);
      if (!image) throw new Error(`demo content names a missing image "${key}"`);
      return `/media/${image.path}`;
    };
    const resolve = (markdown: string) =>
      markdown.replace(/\]\(demo:([\w-]+)/g, (_, key: string) => `](${imageUrl(key)}`);
    const must = <T>(map: Map<string, T>, key: string, what: string): T => {
      const value = map.get(key);
      if (value === undefined) throw new Error(`demo content names a missing ${what} "${key}"`);
      return value;
    };
    for (const p of content.posts) {
      await deps.posts.create(
        {
          title: p.title,
          slug: p.slug,
          excerpt: p.excerpt,
          body: resolve(p.body),
          status: 'published',
          publishedAt: p.publishedAt,
          authorId: must(authors, p.author, 'author'),
          categoryId: must(categories, p.category, 'category'),
          tags: p.tags,
          featureImageId: p.featureImage ? (images.get(p.featureImage)?.id ?? null) : null,
          editorNote: p.editorNote
            ? { body: resolve(p.editorNote.body), authorId: must(authors, p.editorNote.author, 'author') }
            : null,
        },
        tx,
      );
    }
    for (const page of content.pages) {
      await deps.posts.create(
        {
          type: 'page',
          title: page.title,
          slug: page.slug,
          body: resolve(page.body),
          status: 'published',
          // Pages date from the blog's first post.
          publishedAt: content.posts.map((p) => p.publishedAt).sort()[0] ?? new Date().toISOString(),
          authorId: must(authors, page.author, 'author'),
        },
        tx,
      );
    }
    await installComments(content, tx);
    await deps.settings.setInternal(DEMO_MARKER, new Date().toISOString(), tx);
    return { posts: content.posts.length };
  });
}

async function installImages(deps: DemoDeps, content: DemoContent, tx: Db) {
  const images = new Map<string, { id: number; path: string }>();
  for (const image of content.images) {
    const jpeg = await sharp(Buffer.from(image.svg()), { density: 72 })
      .resize(image.width, image.height)
      .jpeg({ quality: 90 })
      .toBuffer();
    const row = await deps.media.ingest(
      { data: jpeg, name: image.name, alt: image.alt, caption: image.caption ?? '', credit: image.credit ?? '' },
      tx,
    );
    images.set(image.key, { id: row.id, path: row.path });
  }
  return images;
}

async function installAuthors(deps: DemoDeps, content: DemoContent, images: Map<string, { id: number }>, tx: Db) {
  const authors = new Map<string, number>();
  for (const a of content.authors) {
    const created = await deps.users.create(
      {
        name: a.name,
        slug: a.slug,
        email: a.email,
        bio: a.bio,
        role: a.role,
        ...(a.website ? { website: a.website } : {}),
        avatarId: a.avatar ? (images.get(a.avatar)?.id ?? null) : null,
      },
      tx,
    );
    authors.set(a.key, created.id);
  }
  return authors;
}

async function installComments(content: DemoContent, tx: Db) {
  for (const c of content.comments) {
    const post = await tx.selectFrom('posts').select('id').where('slug', '=', c.post).executeTakeFirst();
    if (!post) throw new Error(`demo comment names a missing post "${c.post}"`);
    await tx
      .insertInto('comments')
      .values({
        post_id: post.id,
        parent_id: null,
        author_name: c.name,
        author_email: c.email ?? null,
        author_website: c.website ?? null,
        body: c.body,
        body_html: renderCommentText(c.body).html,
        body_hash: bodyHash(c.body),
        status: 'approved',
        created_at: new Date(c.createdAt).toISOString(),
        ip_hash: null,
        user_agent: null,
      })
      .execute();
  }
}

/** The demo's book, public, made by the owner, with a cover drawn from one of its photos. */
async function installBook(db: Db, books: BookService, content: DemoContent) {
  const demo = content.book;
  if (!demo) throw new Error('the demo has no book');
  const userId = async (key: string) => {
    const author = content.authors.find((a) => a.key === key);
    if (!author) throw new Error(`the demo book names a missing author "${key}"`);
    return await db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('slug', '=', author.slug)
      .executeTakeFirstOrThrow();
  };
  const owner = await userId(content.authors[0]?.key ?? '');
  const cover = content.images.find((i) => i.key === demo.cover);
  const coverRow = cover
    ? await db.selectFrom('media').select('id').where('original_name', '=', cover.name).executeTakeFirst()
    : undefined;
  const book = await books.create(owner, {
    title: demo.title,
    subtitle: demo.subtitle,
    language: 'en',
    description: demo.description,
    publisher: demo.publisher,
    rights: demo.rights,
    subjects: demo.subjects,
    coverMediaId: coverRow?.id ?? null,
    coverMode: 'drawn',
    frontMatter: demo.frontMatter,
    public: true,
    offerDownloads: true,
  });
  const authors = [];
  for (const a of demo.authors) authors.push({ userId: (await userId(a.author)).id, fileAs: a.fileAs, role: a.role });
  await books.setAuthors(owner, book.id, authors);
  await books.setContents(owner, book.id, demo.contents);
  return book;
}
