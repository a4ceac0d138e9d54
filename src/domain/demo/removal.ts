import { HearthError } from '../../errors.js';
import { slugify } from '../../shared/slug.js';
import type { Db } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import { bodyHash } from '../comments/index.js';
import type { Trash } from '../editorial/index.js';
import type { MediaService } from '../media/index.js';
import { defaultSettings, type SettingsService, type SiteSettings } from '../settings/index.js';
import { DEMO_BOOK, DEMO_MARKER, demoInstalled } from './install.js';
import type { DemoContent } from './types.js';

/** Set by the setup page when the owner does not want the demo while another instance still installs it. */
export const DEMO_UNWANTED = 'internal.demo_unwanted';
const REMOVED = 'removed at ';
/** Without a record of the demo book's last write (installed before there was one), this long after the marker. */
const BOOK_GRACE_MS = 10 * 60_000;

export interface DemoRemovalDeps {
  db: Db;
  settings: SettingsService;
  media: MediaService;
  trash: Pick<Trash, 'deleteInside'>;
  audit: AuditLog;
  changes: ChangeFeed;
  now?: () => Date;
}

/** Where the demo is: never installed, being installed, in, or removed. */
export type DemoState = 'none' | 'installing' | 'installed' | 'removed';

/** What a removal took away. */
export interface DemoRemoved {
  posts: number;
  comments: number;
  media: number;
  users: number;
  categories: number;
  tags: number;
  books: number;
}

/**
 * Removes the demo blog in one transaction (issue 18). The rule: a demo row goes only
 * while it is as the demo made it. Posts and pages by the demo's slugs whose
 * `updated_at` is not after the install marker (a writer's save moves it); the demo's
 * comments (by their text) on the demo's posts; the demo's book while unchanged since the
 * install wrote it; then, only when nothing left uses them, the demo's byline authors
 * (no password), categories (name and description as the demo made them), tags, and photos
 * (stored by the install, no uploader). What the writer made or edited stays, with what
 * it uses. The install marker becomes "removed", so the demo is never installed again.
 * The marker is claimed by a conditional update: two clicks, or two instances, remove once.
 */
export class DemoRemoval {
  #d: DemoRemovalDeps;
  #content: DemoContent;
  #now: () => Date;

  constructor(deps: DemoRemovalDeps, content: DemoContent) {
    this.#d = deps;
    this.#content = content;
    this.#now = deps.now ?? (() => new Date());
  }

  async state(): Promise<DemoState> {
    const marker = await this.#d.settings.getInternal(DEMO_MARKER);
    if (marker === undefined) return 'none';
    if (!demoInstalled(marker)) return 'installing';
    return marker.startsWith(REMOVED) ? 'removed' : 'installed';
  }

  /** Removes the demo now, or (while another instance still installs it) as soon as it is in. */
  async removeOrMark(actor: { id: number; email: string } | null): Promise<'removed' | 'later' | 'none'> {
    const state = await this.state();
    if (state === 'installed') {
      await this.remove(actor);
      return 'removed';
    }
    if (state === 'installing') {
      await this.#d.settings.setInternal(DEMO_UNWANTED, this.#now().toISOString());
      return 'later';
    }
    return 'none';
  }

  /** Run by the scheduler: removes a demo the owner declined at setup once its install is done. */
  async removeIfUnwanted(): Promise<boolean> {
    if ((await this.#d.settings.getInternal(DEMO_UNWANTED)) === undefined) return false;
    const state = await this.state();
    if (state === 'installing') return false;
    if (state === 'installed') {
      try {
        await this.remove(null);
      } catch (error) {
        if (!(error instanceof HearthError && error.code === 'HEARTH_ERR_DEMO_GONE')) throw error;
      }
    }
    await this.#d.settings.setInternal(DEMO_UNWANTED, undefined);
    return state === 'installed';
  }

  async remove(actor: { id: number; email: string } | null, ip: string | null = null): Promise<DemoRemoved> {
    const marker = await this.#d.settings.getInternal(DEMO_MARKER);
    if (marker === undefined || !demoInstalled(marker) || marker.startsWith(REMOVED))
      throw new HearthError('HEARTH_ERR_DEMO_GONE');
    const bookRecord = await this.#d.settings.getInternal(DEMO_BOOK);
    const content = this.#content;
    // Read before the transaction (SQLite has one connection: a read beside it would wait for it).
    const site = await this.#d.settings.get();
    const { files, removed } = await this.#d.db.transaction().execute(async (tx) => {
      const claimed = await tx
        .updateTable('settings')
        .set({ value: JSON.stringify(`${REMOVED}${this.#now().toISOString()}`) })
        .where('key', '=', DEMO_MARKER)
        .where('value', '=', JSON.stringify(marker))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new HearthError('HEARTH_ERR_DEMO_GONE');
      const removed: DemoRemoved = { posts: 0, comments: 0, media: 0, users: 0, categories: 0, tags: 0, books: 0 };

      // Posts and pages as the demo made them.
      const slugs = [...content.posts.map((p) => p.slug), ...content.pages.map((p) => p.slug)];
      const demoPosts = await tx.selectFrom('posts').select(['id', 'updated_at']).where('slug', 'in', slugs).execute();
      for (const post of demoPosts) {
        if (post.updated_at > marker) continue;
        await this.#d.trash.deleteInside(tx, post.id);
        removed.posts++;
      }
      // The demo's comments on demo posts that stay (edited by the writer).
      const kept = demoPosts.filter((p) => p.updated_at > marker).map((p) => p.id);
      if (kept.length > 0) {
        const hashes = content.comments.map((c) => bodyHash(c.body));
        const gone = await tx
          .deleteFrom('comments')
          .where('post_id', 'in', kept)
          .where('body_hash', 'in', hashes)
          .where('ip_hash', 'is', null)
          .where('created_at', '<=', marker)
          .executeTakeFirst();
        removed.comments += Number(gone.numDeletedRows);
      }

      // The demo's users: byline-only profiles by the demo's slugs and addresses.
      const demoUsers = await tx
        .selectFrom('users')
        .select(['id', 'slug', 'email'])
        .where(
          'slug',
          'in',
          content.authors.map((a) => a.slug),
        )
        .where('password_hash', 'is', null)
        .where('role', '!=', 'owner')
        .execute();
      const userIds = demoUsers
        .filter((u) =>
          content.authors.some((a) => a.slug === u.slug && a.email.toLowerCase() === u.email.toLowerCase()),
        )
        .map((u) => u.id);

      // The book, while unchanged since the install wrote it.
      if (content.book) {
        const [recordedId, recordedAt] = (bookRecord ?? '').split(' ');
        const latest = new Date(Date.parse(marker) + BOOK_GRACE_MS).toISOString();
        const books = await tx
          .selectFrom('books')
          .select(['id', 'updated_at', 'created_by'])
          .where('title', '=', content.book.title)
          .execute();
        for (const book of books) {
          const unchanged = bookRecord
            ? String(book.id) === recordedId && book.updated_at === recordedAt
            : book.updated_at <= latest && (book.created_by === null || userIds.includes(book.created_by));
          if (!unchanged) continue;
          await tx.deleteFrom('books').where('id', '=', book.id).execute();
          removed.books++;
        }
      }

      for (const id of userIds) {
        const writes = await tx.selectFrom('posts').select('id').where('author_id', '=', id).executeTakeFirst();
        if (writes) continue;
        await tx
          .updateTable('posts')
          .set({ editor_note_author_id: null })
          .where('editor_note_author_id', '=', id)
          .execute();
        await tx.updateTable('revisions').set({ user_id: null }).where('user_id', '=', id).execute();
        await tx.deleteFrom('users').where('id', '=', id).execute();
        removed.users++;
      }

      // Categories as the demo made them, and the demo's tags, when no post or book uses them.
      for (const c of content.categories) {
        const row = await tx
          .selectFrom('categories')
          .select(['id', 'name', 'description'])
          .where('slug', '=', c.slug)
          .executeTakeFirst();
        if (!row || row.name !== c.name || row.description !== c.description) continue;
        if (await tx.selectFrom('posts').select('id').where('category_id', '=', row.id).executeTakeFirst()) continue;
        if (await usedByBook(tx, 'category', row.id)) continue;
        await tx.deleteFrom('categories').where('id', '=', row.id).execute();
        removed.categories++;
      }
      const tagSlugs = [...new Set(content.posts.flatMap((p) => p.tags.map((t) => slugify(t, ''))))].filter(Boolean);
      if (tagSlugs.length > 0) {
        const tags = await tx.selectFrom('tags').select('id').where('slug', 'in', tagSlugs).execute();
        for (const tag of tags) {
          if (await tx.selectFrom('post_tags').select('post_id').where('tag_id', '=', tag.id).executeTakeFirst())
            continue;
          if (await usedByBook(tx, 'tag', tag.id)) continue;
          await tx.deleteFrom('tags').where('id', '=', tag.id).execute();
          removed.tags++;
        }
      }

      // Photos the install stored, when nothing left shows them.
      const files: { path: string; variants: { path: string }[] }[] = [];
      const photos = await tx
        .selectFrom('media')
        .select(['id', 'path', 'variants'])
        .where(
          'original_name',
          'in',
          content.images.map((i) => i.name),
        )
        .where('uploaded_by', 'is', null)
        .where('created_at', '<=', marker)
        .execute();
      for (const photo of photos) {
        if (await photoInUse(tx, photo.id, photo.path)) continue;
        await tx.deleteFrom('media').where('id', '=', photo.id).execute();
        files.push({ path: photo.path, variants: JSON.parse(photo.variants) as { path: string }[] });
        removed.media++;
      }

      // The demo's title, tagline and description, where the writer has not changed them.
      const reset: Partial<SiteSettings> = {};
      for (const [key, value] of Object.entries(content.site) as [keyof typeof content.site, string][])
        if (site[key] === value) reset[key] = defaultSettings[key];
      await this.#d.settings.update(reset, tx);

      await this.#d.audit.record({ action: 'demo_removed', actor, subject: 'demo', ip, details: { ...removed } }, tx);
      return { files, removed };
    });
    for (const file of files) await this.#d.media.discardFiles(file as never).catch(() => {});
    this.#d.changes.publish({ kind: 'site' });
    return removed;
  }
}

async function usedByBook(tx: Db, kind: 'category' | 'tag', id: number): Promise<boolean> {
  const row = await tx
    .selectFrom('book_sources')
    .select('book_id')
    .where('kind', '=', kind)
    .where('term_id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a post, a profile or a book still shows a photo (bodies by its file name, as the library does). */
async function photoInUse(tx: Db, id: number, path: string): Promise<boolean> {
  // Unescaped: a `_` in a name matches any letter, which can only keep a photo, never drop one in use.
  const pattern = `%${(path.split('/').pop() ?? path).replace(/\.[^.]+$/, '')}%`;
  const post = await tx
    .selectFrom('posts')
    .select('id')
    .where((eb) =>
      eb.or([eb('feature_image_id', '=', id), eb('body', 'like', pattern), eb('editor_note', 'like', pattern)]),
    )
    .executeTakeFirst();
  if (post) return true;
  if (await tx.selectFrom('users').select('id').where('avatar_media_id', '=', id).executeTakeFirst()) return true;
  return (await tx.selectFrom('books').select('id').where('cover_media_id', '=', id).executeTakeFirst()) !== undefined;
}
