import { HearthError } from '../../errors.js';
import { isSlug, normaliseSlug, slugify } from '../../shared/slug.js';
import { toStoredTime } from '../../shared/time.js';
import { pathKey, urls } from '../../shared/urls.js';
import type { Db, ImportSourceKind } from '../../storage/index.js';
import type { ChangeFeed } from '../changes.js';
import { bodyHash, renderCommentText } from '../comments/index.js';
import type { MediaItem, MediaService } from '../media/index.js';
import type { PostService } from '../posts/index.js';
import { isWebsite } from '../users/index.js';
import type {
  ImportAuthor,
  ImportCategory,
  ImportComment,
  ImportContext,
  ImportEntry,
  Importer,
  ImportMedia,
  ImportPost,
  ImportSite,
  ImportSkip,
  ImportTag,
  MediaFiles,
} from './model.js';

export interface ImportWriterDeps {
  db: Db;
  posts: PostService;
  media: MediaService;
  related: { rebuild(db: Db): Promise<unknown> };
  changes: ChangeFeed;
  now?: () => Date;
}

export interface ImportOptions {
  /** Where the photos' bytes are; without it every photo is reported missing. */
  mediaFiles?: MediaFiles;
  /** Read and check everything, then write nothing (the transaction is rolled back, no photo stored). */
  dryRun?: boolean;
  /** Who the photos are uploaded by (null: the system). */
  importedBy?: number | null;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops the run (Ctrl-C, a server shutting down): rolled back, photos stored so far removed. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  /** Items of the export read so far, and how many there are when the importer knows. */
  done: number;
  total: number | null;
  added: number;
}

/** Per kind of thing: how many were added, found already imported, or matched to what the blog had. */
export interface ImportCount {
  added: number;
  /** Imported by an earlier run of the same export. */
  existing: number;
  /** Not imported before, but the blog already had it (same email or slug): linked, not duplicated. */
  matched: number;
}

export const IMPORT_KINDS = [
  'authors',
  'categories',
  'tags',
  'media',
  'posts',
  'pages',
  'comments',
  'redirects',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportReport {
  platform: string;
  source: string;
  dryRun: boolean;
  counts: Record<ImportKind, ImportCount>;
  skipped: ImportSkip[];
  missingMedia: { file: string; url: string; reason: string }[];
  /** Posts imported but kept unpublished, and why (private, password-protected, members-only). */
  heldBack: { title: string; reason: string }[];
  /** Slugs that were taken, and what the imported thing got instead. */
  renamed: { what: string; from: string; to: string }[];
  /** Shortcodes and blocks kept as visible text, with how many posts had each. */
  unknownShortcodes: { name: string; posts: number }[];
}

class DryRun extends Error {}

/** How many photos are encoded at once during an import. */
const PHOTO_BATCH = 3;

/** Attachment-size suffixes WordPress adds (`-1024x768`, `-scaled`), and Ghost's `/size/w600/`. */
const SIZED = /-(?:\d+x\d+|scaled|rotated|e\d{10,})(?=\.[a-z0-9]+$)/i;
const GHOST_SIZE = /\/size\/w\d+(?:h\d+)?\//;

/**
 * Writes what an importer reads into the blog, all of it in one transaction: a failure anywhere
 * leaves the blog as it was (photos stored on the way are removed again). Every thing imported
 * is remembered in `import_sources` by its old id, so a second run of the same export adds
 * nothing and a newer export adds only what is new. Authors are matched by email and terms by
 * slug before anything is created, so nothing is duplicated; a taken post slug gets `-2`.
 * Every old address becomes a 301 to the new one.
 */
export class ImportWriter {
  #deps: ImportWriterDeps;
  #now: () => Date;

  constructor(deps: ImportWriterDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async run(importer: Importer, options: ImportOptions = {}): Promise<ImportReport> {
    const run = new Run(this.#deps, this.#now().toISOString(), options);
    try {
      await this.#deps.db.transaction().execute(async (tx) => {
        run.tx = tx;
        for await (const entry of importer(run.context)) {
          if (options.signal?.aborted) throw new HearthError('HEARTH_ERR_IMPORT_STOPPED');
          await run.take(entry);
        }
        await run.finish();
        if (options.dryRun) throw new DryRun();
      });
    } catch (error) {
      await run.discardPhotos();
      if (!(error instanceof DryRun)) throw error;
    }
    if (!options.dryRun && run.changed) this.#deps.changes.publish({ kind: 'site' });
    return run.report();
  }
}

const emptyCount = (): ImportCount => ({ added: 0, existing: 0, matched: 0 });

/** One import: the transaction, what has been mapped so far, and the report being written. */
class Run {
  tx!: Db;
  changed = false;
  #deps: ImportWriterDeps;
  #at: string;
  #options: ImportOptions;
  #site: ImportSite | undefined;
  #ids = new Map<string, number>(); // `${kind}:${external id}` -> local id
  #mediaByUrl = new Map<string, { url: string; alt: string; caption: string }>();
  #mediaById = new Map<string, { url: string; alt: string; caption: string }>();
  #stored: MediaItem[] = [];
  #photos = new Map<string, Promise<void>>();
  #mediaSeen = new Map<string, string>();
  #redirected = new Set<string>();
  #photoError: { error: unknown } | undefined;
  #sources: { source: string; kind: ImportSourceKind; external_id: string; local_id: number; created_at: string }[] =
    [];
  #parents: { kind: 'category' | 'post'; localId: number; parentId: string }[] = [];
  #done = 0;
  #total: number | null = null;
  #counts = Object.fromEntries(IMPORT_KINDS.map((k) => [k, emptyCount()])) as Record<ImportKind, ImportCount>;
  #skipped: ImportSkip[] = [];
  #missing: ImportReport['missingMedia'] = [];
  #heldBack: ImportReport['heldBack'] = [];
  #renamed: ImportReport['renamed'] = [];
  #shortcodes = new Map<string, number>();

  constructor(deps: ImportWriterDeps, at: string, options: ImportOptions) {
    this.#deps = deps;
    this.#at = at;
    this.#options = options;
  }

  readonly context: ImportContext = {
    mediaUrl: (url) => {
      const found = this.#mediaByUrl.get(url)?.url ?? this.#mediaByUrl.get(mediaKey(url))?.url;
      // A sized copy's old address (`bath-1024x768.jpg`), linked from elsewhere, leads to the photo too.
      if (found && /^https?:\/\//i.test(url)) this.#mediaSeen.set(url, found);
      return found;
    },
    media: (id) => this.#mediaById.get(id),
  };

  async take(entry: ImportEntry): Promise<void> {
    if (entry.kind === 'site') {
      this.#site = entry.site;
      return;
    }
    if (entry.kind === 'settle') {
      await this.#settlePhotos();
      return;
    }
    if (entry.kind === 'progress') {
      this.#done = entry.done;
      this.#total = entry.total;
      this.#progress();
      return;
    }
    if (entry.kind === 'skip') {
      this.#skipped.push(entry.skip);
      return;
    }
    if (!this.#site) throw new Error('an importer must hand out its site first');
    if (entry.kind === 'media') {
      // Photos are encoded a few at a time, in sharp's threads, while the importer reads on;
      // anything else waits for them (a post needs their addresses).
      const media = entry.media;
      if (this.#photos.has(media.id)) await this.#settlePhotos();
      const work = this.#media(media)
        .catch((error: unknown) => {
          this.#photoError ??= { error };
        })
        .finally(() => this.#photos.delete(media.id));
      this.#photos.set(media.id, work);
      if (this.#photos.size >= PHOTO_BATCH) await Promise.race(this.#photos.values());
      if (this.#photoError) throw this.#photoError.error;
      return;
    }
    await this.#settlePhotos();
    switch (entry.kind) {
      case 'author':
        return this.#author(entry.author);
      case 'category':
        return this.#category(entry.category);
      case 'tag':
        return this.#tag(entry.tag);
      case 'post':
        await this.#post(entry.post);
        this.#done++;
        if (this.#done % 25 === 0) this.#progress();
        return;
    }
  }

  async finish(): Promise<void> {
    await this.#settlePhotos();
    for (const link of this.#parents) {
      const parent = this.#ids.get(`${link.kind}:${link.parentId}`);
      if (parent === undefined || parent === link.localId) continue;
      if (link.kind === 'category')
        await this.tx.updateTable('categories').set({ parent_id: parent }).where('id', '=', link.localId).execute();
      else await this.tx.updateTable('posts').set({ parent_id: parent }).where('id', '=', link.localId).execute();
    }
    await this.#writeSources();
    if (this.#counts.posts.added + this.#counts.pages.added > 0) await this.#deps.related.rebuild(this.tx);
    this.#progress();
  }

  async discardPhotos(): Promise<void> {
    await Promise.allSettled(this.#photos.values()); // photos still being encoded store their files first
    for (const item of this.#stored) await this.#deps.media.discardFiles(item);
    this.#stored = [];
  }

  report(): ImportReport {
    return {
      platform: this.#site?.platform ?? 'unknown',
      source: this.#site?.key ?? '',
      dryRun: this.#options.dryRun === true,
      counts: this.#counts,
      skipped: this.#skipped,
      missingMedia: this.#missing,
      heldBack: this.#heldBack,
      renamed: this.#renamed,
      unknownShortcodes: [...this.#shortcodes]
        .map(([name, posts]) => ({ name, posts }))
        .sort((a, b) => b.posts - a.posts),
    };
  }

  #progress(): void {
    const added = IMPORT_KINDS.reduce((n, k) => n + this.#counts[k].added, 0);
    this.#options.onProgress?.({ done: this.#done, total: this.#total, added });
  }

  get #source(): string {
    return `${this.#site?.platform}:${this.#site?.key}`;
  }

  async #known(kind: ImportSourceKind, id: string): Promise<number | undefined> {
    const key = `${kind}:${id}`;
    const mapped = this.#ids.get(key);
    if (mapped !== undefined) return mapped;
    const row = await this.tx
      .selectFrom('import_sources')
      .select('local_id')
      .where('source', '=', this.#source)
      .where('kind', '=', kind)
      .where('external_id', '=', id)
      .executeTakeFirst();
    if (row) this.#ids.set(key, row.local_id);
    return row?.local_id;
  }

  /** Remembers what an old id became: at once in memory, in the table in batches (written before the run commits). */
  async #remember(kind: ImportSourceKind, id: string, localId: number): Promise<void> {
    this.#ids.set(`${kind}:${id}`, localId);
    this.#sources.push({ source: this.#source, kind, external_id: id, local_id: localId, created_at: this.#at });
    this.changed = true;
    if (this.#sources.length >= 200) await this.#writeSources();
  }

  async #writeSources(): Promise<void> {
    const rows = this.#sources;
    this.#sources = [];
    if (rows.length === 0) return;
    // An id an export repeats (a malformed export) keeps what it named first.
    await this.tx
      .insertInto('import_sources')
      .values(rows)
      .onConflict((oc) => oc.columns(['source', 'kind', 'external_id']).doNothing())
      .execute();
  }

  async #author(author: ImportAuthor): Promise<void> {
    let id = await this.#known('user', author.id);
    if (id !== undefined) {
      this.#counts.authors.existing++;
    } else {
      const email = author.email.trim().toLowerCase();
      const existing = email
        ? await this.tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
        : undefined;
      if (existing) {
        id = existing.id;
        this.#counts.authors.matched++;
      } else {
        const slug = await this.#freeSlug(
          'users',
          wantedSlug(author.slug, author.name || 'author'),
          'author',
          author.slug,
        );
        const row = await this.tx
          .insertInto('users')
          .values({
            slug,
            display_name: oneLine(author.name) || slug,
            email: email || (await this.#placeholderEmail(slug)),
            bio: author.bio.trim(),
            website: safeWebsite(author.website),
            role: 'author',
            password_hash: null,
            created_at: this.#at,
            updated_at: this.#at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        id = row.id;
        this.#counts.authors.added++;
      }
      await this.#remember('user', author.id, id);
    }
    const slug = (await this.tx.selectFrom('users').select('slug').where('id', '=', id).executeTakeFirstOrThrow()).slug;
    await this.#redirects(author.oldUrls, urls.author(slug));
  }

  /** An address for an author the export gave none: `.invalid` never delivers (RFC 2606). */
  async #placeholderEmail(slug: string): Promise<string> {
    const base = `${asciiLocalPart(slug)}@imported.invalid`;
    for (let n = 1; ; n++) {
      const email = n === 1 ? base : base.replace('@', `-${n}@`);
      const taken = await this.tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (!taken) return email;
    }
  }

  async #category(category: ImportCategory): Promise<void> {
    let id = await this.#known('category', category.id);
    if (id !== undefined) this.#counts.categories.existing++;
    else {
      const slug = wantedSlug(category.slug, category.name);
      const existing = await this.tx.selectFrom('categories').select('id').where('slug', '=', slug).executeTakeFirst();
      if (existing) {
        id = existing.id;
        this.#counts.categories.matched++;
      } else {
        const name = oneLine(category.name) || slug;
        const row = await this.tx
          .insertInto('categories')
          .values({ slug, name, description: category.description.trim(), parent_id: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        id = row.id;
        this.#counts.categories.added++;
        if (category.parentId) this.#parents.push({ kind: 'category', localId: id, parentId: category.parentId });
      }
      await this.#remember('category', category.id, id);
    }
    const slug = (await this.tx.selectFrom('categories').select('slug').where('id', '=', id).executeTakeFirstOrThrow())
      .slug;
    await this.#redirects(category.oldUrls, urls.category(slug));
  }

  async #tag(tag: ImportTag): Promise<void> {
    const id = await this.#tagId(tag);
    const slug = (await this.tx.selectFrom('tags').select('slug').where('id', '=', id).executeTakeFirstOrThrow()).slug;
    await this.#redirects(tag.oldUrls, urls.tag(slug));
  }

  async #tagId(tag: ImportTag): Promise<number> {
    const known = await this.#known('tag', tag.id);
    if (known !== undefined) {
      this.#counts.tags.existing++;
      return known;
    }
    const slug = wantedSlug(tag.slug, tag.name);
    const name = oneLine(tag.name) || slug;
    // By name too: posts name their tags, and a tag is found by its name when its slug differs.
    const existing =
      (await this.tx.selectFrom('tags').select('id').where('slug', '=', slug).executeTakeFirst()) ??
      (await this.tx.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirst());
    let id: number;
    if (existing) {
      id = existing.id;
      this.#counts.tags.matched++;
    } else {
      id = (await this.tx.insertInto('tags').values({ slug, name }).returning('id').executeTakeFirstOrThrow()).id;
      this.#counts.tags.added++;
    }
    await this.#remember('tag', tag.id, id);
    return id;
  }

  async #settlePhotos(): Promise<void> {
    await Promise.all(this.#photos.values());
    if (this.#photoError) throw this.#photoError.error;
  }

  async #media(media: ImportMedia): Promise<void> {
    const known = await this.#known('media', media.id);
    let found: { url: string; alt: string; caption: string } | undefined;
    if (known !== undefined) {
      const row = await this.tx
        .selectFrom('media')
        .select(['path', 'alt', 'caption'])
        .where('id', '=', known)
        .executeTakeFirst();
      if (row) found = { url: `/media/${row.path}`, alt: row.alt, caption: row.caption };
      this.#counts.media.existing++;
    } else {
      found = await this.#storePhoto(media);
    }
    if (!found) return;
    this.#mediaById.set(media.id, found);
    for (const url of [media.url, ...media.urls]) {
      if (!url) continue;
      this.#mediaByUrl.set(url, found);
      this.#mediaByUrl.set(mediaKey(url), found);
    }
    await this.#redirects(media.oldUrls, found.url);
  }

  async #storePhoto(media: ImportMedia): Promise<{ url: string; alt: string; caption: string } | undefined> {
    const files = this.#options.mediaFiles;
    const missing = (reason: string) => {
      this.#missing.push({ file: media.file, url: media.url, reason });
      return undefined;
    };
    if (!files) return missing('no media folder, archive or download was given');
    let data: Buffer | undefined;
    try {
      data = await files.read(media.file, media.url);
    } catch (error) {
      return missing(error instanceof Error ? error.message : String(error));
    }
    if (!data) return missing(files.lastError?.(media.url) ?? `not found in ${files.describe}`);
    const texts = {
      alt: clip(oneLine(media.alt), 1000),
      caption: clip(media.caption.trim(), 2000),
      credit: clip(oneLine(media.credit), 500),
    };
    let item: MediaItem;
    try {
      if (this.#options.dryRun) {
        await this.#deps.media.check({ data, name: media.file });
        this.#counts.media.added++;
        return { url: media.url, ...texts };
      }
      item = await this.#deps.media.ingest(
        {
          data,
          name: media.file.split('/').pop() || media.title || 'photo',
          ...texts,
          uploadedBy: this.#options.importedBy ?? null,
        },
        this.tx,
      );
    } catch (error) {
      // Not an image, too large, a format Hearth does not take: reported, and the posts still import.
      if (error instanceof HearthError && error.status < 500) return missing(error.message);
      throw error;
    }
    this.#stored.push(item);
    this.#counts.media.added++;
    await this.#remember('media', media.id, item.id);
    return { url: item.url, alt: item.alt, caption: item.caption };
  }

  async #post(post: ImportPost): Promise<void> {
    const kind = post.type === 'page' ? 'pages' : 'posts';
    let id = await this.#known('post', post.id);
    const fresh = id === undefined;
    let slug: string;
    if (id !== undefined) {
      this.#counts[kind].existing++;
      const row = await this.tx.selectFrom('posts').select('slug').where('id', '=', id).executeTakeFirst();
      if (!row) return; // deleted on Hearth since the last import: not brought back
      slug = row.slug;
    } else {
      const created = await this.#createPost(post);
      if (!created) return;
      ({ id, slug } = created);
      this.#counts[kind].added++;
      await this.#remember('post', post.id, id);
    }
    // A private or protected post's old address stays unknown: its slug may say what it is about.
    // Only a post that was public had public addresses; a draft's or a private post's address
    // must not be given away (its slug may say what it is about).
    if (!post.heldBack && post.status === 'published') await this.#redirects(post.oldUrls, urls.post(slug));
    await this.#mediaRedirects();
    await this.#comments(id, post, fresh);
  }

  async #createPost(post: ImportPost): Promise<{ id: number; slug: string } | undefined> {
    const title = clip(oneLine(post.title), 250) || fallbackTitle(post.body);
    const publishedAt = post.publishedAt ? toStoredTime(post.publishedAt) : undefined;
    const createdAt = toStoredTime(post.createdAt) ?? publishedAt ?? this.#at;
    let status = post.status;
    if (status !== 'draft' && !publishedAt) {
      this.#skipped.push({
        what: post.type,
        name: title,
        reason: 'it has no valid publication date; imported as a draft',
      });
      status = 'draft';
    }
    if (status === 'published' && publishedAt && publishedAt > this.#at) status = 'scheduled';
    if (status === 'scheduled' && publishedAt && publishedAt <= this.#at) status = 'published';
    const authorId =
      (post.authorId ? await this.#known('user', post.authorId) : undefined) ?? (await this.#fallbackAuthor());
    if (authorId === undefined) {
      this.#skipped.push({ what: post.type, name: title, reason: 'the blog has no user to be its author' });
      return undefined;
    }
    const categoryIds: number[] = [];
    for (const c of post.categoryIds) {
      const local = await this.#known('category', c);
      if (local !== undefined) categoryIds.push(local);
    }
    const tagNames: string[] = [];
    for (const t of post.tagIds) {
      const local = await this.#known('tag', t);
      const name = local === undefined ? undefined : await this.#nameOf('tags', local);
      if (name !== undefined) tagNames.push(name);
    }
    // Hearth has one category per post: the others are kept as tags of the same name.
    for (const extra of categoryIds.slice(1)) {
      const name = await this.#nameOf('categories', extra);
      if (name !== undefined) tagNames.push(name);
    }
    const featureId = post.featureImageId ? await this.#known('media', post.featureImageId) : undefined;
    const feature = post.featureImageId ? this.#mediaById.get(post.featureImageId) : undefined;
    const wanted = wantedSlug(post.slug, title);
    const input = {
      type: post.type,
      title,
      slug: wanted,
      excerpt: post.excerpt,
      body: post.body,
      status,
      publishedAt: publishedAt ?? null,
      authorId,
      categoryId: post.type === 'post' ? (categoryIds[0] ?? null) : null,
      tags: tagNames,
      featureImageId: featureId ?? null,
      featureImageAlt: featureId !== undefined ? (feature?.alt ?? null) : null,
      commentsEnabled: post.commentsEnabled,
      seoTitle: post.seoTitle,
      seoDescription: post.seoDescription,
      menuOrder: Number.isSafeInteger(post.menuOrder) ? post.menuOrder : 0,
      featured: post.featured,
      createdAt,
      updatedAt: toStoredTime(post.updatedAt) ?? createdAt,
    };
    const created = await this.#deps.posts.importPost(input, this.tx);
    // Taken (`-2`), or written another way (Hearth's slugs keep no accents: `café` is `cafe`).
    const typed = normaliseSlug(post.slug);
    if (created.slug !== wanted || (typed && typed !== created.slug))
      this.#renamed.push({ what: `${post.type} “${title}”`, from: typed || wanted, to: created.slug });
    if (post.parentId) this.#parents.push({ kind: 'post', localId: created.id, parentId: post.parentId });
    if (post.heldBack) this.#heldBack.push({ title, reason: post.heldBack });
    for (const name of new Set(post.unknownShortcodes))
      this.#shortcodes.set(name, (this.#shortcodes.get(name) ?? 0) + 1);
    return created;
  }

  #fallback: number | null | undefined;
  #names = new Map<string, string>();

  /** A tag's or category's name, read once per run. */
  async #nameOf(table: 'tags' | 'categories', id: number): Promise<string | undefined> {
    const key = `${table}:${id}`;
    let name = this.#names.get(key);
    if (name === undefined) {
      name = (await this.tx.selectFrom(table).select('name').where('id', '=', id).executeTakeFirst())?.name;
      if (name !== undefined) this.#names.set(key, name);
    }
    return name;
  }

  /** The blog's owner (or first user), for posts whose author the export does not name. */
  async #fallbackAuthor(): Promise<number | undefined> {
    if (this.#fallback === undefined) {
      const row =
        (await this.tx.selectFrom('users').select('id').where('role', '=', 'owner').orderBy('id').executeTakeFirst()) ??
        (await this.tx.selectFrom('users').select('id').orderBy('id').executeTakeFirst());
      this.#fallback = row?.id ?? null;
    }
    return this.#fallback ?? undefined;
  }

  /** A post's comments, parents before replies; a reply whose parent is missing becomes a comment on the post. */
  async #comments(postId: number, post: ImportPost, fresh: boolean): Promise<void> {
    const byId = new Map(post.comments.map((c) => [c.id, c]));
    const children = new Map<string | null, ImportComment[]>();
    for (const c of post.comments) {
      let parent = c.parentId && c.parentId !== c.id ? c.parentId : null;
      if (parent && !byId.has(parent)) {
        this.#skipped.push({
          what: 'reply',
          name: `comment ${c.id} on “${oneLine(post.title)}”`,
          reason: `its parent comment ${parent} is not in the export; shown as a comment on the post`,
        });
        parent = null;
      }
      children.set(parent, [...(children.get(parent) ?? []), c]);
    }
    const queue: { comment: ImportComment; parent: { id: number; depth: number } | null }[] = (
      children.get(null) ?? []
    ).map((comment) => ({ comment, parent: null }));
    const seen = new Set<string>();
    while (queue.length > 0) {
      const { comment, parent } = queue.shift() as (typeof queue)[number];
      if (seen.has(comment.id)) continue;
      seen.add(comment.id);
      const stored = await this.#comment(postId, comment, parent, post.title, fresh);
      for (const child of children.get(comment.id) ?? []) queue.push({ comment: child, parent: stored ?? parent });
    }
    // A comment's old id is only ever looked for within its post: forgotten once the post is done.
    for (const c of post.comments) this.#ids.delete(`comment:${c.id}`);
    // Comments in a cycle of parents (A answers B, B answers A) are not reachable from the post.
    for (const c of post.comments)
      if (!seen.has(c.id))
        this.#skipped.push({
          what: 'comment',
          name: `comment ${c.id} on “${oneLine(post.title)}”`,
          reason: 'its replies form a loop',
        });
  }

  async #comment(
    postId: number,
    comment: ImportComment,
    parent: { id: number; depth: number } | null,
    title: string,
    fresh: boolean,
  ): Promise<{ id: number; depth: number } | null> {
    // A post created in this run can have no comment imported before.
    const known = fresh ? this.#ids.get(`comment:${comment.id}`) : await this.#known('comment', comment.id);
    if (known !== undefined) {
      this.#counts.comments.existing++;
      const row = await this.tx
        .selectFrom('comments')
        .select(['id', 'depth'])
        .where('id', '=', known)
        .executeTakeFirst();
      return row ?? null;
    }
    const body = comment.body.trim();
    if (body === '') {
      this.#skipped.push({
        what: 'comment',
        name: `comment ${comment.id} on “${oneLine(title)}”`,
        reason: 'it has no text',
      });
      return null;
    }
    const depth = parent ? parent.depth + 1 : 1;
    const row = await this.tx
      .insertInto('comments')
      .values({
        post_id: postId,
        parent_id: parent?.id ?? null,
        depth,
        author_name: clip(oneLine(comment.authorName), 100) || 'Anonymous',
        author_email: comment.authorEmail?.trim() || null,
        author_website: safeWebsite(comment.authorWebsite),
        body,
        body_html: renderCommentText(body).html,
        status: comment.status,
        created_at: toStoredTime(comment.createdAt) ?? this.#at,
        ip_hash: null,
        user_agent: null,
        spam_reasons: null,
        spam_score: null,
        body_hash: bodyHash(body),
        trained_as: null,
        staff_user_id: null,
      })
      .returning(['id', 'depth'])
      .executeTakeFirstOrThrow();
    this.#counts.comments.added++;
    await this.#remember('comment', comment.id, row.id);
    return row;
  }

  /** Redirects for the old photo addresses a post's text used (sized copies among them). */
  async #mediaRedirects(): Promise<void> {
    const seen = [...this.#mediaSeen];
    this.#mediaSeen.clear();
    for (const [old, to] of seen) await this.#redirects([old], to);
  }

  /** Old addresses of the site to a new path; one already leading there (or the same path) is left alone. */
  async #redirects(oldUrls: string[], to: string): Promise<void> {
    const paths = new Set(oldUrls.map((old) => this.#oldPath(old)));
    for (const from of paths) {
      if (!from || from === to || this.#redirected.has(from)) continue;
      this.#redirected.add(from);
      // Nearly always a new address: one statement; an address seen before is looked at.
      const inserted = await this.tx
        .insertInto('redirects')
        .values({ from_path: from, to_path: to, status_code: 301, created_at: this.#at })
        .onConflict((oc) => oc.column('from_path').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const existing = await this.tx
          .selectFrom('redirects')
          .select('to_path')
          .where('from_path', '=', from)
          .executeTakeFirst();
        if (existing?.to_path === to) {
          this.#counts.redirects.existing++;
          continue;
        }
        await this.tx
          .updateTable('redirects')
          .set({ to_path: to, created_at: this.#at })
          .where('from_path', '=', from)
          .execute();
      }
      this.#counts.redirects.added++;
      this.changed = true;
    }
  }

  /** An old address as a path of this site (`/2019/05/bath-time/`, `/?p=12`), or undefined if another site's. */
  #oldPath(old: string): string | undefined {
    let url: URL;
    try {
      // A path is relative to the old site's address, which may be a folder (`https://ex.com/blog`).
      const site = this.#site?.url ? new URL(this.#site.url) : undefined;
      const prefix = site ? site.pathname.replace(/\/+$/, '') : '';
      const text =
        old.startsWith('/') && !old.startsWith('//') && !old.startsWith(`${prefix}/`) ? `${prefix}${old}` : old;
      url = new URL(text, site?.href ?? 'http://old.invalid/');
    } catch {
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (this.#site?.url) {
      const site = new URL(this.#site.url);
      if (url.hostname.replace(/^www\./, '') !== site.hostname.replace(/^www\./, '')) return undefined;
    }
    const path = pathKey(url.pathname);
    if (!path.startsWith('/') || path.startsWith('//')) return undefined;
    return url.search && url.search !== '?' ? `${path}${url.search}` : path;
  }

  async #freeSlug(table: 'users', base: string, what: string, wanted: string): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const taken = await this.tx.selectFrom(table).select('id').where('slug', '=', slug).executeTakeFirst();
      if (!taken) {
        if (n > 1) this.#renamed.push({ what, from: wanted, to: slug });
        return slug;
      }
    }
  }
}

/** The key an old media URL is found by: its path, decoded, without a size suffix. */
function mediaKey(url: string): string {
  let path = url;
  try {
    path = new URL(url, 'http://x.invalid/').pathname;
  } catch {
    // not a URL: the text itself
  }
  try {
    path = decodeURIComponent(path);
  } catch {
    // a stray %: left as is
  }
  return path.replace(GHOST_SIZE, '/').replace(SIZED, '').normalize('NFC');
}

/** A slug as the export gives it, if Hearth takes it; otherwise one made from the text. */
function wantedSlug(slug: string, text: string): string {
  const typed = normaliseSlug(slug);
  return isSlug(typed) ? typed : slugify(typed || text);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** At most `max` UTF-16 units (how lengths are checked elsewhere), never cutting a character in two. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out;
}

/** A title for a post the export left untitled (WordPress "asides"): its first words. */
function fallbackTitle(body: string): string {
  const words = body
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/[#>*_`[\]()\\-]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8)
    .join(' ');
  return clip(words, 80) || 'Untitled';
}

/** A website as profiles take them (http or https only, so that no link runs script); else none. */
function safeWebsite(url: string | null): string | null {
  const text = url?.trim() ?? '';
  return text.length > 0 && text.length <= 500 && isWebsite(text) ? text : null;
}

function asciiLocalPart(slug: string): string {
  const ascii = slug.replace(/[^a-z0-9-]/g, '');
  return ascii || 'author';
}
